"""An embedder in a worker process, for embedding beside other work in the same program.

A thread of the caller's process shares the GIL with it: beside ``closeknit demo``'s import and
feature build (Python between SQL statements) a background thread embedding one document at a
time waited for the interpreter after every document and got ~0.65 of a core; a worker process
gets the spare core (docs/discover.md, *First run*). The worker loads the same embedder by name
(:func:`closeknit.match.embed.get_embedder`, the cached ONNX graph) and embeds texts one at a
time, so its vectors are the ones the caller's process would compute.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor

import numpy as np

from closeknit.errors import ConfigError
from closeknit.match.embed import OnnxMiniLMEmbedder, get_embedder

_emb: OnnxMiniLMEmbedder | None = None  # the worker process's embedder


def _load(model: str | None) -> None:
    global _emb
    emb = get_embedder(model)
    if not isinstance(emb, OnnxMiniLMEmbedder):
        raise ConfigError(f"{emb.name} embeds in the caller's process (no worker needed)")
    _emb = emb


def _encode(texts: list[str], threads: int) -> np.ndarray:
    if _emb is None:  # pragma: no cover - the initializer always ran first
        raise ConfigError("embedder worker not initialised")
    return _emb.encode(texts, threads=threads or None)


def _name() -> str:
    return _emb.name if _emb is not None else ""


class EmbedProcess:
    """One worker process holding the embedder ``model``; started now, loaded in the background.

    ``spawn``, not ``fork``: the caller holds a DuckDB connection and threads that a forked
    child must not inherit.
    """

    def __init__(self, model: str | None) -> None:
        self._pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_load,
            initargs=(model,),
        )
        # start the worker and load the model while the caller prepares the first texts
        self._ready: Future[str] = self._pool.submit(_name)

    @property
    def name(self) -> str:
        """The worker's embedder name (waits for it to load; raises what loading raised)."""
        return self._ready.result()

    def encode(self, texts: list[str], threads: int = 0) -> np.ndarray:
        """Vectors of ``texts`` on ``threads`` worker threads (0: the embedder's default)."""
        return self._pool.submit(_encode, texts, threads).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
