"""Vector index over creator vectors, kept in step with the store.

Two kinds behind one ``search(q, k)``: ``exact`` (numpy float32 dot products) up to
``USEARCH_MIN`` vectors, where it is the faster of the two (measured: docs/discover.md), and
``usearch`` beyond: HNSW over int8-quantised vectors (cosine) proposes at least ``RERANK_MIN``
candidates, which are re-ranked by their exact float32 cosine, so the order returned is the
float order. The graph and the float vectors are saved beside the database file and the state
(row count and a fingerprint over creator ids and their source hashes) is recorded in
``match_index_state``; :func:`get_index` brings the index up to date when the store has moved
on, so search never serves a stale index: when the creators are the same ones and few vectors
moved (a day's new posts re-embed a few creators), the graph's changed vectors are replaced in
place; when a creator was added or removed, or many vectors moved, it is rebuilt.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.match.embed import get_embedder
from closeknit.match.vectors import creator_matrix, text_key
from closeknit.store import Store

# below this many vectors exact float search is faster than the HNSW graph's top 5,000 plus
# re-ranking (measured same run: 2.5x at 100k, 1.8x at 200k, 1.6x at 400k; the graph wins at
# 1M): docs/discover.md
USEARCH_MIN = 500_000
RERANK_MIN = 1000  # candidates the graph proposes for float re-ranking, at least
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 64
# above this share of changed vectors the graph is rebuilt instead of updated in place: each
# replaced node is re-linked from scratch, and a graph where most nodes were replaced is no
# longer the one whose recall was measured
UPDATE_MAX = 0.1


class VectorIndex:
    def __init__(self, ids: list[str], mat: np.ndarray, kind: str = "auto") -> None:
        self.ids = ids
        self.kind = kind if kind != "auto" else ("usearch" if len(ids) >= USEARCH_MIN else "exact")
        self.dim = mat.shape[1] if mat.ndim == 2 else 0
        # float32 rows in ``ids`` order: the exact search, or the re-ranking of HNSW candidates
        self._mat = np.ascontiguousarray(mat, dtype=np.float32)
        self._u: Any = None
        self.fp: str | None = None  # fingerprint of the vectors it was built from
        # per row: 64-bit hashes of the creator id and of id + source hash (a graph's rows,
        # compared with the store's to find the vectors that moved)
        self.rows: np.ndarray | None = None
        self.ck: str | None = None  # the persisted data version it is saved under, if any
        if self.kind == "usearch":
            self._u = build_usearch(self._mat)

    def search(self, q: np.ndarray, k: int) -> tuple[list[str], np.ndarray]:
        """Top ``k`` (creator_ids, cosine similarity), best first."""
        keys, sims = self.search_keys(q, k)
        return [self.ids[i] for i in keys], sims

    def search_keys(self, q: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` as (positions in ``ids``, cosine similarity), best first."""
        k = min(k, len(self.ids))
        if k <= 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        q = q.astype(np.float32)
        if self._u is not None:
            # int8 distances order near-ties wrongly (recall@10 0.94 at 1M): take more
            # candidates than asked and keep the best k by float cosine
            m = self._u.search(q, min(len(self.ids), max(k, RERANK_MIN)))
            cand = np.sort(np.asarray(m.keys, dtype=np.int64))  # sorted: sequential row reads
            with _one_blas_thread():
                sims = np.asarray(self._mat[cand] @ q, dtype=np.float32)
            top = np.argsort(-sims, kind="stable")[:k]
            return cand[top], sims[top]
        with _one_blas_thread():
            sims = self._mat @ q
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return top, sims[top]


_blas: Any = None


