"""Vector index over creator vectors, kept in step with the store.

Two kinds behind one ``search(q, k)``: ``exact`` (numpy float32 dot products) up to
``USEARCH_MIN`` vectors, where it is the faster of the two (measured: docs/discover.md), and
``usearch`` beyond: HNSW over int8-quantised vectors (cosine) proposes at least ``RERANK_MIN``
candidates, which are re-ranked by their exact float32 cosine, so the order returned is the
float order. The graph and the float vectors are saved beside the database file and the state
(row count and a fingerprint over creator ids and their source hashes) is recorded in
``match_index_state``; :func:`get_index` rebuilds when the store has moved on (a creator added,
removed, or re-embedded), so search never serves a stale index.
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


class VectorIndex:
    def __init__(self, ids: list[str], mat: np.ndarray, kind: str = "auto") -> None:
        self.ids = ids
        self.kind = kind if kind != "auto" else ("usearch" if len(ids) >= USEARCH_MIN else "exact")
        self.dim = mat.shape[1] if mat.ndim == 2 else 0
        # float32 rows in ``ids`` order: the exact search, or the re-ranking of HNSW candidates
        self._mat = np.ascontiguousarray(mat, dtype=np.float32)
        self._u: Any = None
        self.fp: str | None = None  # fingerprint of the vectors it was built from
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
        idx_saved = _restore(store, workspace, name, fp, n, kind)
        if idx_saved is not None:
            _mem[key] = (fp, idx_saved)
            return {"model": name, "kind": "usearch", "n_vectors": n, "rebuilt": False,
                    "restored": True}  # fmt: skip
        ids, mat = creator_matrix(store, workspace, model)
        idx = VectorIndex(ids, mat, kind)
        idx.fp = fp
        _mem[key] = (fp, idx)
        if ck is not None and idx.kind == "exact":
            _persist(store, workspace, name, ck, idx)
    path = None
    if idx.kind == "usearch" and str(store.path) != ":memory:":
        p = Path(str(store.path) + ".index") / f"{workspace}-{name}.usearch"
        p.parent.mkdir(parents=True, exist_ok=True)
        idx._u.save(str(p))
        _save_floats(p, idx._mat)
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


def _restore(
    store: Store, workspace: str, name: str, fp: str, n: int, kind: str
) -> VectorIndex | None:
    """The saved usearch file when its recorded fingerprint still matches the store.

    A new process would otherwise rebuild the HNSW graph (tens of minutes at 1M creators).
    """
    if kind not in ("auto", "usearch") or n < (USEARCH_MIN if kind == "auto" else 1):
        return None
    rec = store.query(
        "SELECT kind, fingerprint, path FROM match_index_state "
        "WHERE workspace_id = ? AND model = ?",
        [workspace, name],
    )
    if not rec or rec[0]["kind"] != "usearch" or rec[0]["fingerprint"] != fp:
        return None
    path = rec[0]["path"]
    if not path or not Path(path).exists():
        return None
    from usearch.index import Index

    u = Index.restore(path)
    if u is None or len(u) != n:
        return None
    floats = _load_floats(Path(path), n, int(u.ndim))
    if floats is None:
        return None
    u.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]  # usearch has a setter
    ids = [
        r["creator_id"]
        for r in store.query(
            "SELECT creator_id FROM creator_embeddings WHERE workspace_id = ? AND model = ? "
            "ORDER BY creator_id",
            [workspace, name],
        )
    ]
    idx = VectorIndex.__new__(VectorIndex)
    idx.ids, idx.kind, idx.dim = ids, "usearch", int(u.ndim)
    idx.ck = None
    idx._mat = floats
    idx._u = u
    idx.fp = fp
    return idx


def _floats_path(usearch_path: Path) -> Path:
    return usearch_path.with_suffix(".f32.npy")


def _save_floats(usearch_path: Path, mat: np.ndarray) -> None:
    """The float32 rows beside the graph: a restored index re-ranks without reading the store."""
    dst = _floats_path(usearch_path)
    tmp = dst.with_suffix(".tmp.npy")
    np.save(tmp, mat)
    tmp.replace(dst)


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
