"""The vector index: exact float search up to USEARCH_MIN, HNSW + float re-ranking beyond."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from closeknit.match import index as mindex
from closeknit.store import Store, open_store


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
    st = open_store(tmp_path / "u.duckdb", create=True)
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


def _vector_store(path: Path, mat: np.ndarray) -> tuple[Store, str]:
    st = open_store(path, create=True)
    name = mindex.get_embedder(None).name
    with st.transaction() as tx:
        tx.insert_rows(
            "creator_embeddings",
            [dict(workspace_id="default", creator_id=f"c{i:05d}", model=name,
                  vector=mat[i].tolist(), source_hash=f"s{i}") for i in range(len(mat))],
        )  # fmt: skip
    return st, name


def _move(st: Store, name: str, mat: np.ndarray, rows: np.ndarray, seed: int) -> None:
    """New vectors (and source hashes) for ``rows``, as re-embedded documents would write."""
    new = _clustered(len(rows), mat.shape[1], seed)
    mat[rows] = new
    for r, v in zip(rows.tolist(), new, strict=True):
        st.execute(
            "UPDATE creator_embeddings SET vector = ?, source_hash = ? WHERE creator_id = ? "
            "AND model = ?",
            [v.tolist(), f"s{r}-{seed}", f"c{r:05d}", name],
        )


def _recall(idx: mindex.VectorIndex, mat: np.ndarray, qs: np.ndarray) -> float:
    exact = mindex.VectorIndex([str(i) for i in range(len(mat))], mat, "exact")
    hits = 0
    for q in qs:
        keys, sims = idx.search_keys(q, 10)
        assert np.allclose(sims, mat[keys] @ q, atol=1e-5)  # the float rows are the new ones
        hits += len(set(keys.tolist()) & set(exact.search_keys(q, 10)[0].tolist()))
    return hits / (10 * len(qs))


GraphStore = Callable[[np.ndarray], tuple[Store, str]]


@pytest.fixture
def graph_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[GraphStore]:
    """A store of the given vectors where even a small index is an HNSW graph (closed after)."""
    monkeypatch.setattr(mindex, "USEARCH_MIN", 10)
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    opened: list[Store] = []

    def make(mat: np.ndarray) -> tuple[Store, str]:
        st, name = _vector_store(tmp_path / "u.duckdb", mat)
        opened.append(st)
        return st, name

    yield make
    mindex._mem.clear()
    for st in opened:
        st.close()


def test_a_saved_graph_takes_its_changed_vectors_in_place(
    graph_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day's re-embedded creators replace their own nodes of the saved HNSW graph (a rebuild
    takes minutes at 1M); searches then match an exact search over the new vectors."""
    monkeypatch.setattr(mindex, "RERANK_MIN", 64)
    mat = _clustered(3000, 48, 5)
    st, name = graph_store(mat)
    qs = _clustered(30, 48, 6)
    rng = np.random.default_rng(7)
    assert mindex.refresh(st, "default")["rebuilt"]
    # five rounds at the largest share updated in place, alternating a new process (the
    # graph read from its file) and this process (its index in memory)
    for round_ in range(5):
        if round_ % 2 == 0:
            mindex._mem.clear()
        held = mindex._mem.get((str(st.path), "default", name))
        before = held[1].search_keys(qs[0], 10) if held else None
        rows = rng.choice(len(mat), int(mindex.UPDATE_MAX * len(mat)), replace=False)
        _move(st, name, mat, rows, 100 + round_)
        got = mindex.refresh(st, "default")
        assert not got["rebuilt"] and got["updated"] == len(rows), got
        idx = mindex.get_index(st, "default")
        assert _recall(idx, mat, qs) >= 0.99
        for r in rows[:20].tolist():  # each moved creator is found at its new vector
            ids, sims = idx.search(mat[r], 1)
            assert ids == [f"c{r:05d}"] and sims[0] == pytest.approx(1.0, abs=1e-5)
        if held is not None and before is not None:  # the index serving is not changed under it
            again = held[1].search_keys(qs[0], 10)
            assert np.array_equal(again[0], before[0]) and np.array_equal(again[1], before[1])
    mindex._mem.clear()  # the files saved by the last update are current
    assert mindex.refresh(st, "default").get("restored")
    assert _recall(mindex.get_index(st, "default"), mat, qs) >= 0.99