def _one_blas_thread() -> Any:
    """One BLAS thread for a query's matrix-vector product.

    The product is memory-bound: a second OpenBLAS thread saved no wall time and cost CPU
    (100k x 384, same run under load: 14.4 ms CPU p50 and 20.9 p95 with 2 threads, 10.8 and
    12.0 with 1). The controller is built once; entering a limit then costs ~0.05 ms.
    """
    global _blas
    if _blas is None:
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def build_usearch(mat: np.ndarray, threads: int = 0) -> Any:
    from usearch.index import Index

    u = Index(
        ndim=mat.shape[1],
        metric="cos",
        dtype="i8",
        connectivity=CONNECTIVITY,
        expansion_add=EXPANSION_ADD,
        expansion_search=EXPANSION_SEARCH,
    )
    u.add(np.arange(len(mat), dtype=np.int64), mat, threads=threads)
    return u


def exact_search(mat: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    sims = mat @ q
    top = np.argpartition(-sims, k - 1)[:k]
    return top[np.argsort(-sims[top])]


_lock = threading.Lock()
_mem: dict[tuple[str, str, str], tuple[str, VectorIndex]] = {}


def fingerprint(store: Store, workspace: str, model_name: str) -> tuple[int, str]:
    """(count, fingerprint) of the creator vectors: any id or source_hash change moves it.

    An order-free sum of 64-bit row hashes (one vectorised scan, no sort): md5 over the sorted,
    concatenated ids cost ~1 s per check at 1M creators, this a small fraction of that.
    """
    r = store.query(
        "SELECT count(*) AS n, coalesce(sum(hash(creator_id || ':' || coalesce(source_hash, ''))),"
        " 0) AS h, coalesce(sum(hash(creator_id) % 1000003), 0) AS h2 FROM creator_embeddings "
        "WHERE workspace_id = ? AND model = ?",
        [workspace, model_name],
    )[0]
    return int(r["n"]), f"v2:{int(r['n'])}:{int(r['h'])}:{int(r['h2'])}"


def is_stale(store: Store, workspace: str, model: str | None = None) -> bool:
    """True when the recorded index state no longer matches the store's creator vectors."""
    name = get_embedder(model).name
    n, fp = fingerprint(store, workspace, name)
    rec = store.query(
        "SELECT fingerprint FROM match_index_state WHERE workspace_id = ? AND model = ?",
        [workspace, name],
    )
    return not rec or rec[0]["fingerprint"] != fp


def refresh(
    store: Store, workspace: str, model: str | None = None, kind: str = "auto"
) -> dict[str, Any]:
    """(Re)build the workspace's index if the store changed; returns its state."""
    from closeknit.match import persist

    name = get_embedder(model).name
    key = (str(store.path), workspace, name)
    # After a full vector refresh at this version of the documents the vectors cannot change
    # until a document does, so the exact index saved for it is current without the
    # fingerprint scan and the read of every vector (closeknit.match.persist).
    ck = text_key(store, workspace) if kind in ("auto", "exact") else None
    if ck is not None and persist.vectors_fresh(store, workspace, name, ck) is None:
        ck = None
    if ck is not None:
        cur = _mem.get(key)
        if cur is not None and cur[1].ck == ck:
            idx = cur[1]
            return {"model": name, "kind": idx.kind, "n_vectors": len(idx.ids), "rebuilt": False}
        got = _load_persisted(store, workspace, name, ck)
        if got is not None:
            with _lock:
                _mem[key] = (got.fp or "", got)
            return {"model": name, "kind": got.kind, "n_vectors": len(got.ids), "rebuilt": False,
                    "restored": True}  # fmt: skip
    n, fp = fingerprint(store, workspace, name)
    with _lock:
        cur = _mem.get(key)
        if cur is not None and cur[0] == fp:
            idx = cur[1]
            if ck is not None and idx.kind == "exact" and idx.ck != ck:
                _persist(store, workspace, name, ck, idx)
            return {"model": name, "kind": idx.kind, "n_vectors": len(idx.ids), "rebuilt": False}
        graph = kind in ("auto", "usearch") and n >= (USEARCH_MIN if kind == "auto" else 1)
        rec = _saved_record(store, workspace, name) if graph else None
        serving = cur is not None and cur[1].kind == "usearch"
        # the saved graph, read once (GBs at 1M creators): restored as it is when it is the
        # store's state, else the base of an update unless this process serves a graph already
        saved = (
            _load_graph(rec[1], n) if rec is not None and (rec[0] == fp or not serving) else None
        )
        # files renamed into place by a process that died before recording them can sit under
        # an older record: their row hashes must add up to the recorded fingerprint
        if (
            rec is not None
            and rec[0] == fp
            and saved is not None
            and (saved[2] is None or _sums_to(saved[2], fp))
        ):
            _mem[key] = (fp, _open(saved, _ids(store, workspace, name), fp))
            return {"model": name, "kind": "usearch", "n_vectors": n, "rebuilt": False,
                    "restored": True}  # fmt: skip
        rows = _rows(store, workspace, name) if graph else None
        base, private = None, False
        if rows is not None:
            if cur is not None and serving:
                base = cur[1]  # this process's index: it may be serving searches
            elif rec is not None and saved is not None:
                base, private = _open(saved, rows[0], rec[0]), True
                if base.rows is not None and not _sums_to(base.rows, rec[0]):
                    # row hashes that do not add up to the record do not describe the graph
                    # beside them (saved by a closeknit that writes none, or by a process that
                    # died before recording its files): rebuilt, not updated from them
                    base.rows = None
        updated = None
        if base is not None and rows is not None:
            updated = _update(store, workspace, model, base, rows, private)
        if updated is not None:
            idx, changed = updated
        else:
            changed = -1
            ids, mat = creator_matrix(store, workspace, model)
            idx = VectorIndex(ids, mat, kind)
            if rows is not None and rows[0] == ids:
                idx.rows = rows[1]
        idx.fp = fp
        _mem[key] = (fp, idx)
        if ck is not None and idx.kind == "exact":
            _persist(store, workspace, name, ck, idx)
    path = None
    # a read-only process cannot record the state: files newer than the record could be taken
    # for the recorded vectors by a later process, so it keeps its index in memory only
    if idx.kind == "usearch" and str(store.path) != ":memory:" and not store.read_only:
        p = Path(str(store.path) + ".index") / f"{workspace}-{name}.usearch"
        p.parent.mkdir(parents=True, exist_ok=True)
        _save_graph(p, idx)
        path = str(p)
    if not store.read_only:
        with store.transaction(derived=True) as tx:
            tx.execute(
                "DELETE FROM match_index_state WHERE workspace_id = ? AND model = ?",
                [workspace, name],
            )
            tx.execute(
                "INSERT INTO match_index_state (workspace_id, model, kind, n_vectors, "
                "fingerprint, path) VALUES (?, ?, ?, ?, ?, ?)",
                [workspace, name, idx.kind, n, fp, path],
            )
    if changed >= 0:  # the saved graph with its changed vectors replaced
        return {"model": name, "kind": idx.kind, "n_vectors": n, "rebuilt": False,
                "updated": changed, "path": path}  # fmt: skip
    return {"model": name, "kind": idx.kind, "n_vectors": n, "rebuilt": True, "path": path}


def _persist(store: Store, workspace: str, name: str, ck: str, idx: VectorIndex) -> None:
    from closeknit.match import persist

    meta = {"ids": np.array(idx.ids, dtype=object), "fp": np.array([idx.fp or ""], dtype=object)}
    persist.save_matrix(store, workspace, f"vectors-{name}", ck, idx._mat)
    persist.save(store, workspace, f"index-{name}", ck, meta)
    idx.ck = ck


def _load_persisted(store: Store, workspace: str, name: str, ck: str) -> VectorIndex | None:
    from closeknit.match import persist

    meta = persist.load(store, workspace, f"index-{name}", ck)
    mat = persist.load_matrix(store, workspace, f"vectors-{name}", ck)
    if meta is None or mat is None or len(meta["ids"]) != len(mat) or len(mat) >= USEARCH_MIN:
        return None
    idx = VectorIndex(meta["ids"].tolist(), mat, "exact")
    idx.fp = str(meta["fp"][0]) or None
    idx.ck = ck
    return idx


def _saved_record(store: Store, workspace: str, name: str) -> tuple[str, Path] | None:
    """(fingerprint, path) of the usearch file recorded for the workspace, if any."""
    rec = store.query(
        "SELECT kind, fingerprint, path FROM match_index_state "
        "WHERE workspace_id = ? AND model = ?",
        [workspace, name],
    )
    if not rec or rec[0]["kind"] != "usearch" or not rec[0]["path"]:
        return None
    return str(rec[0]["fingerprint"]), Path(rec[0]["path"])


def _load_graph(path: Path, n: int) -> tuple[Any, np.ndarray, np.ndarray | None] | None:
    """(graph, float rows, row hashes) saved at ``path``; None unless it holds ``n`` vectors
    and its float rows. A new process would otherwise rebuild the HNSW graph (3.5 minutes for
    the 1M world's hash vectors, 45 for MiniLM-like ones under load: docs/discover.md)."""
    if not path.exists():
        return None
    from usearch.index import Index

    u = Index.restore(str(path))
    if u is None or len(u) != n:
        return None
    floats = _load_floats(path, n, int(u.ndim))
    if floats is None:
        return None
    u.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]  # usearch has a setter
    return u, floats, _load_rows(path, n)


