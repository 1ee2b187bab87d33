"""The vector index: exact float search up to USEARCH_MIN, HNSW + float re-ranking beyond."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from closeknit.match import index as mindex
from closeknit.store import open_store


def _clustered(n: int, dim: int, seed: int) -> np.ndarray:
    # sentence vectors vary along few directions: 20 centres plus an 8-dim shared subspace
    base = np.random.default_rng(99)
    centres = base.standard_normal((20, dim)).astype(np.float32)
    sub = base.standard_normal((8, dim)).astype(np.float32)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 8)).astype(np.float32) * 0.5
    mat = centres[rng.integers(0, 20, n)] + z @ sub
    mat += 0.05 * rng.standard_normal((n, dim)).astype(np.float32)
    return mat / np.linalg.norm(mat, axis=1, keepdims=True)


def test_auto_kind_is_exact_below_usearch_min(monkeypatch: pytest.MonkeyPatch) -> None:
    mat = _clustered(200, 16, 0)
    ids = [str(i) for i in range(200)]
    assert mindex.VectorIndex(ids, mat).kind == "exact"
    monkeypatch.setattr(mindex, "USEARCH_MIN", 100)
    assert mindex.VectorIndex(ids, mat).kind == "usearch"


def test_usearch_results_are_reranked_by_float_cosine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mindex, "RERANK_MIN", 64)
    mat = _clustered(4000, 48, 1)
    ids = [str(i) for i in range(len(mat))]
    exact = mindex.VectorIndex(ids, mat, "exact")
    approx = mindex.VectorIndex(ids, mat, "usearch")
    qs = _clustered(40, 48, 2)
    hits = 0
    for q in qs:
        keys, sims = approx.search_keys(q, 10)
        # the similarities returned are the float32 cosines, best first (not int8 distances)
        assert np.allclose(sims, mat[keys] @ q, atol=1e-6)
        assert (np.diff(sims) <= 0).all()
        hits += len(set(keys.tolist()) & set(exact.search_keys(q, 10)[0].tolist()))
    assert hits / (10 * len(qs)) >= 0.99


def test_restored_index_reranks_from_the_saved_floats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mindex, "USEARCH_MIN", 10)
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    st = open_store(tmp_path / "u.duckdb")
    mat = _clustered(300, 256, 3)
    name = mindex.get_embedder(None).name
    with st.transaction() as tx:
        tx.insert_rows(
            "creator_embeddings",
            [dict(workspace_id="default", creator_id=f"c{i:03d}", model=name,
                  vector=mat[i].tolist(), source_hash=str(i)) for i in range(300)],
        )  # fmt: skip
    try:
        built = mindex.refresh(st, "default")
        floats = Path(str(built["path"])).with_suffix(".f32.npy")
        assert floats.exists()
        want_ids, want_sims = mindex.get_index(st, "default").search(mat[7], 5)
        mindex._mem.clear()  # as in a new process
        assert mindex.refresh(st, "default").get("restored")
        got_ids, got_sims = mindex.get_index(st, "default").search(mat[7], 5)
        assert got_ids == want_ids and np.allclose(got_sims, want_sims)
        assert got_ids[0] == "c007" and got_sims[0] == pytest.approx(1.0, abs=1e-5)
        mindex._mem.clear()
        floats.unlink()  # without the float rows the graph is rebuilt, not restored half
        again = mindex.refresh(st, "default")
        assert again["rebuilt"] and floats.exists()
    finally:
        mindex._mem.clear()
        st.close()


def test_vectors_from_any_chunking_become_one_writable_float32_matrix() -> None:
    import pyarrow as pa

    from closeknit.match.vectors import _list_array, _to_matrix

    m = np.random.default_rng(0).standard_normal((1000, 8)).astype(np.float32)
    a = _list_array(m)
    cases = [
        (a, m),
        (pa.chunked_array([a.slice(0, 300), a.slice(300, 0), a.slice(300, 700)]), m),
        (pa.chunked_array([a]), m),
        (a.slice(10, 5), m[10:15]),  # a slice: its offsets do not start at 0
        (pa.array([[1.0, 2.0], [3.0, 4.0]], type=pa.list_(pa.float64())), [[1, 2], [3, 4]]),
    ]
    for col, want in cases:
        got = _to_matrix(col, len(want[0]))
        assert got.dtype == np.float32 and got.flags.writeable and got.flags.c_contiguous
        assert np.array_equal(got, np.asarray(want, np.float32))
    assert _to_matrix(pa.chunked_array([], type=a.type), 8).shape == (0, 8)