def test_a_graph_is_rebuilt_when_its_positions_or_most_vectors_moved(
    graph_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    mat = _clustered(400, 32, 8)
    st, name = graph_store(mat)
    got = mindex.refresh(st, "default")
    rows_file = Path(str(got["path"])).with_suffix(".rows.npy")
    assert rows_file.exists()
    # more than UPDATE_MAX of the vectors moved: rebuilt
    mindex._mem.clear()
    _move(st, name, mat, np.arange(0, 400, 9), 1)  # 45 of 400
    assert mindex.refresh(st, "default")["rebuilt"]
    # a creator removed: every later position moved, so the graph's keys are wrong
    mindex._mem.clear()
    st.execute("DELETE FROM creator_embeddings WHERE creator_id = 'c00003'")
    keep = np.delete(np.arange(400), 3)
    assert mindex.refresh(st, "default")["rebuilt"]
    ids, _ = mindex.get_index(st, "default").search(mat[10], 1)
    assert ids == ["c00010"] and len(mindex.get_index(st, "default").ids) == len(keep)
    # a graph saved without its row hashes (older files) is rebuilt, not updated blindly
    mindex._mem.clear()
    rows_file.unlink()
    _move(st, name, mat, np.array([20]), 2)
    assert mindex.refresh(st, "default")["rebuilt"] and rows_file.exists()


@pytest.mark.parametrize("killed_at", [".f32.npy.", ".rows.npy."])
def test_an_update_cut_off_before_its_record_is_made_again(
    graph_store: GraphStore, monkeypatch: pytest.MonkeyPatch, killed_at: str
) -> None:
    """The row hashes are written last: files of a half-finished update are found out of step
    with the store by the next process and updated again, never served as current."""
    mat = _clustered(500, 32, 9)
    st, name = graph_store(mat)
    p = Path(str(mindex.refresh(st, "default")["path"]))
    old_rows = np.load(p.with_suffix(".rows.npy"))
    mindex._mem.clear()
    _move(st, name, mat, np.array([4, 40, 400]), 3)
    real_save = mindex._np_save

    def cut(path: Path, arr: np.ndarray) -> None:
        if path.name.startswith(".") and killed_at in path.name:
            raise KeyboardInterrupt  # killed while writing that file
        real_save(path, arr)

    monkeypatch.setattr(mindex, "_np_save", cut)
    with pytest.raises(KeyboardInterrupt):
        mindex.refresh(st, "default")
    monkeypatch.setattr(mindex, "_np_save", real_save)
    assert np.array_equal(np.load(p.with_suffix(".rows.npy")), old_rows)
    mindex._mem.clear()
    got = mindex.refresh(st, "default")
    assert got["updated"] == 3 and not got.get("restored")
    for r in (4, 40, 400):
        assert mindex.get_index(st, "default").search(mat[r], 1)[0] == [f"c{r:05d}"]


def test_files_newer_than_their_record_are_not_restored(
    graph_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that renamed new files into place and died before recording them leaves an
    older record beside them; when the store comes back to that record's vectors (a caption
    edited and edited back), the files are not taken for it."""
    mat = _clustered(300, 32, 10)
    st, name = graph_store(mat)
    mindex.refresh(st, "default")
    n, fp = mindex.fingerprint(st, "default", name)
    rows = mindex._rows(st, "default", name)[1]
    assert mindex._sums_to(rows, fp)  # the same total as DuckDB's sum of the hashes
    old = mat[[5]].copy()
    _move(st, name, mat, np.array([5]), 4)
    mindex._mem.clear()
    state = st.query("SELECT * FROM match_index_state")
    assert mindex.refresh(st, "default")["updated"] == 1  # files and record written
    with st.transaction(derived=True) as tx:  # the record put back, as if never written
        tx.execute("DELETE FROM match_index_state")
        tx.insert_rows("match_index_state", state)
    # the store back at the recorded vectors
    mat[5] = old[0]
    st.execute(
        "UPDATE creator_embeddings SET vector = ?, source_hash = 's5' WHERE creator_id = 'c00005'",
        [old[0].tolist()],
    )
    assert mindex.fingerprint(st, "default", name)[1] == fp
    mindex._mem.clear()
    loads: list[Path] = []
    load = mindex._load_graph
    monkeypatch.setattr(mindex, "_load_graph", lambda p, k: (loads.append(p), load(p, k))[1])
    got = mindex.refresh(st, "default")
    assert not got.get("restored") and got["rebuilt"]
    assert len(loads) == 1  # the saved graph is read once (it was read again as an update's base)
    ids, sims = mindex.get_index(st, "default").search(mat[5], 1)
    assert ids == ["c00005"] and sims[0] == pytest.approx(1.0, abs=1e-5)


def test_a_graph_saved_without_row_hashes_is_not_updated_from_older_ones(
    graph_store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A closeknit that saves no row hashes (an older version on the same store) leaves the
    last ones beside its graph: they describe another graph, so the next update rebuilds."""
    mat = _clustered(300, 32, 11)
    st, name = graph_store(mat)
    mindex.refresh(st, "default")
    old = mat[[7]].copy()
    _move(st, name, mat, np.array([7]), 5)
    mindex._mem.clear()
    real = mindex._save_graph

    def older(path: Path, idx: mindex.VectorIndex) -> None:  # graph and floats only
        idx._u.save(str(path))
        mindex._np_save(mindex._floats_path(path), idx._mat)

    monkeypatch.setattr(mindex, "_save_graph", older)
    mindex.refresh(st, "default")  # the older code's save and record of the moved vector
    monkeypatch.setattr(mindex, "_save_graph", real)
    mat[7] = old[0]  # the store back where the row hashes beside the graph say it is
    st.execute(
        "UPDATE creator_embeddings SET vector = ?, source_hash = 's7' WHERE creator_id = 'c00007'",
        [old[0].tolist()],
    )
    mindex._mem.clear()
    got = mindex.refresh(st, "default")
    assert got["rebuilt"], got
    ids, sims = mindex.get_index(st, "default").search(mat[7], 1)
    assert ids == ["c00007"] and sims[0] == pytest.approx(1.0, abs=1e-5)