def _open(saved: tuple[Any, np.ndarray, np.ndarray | None], ids: list[str], fp: str) -> VectorIndex:
    idx = VectorIndex.__new__(VectorIndex)
    u, floats, rows = saved
    idx.ids, idx.kind, idx.dim = ids, "usearch", int(u.ndim)
    idx.ck = None
    idx._mat = floats
    idx._u = u
    idx.fp = fp
    idx.rows = rows
    return idx


def _ids(store: Store, workspace: str, name: str) -> list[str]:
    t = store.arrow(
        "SELECT creator_id FROM creator_embeddings WHERE workspace_id = ? AND model = ? "
        "ORDER BY creator_id",
        [workspace, name],
    )
    ids: list[str] = t.column("creator_id").to_pylist()
    return ids


def _rows(store: Store, workspace: str, name: str) -> tuple[list[str], np.ndarray]:
    """The store's creator ids and, per row, the 64-bit hashes of the id and of id + source
    hash (the fingerprint's terms), ordered by id."""
    t = store.arrow(
        "SELECT creator_id, hash(creator_id) AS k, "
        "hash(creator_id || ':' || coalesce(source_hash, '')) AS h FROM creator_embeddings "
        "WHERE workspace_id = ? AND model = ? ORDER BY creator_id",
        [workspace, name],
    )
    rows = np.stack([t.column(c).to_numpy().astype(np.uint64) for c in ("k", "h")])
    return t.column("creator_id").to_pylist(), rows


def _sums_to(rows: np.ndarray, fp: str) -> bool:
    """Whether the row hashes sum to the fingerprint's hash total (exactly, as DuckDB's sum)."""
    h = rows[1]
    total = int((h >> np.uint64(32)).sum(dtype=np.uint64)) * 2**32
    total += int((h & np.uint64(0xFFFFFFFF)).sum(dtype=np.uint64))
    return fp.split(":")[2] == str(total)


def _update(
    store: Store,
    workspace: str,
    model: str | None,
    base: VectorIndex,
    rows: tuple[list[str], np.ndarray],
    private: bool,
) -> tuple[VectorIndex, int] | None:
    """``base`` with the vectors whose source moved replaced, when it holds the same creators
    and at most ``UPDATE_MAX`` of them moved; None otherwise (the graph is rebuilt).

    Unless ``private`` (opened from the file for this update), the graph is copied first, as
    it may be serving searches; the float rows are always copied: an index in use is never
    changed under a search.
    """
    ids, now = rows
    if base._u is None or base.rows is None:
        return None
    if base.rows.shape != now.shape or not np.array_equal(base.rows[0], now[0]):
        return None  # a creator added or removed: the positions (the graph's keys) moved
    changed = np.flatnonzero(base.rows[1] != now[1])
    if len(changed) > UPDATE_MAX * len(ids):
        return None
    u = base._u if private else base._u.copy()
    mat = np.array(base._mat, dtype=np.float32)  # a private, writable copy of the float rows
    if len(changed):
        got, vecs = creator_matrix(store, workspace, model, only=[ids[i] for i in changed])
        if got != [ids[i] for i in changed]:
            return None  # the store moved while it was read: rebuild from one read
        keys = changed.astype(np.int64)
        u.remove(keys)
        u.add(keys, vecs)
        mat[changed] = vecs
    idx = VectorIndex.__new__(VectorIndex)
    idx.ids, idx.kind, idx.dim = ids, "usearch", base.dim
    idx.ck = None
    idx._mat = mat
    idx._u = u
    idx.fp = None
    idx.rows = now
    return idx, int(len(changed))


def _floats_path(usearch_path: Path) -> Path:
    return usearch_path.with_suffix(".f32.npy")


def _rows_path(usearch_path: Path) -> Path:
    return usearch_path.with_suffix(".rows.npy")


def _save_graph(path: Path, idx: VectorIndex) -> None:
    """The graph, its float32 rows (a restored index re-ranks without reading the store) and
    its row hashes (an update finds the vectors that moved), each written to a temporary file
    and renamed over the old one. The row hashes go last: after a crash between the renames they
    still name the rows the older files hold, or the rows are found changed and written again."""
    import os

    def put(dst: Path, write: Any) -> None:
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
        write(tmp)
        tmp.replace(dst)

    rows = _rows_path(path)
    if idx.rows is None:
        rows.unlink(missing_ok=True)  # rows of an older graph must not describe this one
    put(path, lambda t: idx._u.save(str(t)))
    put(_floats_path(path), lambda t: _np_save(t, idx._mat))
    if idx.rows is not None:
        put(rows, lambda t: _np_save(t, idx.rows))


def _np_save(path: Path, arr: np.ndarray) -> None:
    with open(path, "wb") as f:  # a file object: np.save would add ".npy" to the name
        np.save(f, arr)


def _load_rows(usearch_path: Path, n: int) -> np.ndarray | None:
    p = _rows_path(usearch_path)
    if not p.exists():
        return None
    rows = np.load(p)
    return rows if rows.shape == (2, n) and rows.dtype == np.uint64 else None


def _load_floats(usearch_path: Path, n: int, dim: int) -> np.ndarray | None:
    p = _floats_path(usearch_path)
    if not p.exists():
        return None
    mat = np.load(p, mmap_mode="r")  # re-ranking touches only the candidates' rows
    return mat if mat.shape == (n, dim) and mat.dtype == np.float32 else None


_checked: dict[tuple[str, str, str], float] = {}
_cost: dict[tuple[str, str, str], float] = {}  # seconds the last check took
CHECK_BUDGET = 20.0


def get_index(
    store: Store, workspace: str, model: str | None = None, max_age_s: float = 2.0
) -> VectorIndex:
    """The current index for the workspace, rebuilt first if the store moved on.

    The fingerprint (a scan of every creator vector's id and hash) is re-checked at most every
    ``max_age_s`` seconds, so a burst of queries pays for it once.
    """
    import time

    name = get_embedder(model).name
    key = (str(store.path), workspace, name)
    # a trusted window also grows to CHECK_BUDGET x the last check's duration, so on a large
    # workspace (a fingerprint scan of 1M rows) checks take at most ~1/CHECK_BUDGET of the time
    window = max(max_age_s, CHECK_BUDGET * _cost.get(key, 0.0)) if max_age_s > 0 else 0.0
    if key in _mem and time.monotonic() - _checked.get(key, 0.0) < window:
        return _mem[key][1]
    t0 = time.monotonic()
    refresh(store, workspace, model)
    _checked[key] = time.monotonic()
    _cost[key] = _checked[key] - t0
    return _mem[key][1]
