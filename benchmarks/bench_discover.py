"""Vector search for discover at scale: usearch HNSW (int8) vs exact numpy brute force.

Synthetic vectors (NOT real creators): N unit vectors in 384 dims (MiniLM's size) around 30
"niche" centres, varying within each cluster along a shared 24-dim subspace plus a little
isotropic noise (sentence embeddings have a low intrinsic dimension; pure 384-dim Gaussian noise
would make every neighbour equally far). Queries are fresh draws from the same mixture.
Reports build time, warm per-query latency p50/p95 for both searches in the same run, the speed
ratio and the index's recall@10 against exact search.

    nice -n 15 .venv/bin/python benchmarks/bench_discover.py --n 1000000 --queries 200

Optionally ``--store DB --brief TEXT`` also times the whole ``discover()`` (warm) on a real store.

Scale mode (the product's own index and ``discover()`` on a 1M-creator store; LATENCY, not
quality — the store repeats a real store's creators, see :func:`build_scale_store`):

    nice -n 15 .venv/bin/python benchmarks/bench_discover.py --store DEMO.duckdb \
        --make-store /tmp/m1.duckdb --replicas 2000                      # 500 creators x 2000
    nice -n 15 .venv/bin/python benchmarks/bench_discover.py --build-index /tmp/m1.duckdb \
        --expansion-add 64                   # closeknit.match.index.refresh, saved beside it
    nice -n 15 .venv/bin/python benchmarks/bench_discover.py --scale /tmp/m1.duckdb \
        --queries 100 --rounds 10 --json out.json

``--scale`` restores the saved index, times exact numpy search over the same vectors and the
index (recall@10 against exact), then the whole ``discover()`` warm over 10 briefs; with
``--http`` it then serves the store (``closeknit serve``) and times ``POST /api/v1/discover``.

Crossover mode (which kind the product should use at each size): for each N, exact float search
(the baseline) and the product's HNSW index with float re-ranking, both at k = 10 and k = 5,000,
recall@10 against exact, and the kind the product picks (``index.USEARCH_MIN``):

    nice -n 10 .venv/bin/python benchmarks/bench_discover.py --sizes 100000,200000 --queries 100
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from typing import Any

import numpy as np


def synthetic(n: int, dim: int, seed: int = 0, centres: int = 30) -> np.ndarray:
    base = np.random.default_rng(12345)  # centres and subspace are shared by data and queries
    c = base.standard_normal((centres, dim)).astype(np.float32) / np.sqrt(dim)
    sub = base.standard_normal((24, dim)).astype(np.float32) / np.sqrt(dim)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), np.float32)
    step = 100_000
    for s in range(0, n, step):
        k = min(step, n - s)
        lab = rng.integers(0, centres, k)
        z = rng.standard_normal((k, 24)).astype(np.float32) * 0.35
        noise = rng.standard_normal((k, dim)).astype(np.float32) * (0.08 / np.sqrt(dim))
        out[s : s + k] = c[lab] + z @ sub + noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def build_scale_store(src: str, out: str, replicas: int, ws: str = "default") -> dict[str, Any]:
    """A large store for LATENCY (not quality): ``src``'s creators repeated ``replicas`` times.

    Copy k (k >= 1) of creator C gets id ``C~rk`` and handle ``<handle>_rk``; its creators,
    creator_features, audience_demographics and creator_niche rows are C's. Posts are NOT
    repeated (they stay with the originals). Every creator_embeddings row (originals included)
    gets a synthetic 384-dim vector from :func:`synthetic` and the md5 of the creator's own
    document as source_hash, so the product sees the vectors as current and embeds nothing.
    """
    import shutil

    import pyarrow as pa

    from closeknit.match.vectors import creator_document, creator_texts, md5
    from closeknit.store import open_store

    t0 = time.perf_counter()
    shutil.copyfile(src, out)
    st = open_store(out)
    model = str(st.scalar("SELECT any_value(model) FROM creator_embeddings WHERE workspace_id = ?",
                          [ws]))  # fmt: skip
    texts = creator_texts(st, ws)
    own = {c: md5(creator_document(b, [t for _, t in ps])) for c, (b, ps) in texts.items()}
    bare = {c: md5(creator_document(b, [])) for c, (b, _) in texts.items()}  # copies: no posts
    rng = "range(1, ?) t(k)"
    with st.transaction() as tx:
        tx.execute(
            "INSERT INTO creators SELECT c.* REPLACE (creator_id || '~r' || k AS creator_id,"
            f" handle || '_r' || k AS handle) FROM creators c, {rng} "
            "WHERE workspace_id = ?",
            [replicas, ws],
        )
        tx.execute(
            "INSERT INTO creator_features SELECT c.* REPLACE (creator_id || '~r' || k AS"
            " creator_id,"
            f" handle || '_r' || k AS handle) FROM creator_features c, {rng} "
            "WHERE workspace_id = ?",
            [replicas, ws],
        )
        tx.execute(
            "INSERT INTO audience_demographics SELECT c.* REPLACE (creator_id || '~r' || k AS"
            f" creator_id) FROM audience_demographics c, {rng} WHERE workspace_id = ?",
            [replicas, ws],
        )
        tx.execute(
            "INSERT INTO creator_niche SELECT c.* REPLACE (creator_id || '~r' || k AS"
            f" creator_id) FROM creator_niche c, {rng} WHERE workspace_id = ?",
            [replicas, ws],
        )
        tx.execute("DELETE FROM creator_embeddings WHERE workspace_id = ?", [ws])
        tx.execute("DELETE FROM match_index_state WHERE workspace_id = ?", [ws])
    q = "SELECT creator_id FROM creators WHERE workspace_id = ? ORDER BY creator_id"
    ids = [r["creator_id"] for r in st.query(q, [ws])]
    vecs = synthetic(len(ids), 384, seed=7)
    step = 100_000
    for s in range(0, len(ids), step):
        part = ids[s : s + step]
        hashes = [own[c] if c in own else bare[c.split("~r")[0]] for c in part]
        m = vecs[s : s + step]
        offs = pa.array(np.arange(0, (len(part) + 1) * 384, 384, dtype=np.int32))
        with st.transaction() as tx:
            tx.insert_arrow(
                "creator_embeddings",
                pa.table({
                    "workspace_id": [ws] * len(part), "creator_id": part,
                    "model": [model] * len(part),
                    "vector": pa.ListArray.from_arrays(offs, pa.array(m.ravel())),
                    "n_texts": pa.array([1] * len(part), pa.int32()), "source_hash": hashes,
                }),
            )  # fmt: skip
    st.checkpoint()
    n = st.count("creators", ws)
    st.close()
    return {"creators": n, "model": model, "build_store_s": round(time.perf_counter() - t0, 1)}


def _index_options(a: argparse.Namespace) -> dict[str, int]:
    from closeknit.match import index

    if a.connectivity:
        index.CONNECTIVITY = a.connectivity
    if a.expansion_add:
        index.EXPANSION_ADD = a.expansion_add
    return {"connectivity": index.CONNECTIVITY, "expansion_add": index.EXPANSION_ADD,
            "expansion_search": index.EXPANSION_SEARCH}  # fmt: skip


def build_product_index(a: argparse.Namespace) -> dict[str, Any]:
    """Build (and save beside the store) the product's index: ``closeknit.match.index.refresh``."""
    import resource

    from closeknit.match import index
    from closeknit.store import open_store

    opts = _index_options(a)
    st = open_store(a.build_index)
    t0 = time.perf_counter()
    state = index.refresh(st, "default")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {**state, **opts, "build_s": round(time.perf_counter() - t0, 1),
           "load_avg": os.getloadavg(), "peak_rss_mb": round(rss, 1)}  # fmt: skip
    st.close()
    return out


BRIEFS = [
    "sports clothing for home-workout fans, UK, 18-25, budget 5,000",
    "vegan recipes and meal prep",
    "skincare for women aged 25 to 34 in the US",
    "gaming headsets for streamers",
    "travel backpacks, budget 800",
    "protein snacks for gym-goers in the US",
    "sustainable fashion for students in Spain",
    "baby products for new moms",
    "budget travel tips, micro creators",
    "home coffee gear for remote workers, UK",
]


def _rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _stats(ts: list[float]) -> dict[str, float]:
    return {"p50_ms": round(pct(ts, 50), 2), "p95_ms": round(pct(ts, 95), 2),
            "max_ms": round(max(ts) * 1000, 2), "n": len(ts)}  # fmt: skip


def scale_run(a: argparse.Namespace) -> dict[str, Any]:
    """On a scale store: exact vs the product index (restored from its file), then discover()."""
    from closeknit.match import discover, parse_brief
    from closeknit.match import index as mindex
    from closeknit.match.candidates import get_table
    from closeknit.match.rank import encode_query
    from closeknit.match.vectors import creator_matrix
    from closeknit.store import open_store

    res: dict[str, Any] = {
        "store": a.scale,
        "machine": f"{platform.machine()}, {os.cpu_count()} vCPU (shared with other work)",
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }
    st = open_store(a.scale)
    res["creators"] = st.count("creators", "default")
    t0 = time.perf_counter()
    ids, mat = creator_matrix(st, "default")
    res["read_vectors_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    idx = mindex.get_index(st, "default")
    took = round(time.perf_counter() - t0, 1)
    res["index"] = {"kind": idx.kind, "n": len(idx.ids), "restored_s": took,
                    "expansion_search": mindex.EXPANSION_SEARCH}  # fmt: skip
    assert idx.ids == ids, "index and vectors disagree on the creator order"
    qs = synthetic(a.queries, mat.shape[1], seed=1)  # same mixture as the stored vectors
    k = a.k
    exact_t: list[float] = []
    truth: list[set[int]] = []
    mat @ qs[0]
    for q in qs:
        t = time.perf_counter()
        s = mat @ q
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top])]
        exact_t.append(time.perf_counter() - t)
        truth.append(set(top.tolist()))
    res["exact"] = _stats(exact_t)
    print("exact", res["exact"], flush=True)
    pos = {c: i for i, c in enumerate(ids)}
    res["index_search"] = {}
    for kk in (k, 5000):
        idx.search(qs[0], kk)
        ts: list[float] = []
        hits = 0
        for q, tr in zip(qs, truth, strict=True):
            t = time.perf_counter()
            got, _ = idx.search(q, kk)
            ts.append(time.perf_counter() - t)
            hits += len({pos[c] for c in got[:k]} & tr)
        r = {**_stats(ts), f"recall@{k}": round(hits / (k * len(qs)), 4),
             "speedup_p50_vs_exact": round(pct(exact_t, 50) / pct(ts, 50), 1)}  # fmt: skip
        res["index_search"][f"k={kk}"] = r
        print("index k", kk, r, flush=True)
    if a.recall_only:
        # recall of a plain k-NN search at other ef_search values (the product uses 64)
        for ef in a.expansion:
            idx._u.expansion_search = ef
            ts, hits = [], 0
            for q, tr in zip(qs, truth, strict=True):
                t = time.perf_counter()
                got, _ = idx.search(q, k)
                ts.append(time.perf_counter() - t)
                hits += len({pos[c] for c in got} & tr)
            res["index_search"][f"k={k}, ef_search={ef}"] = {
                **_stats(ts), f"recall@{k}": round(hits / (k * len(qs)), 4)}  # fmt: skip
            print("ef", ef, res["index_search"][f"k={k}, ef_search={ef}"], flush=True)
        idx._u.expansion_search = mindex.EXPANSION_SEARCH
        return res
    del mat
    res["rss_after_search_mb"] = _rss_mb()
    # the whole discover(): first calls pay the one-off loads (vector freshness scan, candidate
    # table); then warm rounds over BRIEFS
    t0 = time.perf_counter()
    b0 = parse_brief(BRIEFS[0])
    discover(st, "default", b0, 20)
    res["discover_first_call_s"] = round(time.perf_counter() - t0, 1)
    res["candidate_table_build_s"] = round(get_table(st, "default").built_s, 1)
    briefs = [parse_brief(t) for t in BRIEFS]
    for b in briefs:
        discover(st, "default", b, 20)
    from closeknit.match import rank

    tops: dict[int, list[list[str]]] = {}
    for cands in (rank.INDEX_CANDIDATES, 1000):
        rank.INDEX_CANDIDATES = cands
        ts, cpu = [], []
        tops[cands] = []
        for i in range(a.rounds):
            for b in briefs:
                t, c = time.perf_counter(), time.process_time()
                r = discover(st, "default", b, 20)
                ts.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
                if i == 0:
                    tops[cands].append([m.creator_id for m in r.matches])
        res[f"discover_warm_candidates={cands}"] = {
            **_stats(ts), "cpu_p50_ms": round(pct(cpu, 50), 2),
            "cpu_p95_ms": round(pct(cpu, 95), 2), "briefs": len(briefs), "limit": 20,
        }  # fmt: skip
        print("discover", cands, res[f"discover_warm_candidates={cands}"], flush=True)
    a5, a1 = tops[5000], tops[1000]
    res["top20_overlap_1000_vs_5000"] = round(
        float(
            np.mean([len(set(x) & set(y)) / max(1, len(x)) for x, y in zip(a5, a1, strict=True)])
        ),
        3,
    )
    rank.INDEX_CANDIDATES = 5000
    from closeknit.match.embed import get_embedder

    emb = get_embedder(None)
    ts = []
    for i in range(20):
        t = time.perf_counter()
        encode_query(emb, f"fresh brief text number {i} about running shoes")
        ts.append(time.perf_counter() - t)
    res["brief_encode_uncached"] = _stats(ts)
    res["peak_rss_mb"] = _rss_mb()
    res["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    st.close()
    return res


def crossover(a: argparse.Namespace) -> dict[str, Any]:
    """Exact float search vs the product's HNSW + float re-ranking, per size, same run."""
    from closeknit.match import index as mindex

    res: dict[str, Any] = {
        "vectors": "synthetic (30-centre mixture, unit norm, 384 dims)",
        "machine": f"{platform.machine()}, {os.cpu_count()} vCPU (shared with other work)",
        "usearch_min": mindex.USEARCH_MIN, "rerank_min": mindex.RERANK_MIN,
        "connectivity": mindex.CONNECTIVITY, "expansion_add": mindex.EXPANSION_ADD,
        "expansion_search": mindex.EXPANSION_SEARCH, "sizes": {},
    }  # fmt: skip
    qs = synthetic(a.queries, 384, seed=1)
    for n in [int(x) for x in a.sizes.split(",")]:
        mat = synthetic(n, 384)
        ids = [str(i) for i in range(n)]
        r: dict[str, Any] = {"product_kind": "usearch" if n >= mindex.USEARCH_MIN else "exact"}
        exact = mindex.VectorIndex(ids, mat, "exact")
        truth = [set(exact.search_keys(q, 10)[0].tolist()) for q in qs]
        t0 = time.perf_counter()
        hnsw = mindex.VectorIndex(ids, mat, "usearch")
        r["usearch_build_s"] = round(time.perf_counter() - t0, 1)
        r["load_avg"] = [round(x, 2) for x in os.getloadavg()]
        for k in (10, 5000):
            for name, idx in (("exact", exact), ("usearch+rerank", hnsw)):
                idx.search_keys(qs[0], k)
                ts, hits = [], 0
                for q, tr in zip(qs, truth, strict=True):
                    t = time.perf_counter()
                    keys, _ = idx.search_keys(q, k)
                    ts.append(time.perf_counter() - t)
                    hits += len(set(keys[:10].tolist()) & tr)
                r[f"{name} k={k}"] = {**_stats(ts), "recall@10": round(hits / (10 * len(qs)), 4)}
            r[f"exact vs usearch p50 ratio k={k}"] = round(
                r[f"usearch+rerank k={k}"]["p50_ms"] / r[f"exact k={k}"]["p50_ms"], 2
            )
        res["sizes"][str(n)] = r
        print(n, json.dumps(r), flush=True)
        del exact, hnsw, mat
    return res


def http_run(a: argparse.Namespace) -> dict[str, Any]:
    """``POST /api/v1/discover`` against ``closeknit serve`` on the scale store, one at a time.

    With ``--http-usearch-min N`` a second server runs beside it on a copy of the store, its
    index forced to HNSW from N vectors on (the previous product setting was 50,000); the two
    are sent the same briefs alternately, so both are timed under the same machine load.
    """
    import shutil

    from closeknit.match import index as mindex
    from closeknit.service import accounts
    from closeknit.store import open_store

    st = open_store(a.scale)
    _, key = accounts.create_key(st, "default", name="bench-discover", role="viewer")
    n = st.count("creators", "default")
    st.close()
    res: dict[str, Any] = {"creators": n, "load_avg_start": [round(x, 2) for x in os.getloadavg()]}
    runs = [("product", a.scale, mindex.USEARCH_MIN)]
    if a.http_usearch_min:
        copy = a.scale + ".hnsw.duckdb"
        for ext in ("", ".wal"):  # the store is closed: copy it with its log, drop a stale one
            if os.path.exists(a.scale + ext):
                shutil.copyfile(a.scale + ext, copy + ext)
            elif os.path.exists(copy + ext):
                os.remove(copy + ext)
        runs.append((f"usearch from {a.http_usearch_min}", copy, a.http_usearch_min))
    servers: list[_Server] = []
    try:
        for _, db, umin in runs:
            servers.append(_Server(db, umin, key))
        for (label, _, umin), srv in zip(runs, servers, strict=True):
            t0 = time.perf_counter()
            srv.post(BRIEFS[0])
            res[label] = {
                "usearch_min": umin,
                "first_request_s": round(time.perf_counter() - t0, 1),
            }
            for b in BRIEFS:  # each brief once: its vector is memoised as for a repeated query
                srv.post(b)
        times: dict[str, list[float]] = {label: [] for label, _, _ in runs}
        tops: dict[str, list[list[str]]] = {label: [] for label, _, _ in runs}
        cpu0 = [srv.cpu_s() for srv in servers]
        for i in range(a.rounds):
            for b in BRIEFS:
                for (label, _, _), srv in zip(runs, servers, strict=True):
                    t = time.perf_counter()
                    body = srv.post(b)
                    times[label].append(time.perf_counter() - t)
                    if i == 0:
                        tops[label].append([x["creator_id"] for x in body.get("results", [])])
        for (label, _, _), srv, c0 in zip(runs, servers, cpu0, strict=True):
            res[label]["post_discover_warm"] = _stats(times[label])
            # the server process's own CPU per request (all threads), whatever the machine load
            res[label]["server_cpu_ms_per_request"] = round(
                1000 * (srv.cpu_s() - c0) / len(times[label]), 1
            )
        if len(runs) == 2:
            x, y = tops[runs[0][0]], tops[runs[1][0]]
            res["top20_overlap"] = round(
                float(
                    np.mean(
                        [len(set(p) & set(q)) / max(1, len(p)) for p, q in zip(x, y, strict=True)]
                    )
                ),
                3,
            )
        ts: list[float] = []
        for _ in range(a.rounds * len(BRIEFS)):
            t = time.perf_counter()
            servers[0].health()
            ts.append(time.perf_counter() - t)
        res["health_baseline"] = _stats(ts)
    finally:
        for srv in servers:
            srv.stop()
    res["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    return res


class _Server:
    """``closeknit serve`` on ``db`` in a subprocess, its index kind set by ``usearch_min``."""

    def __init__(self, db: str, usearch_min: int, key: str) -> None:
        import socket
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        import httpx

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        self.log = Path(tempfile.mkdtemp(prefix="bench-discover-")) / "server.log"
        boot = (
            "import sys; import closeknit.match.index as i; i.USEARCH_MIN = int(sys.argv.pop(1));"
            " from closeknit.cli import main; main()"
        )
        cmd = [sys.executable, "-c", boot, str(usearch_min), "serve", "--db", db,
               "--port", str(port), "--log-level", "warning"]  # fmt: skip
        with self.log.open("wb") as fh:
            self.proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.terminate()
                raise SystemExit(self.log.read_text()[-2000:])
            time.sleep(0.3)
        headers = {"Authorization": f"Bearer {key}"}
        self.client = httpx.Client(base_url=base, timeout=3600, headers=headers)

    def post(self, text: str) -> dict[str, Any]:
        r = self.client.post("/api/v1/discover", json={"text": text, "limit": 20})
        r.raise_for_status()
        body: dict[str, Any] = r.json()
        return body

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the server process has used so far (Linux /proc)."""
        fields = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def health(self) -> None:
        self.client.get("/health").raise_for_status()

    def stop(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(timeout=30)


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.array(xs) * 1000, p))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2, help="threads for the index build")
    ap.add_argument("--expansion", type=int, nargs="*", default=[64, 128])
    ap.add_argument("--store", default=None)
    ap.add_argument("--brief", default="sports clothing for home-workout fans, UK, 18-25")
    ap.add_argument("--json", default=None)
    ap.add_argument("--make-store", default=None, help="write a scale store here (from --store)")
    ap.add_argument("--replicas", type=int, default=2000)
    ap.add_argument("--build-index", default=None, help="build the product index of this store")
    ap.add_argument("--connectivity", type=int, default=None)
    ap.add_argument("--expansion-add", type=int, default=None)
    ap.add_argument("--scale", default=None, help="time a scale store (see --make-store)")
    ap.add_argument("--rounds", type=int, default=10, help="--scale: discover rounds over BRIEFS")
    ap.add_argument("--recall-only", action="store_true", help="--scale: stop after the searches")
    ap.add_argument("--http", action="store_true", help="--scale: only time POST /api/v1/discover")
    ap.add_argument(
        "--http-usearch-min",
        type=int,
        default=None,
        help="--http: also time a server whose index is HNSW from this size",
    )
    ap.add_argument("--sizes", default=None, help="crossover mode: comma-separated sizes")
    a = ap.parse_args()

    if a.sizes:
        res = crossover(a)
        print(json.dumps(res, indent=2))
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=2)
        return

    if a.make_store:
        print(json.dumps(build_scale_store(a.store, a.make_store, a.replicas)), flush=True)
        return
    if a.build_index:
        print(json.dumps(build_product_index(a)), flush=True)
        return
    if a.scale:
        res = http_run(a) if a.http else scale_run(a)
        print(json.dumps(res, indent=2))
        if a.json:
            with open(a.json, "w") as f:
                json.dump(res, f, indent=2)
        return

    from closeknit.match.index import build_usearch

    res: dict[str, Any] = {
        "n": a.n,
        "dim": a.dim,
        "vectors": "synthetic (30-centre Gaussian mixture, unit norm)",
        "machine": f"{platform.machine()}, {os.cpu_count()} vCPU (shared with other work)",
    }
    t0 = time.perf_counter()
    mat = synthetic(a.n, a.dim)
    qs = synthetic(a.queries, a.dim, seed=1)
    res["gen_s"] = round(time.perf_counter() - t0, 1)

    # exact baseline: float32 dot products + argpartition, one query at a time (warm)
    exact_t: list[float] = []
    truth: list[np.ndarray] = []
    mat @ qs[0]
    for q in qs:
        t = time.perf_counter()
        s = mat @ q
        top = np.argpartition(-s, a.k - 1)[: a.k]
        top = top[np.argsort(-s[top])]
        exact_t.append(time.perf_counter() - t)
        truth.append(top)
    res["exact"] = {"p50_ms": round(pct(exact_t, 50), 2), "p95_ms": round(pct(exact_t, 95), 2)}
    print("exact", res["exact"], flush=True)

    t0 = time.perf_counter()
    u = build_usearch(mat, threads=a.threads)
    res["usearch_build_s"] = round(time.perf_counter() - t0, 1)
    res["usearch_memory_mb"] = round(u.memory_usage / 2**20, 1)
    print("built", res["usearch_build_s"], "s", flush=True)
    del mat
    res["usearch"] = {}
    for ef in a.expansion:
        u.expansion_search = ef
        u.search(qs[0], a.k)
        ts: list[float] = []
        hits = 0
        for q, tr in zip(qs, truth, strict=True):
            t = time.perf_counter()
            m = u.search(q, a.k)
            ts.append(time.perf_counter() - t)
            hits += len(set(np.asarray(m.keys).tolist()) & set(tr.tolist()))
        r = {
            "p50_ms": round(pct(ts, 50), 3),
            "p95_ms": round(pct(ts, 95), 3),
            "recall@10": round(hits / (a.k * len(qs)), 4),
            "speedup_p50_vs_exact": round(pct(exact_t, 50) / pct(ts, 50), 1),
        }
        res["usearch"][f"expansion_search={ef}"] = r
        print("usearch ef", ef, r, flush=True)

    if a.store:
        from closeknit.match import discover, parse_brief
        from closeknit.store import open_store

        st = open_store(a.store, read_only=False)
        b = parse_brief(a.brief)
        discover(st, "default", b, 20)
        ts = []
        for _ in range(10):
            t = time.perf_counter()
            discover(st, "default", b, 20)
            ts.append(time.perf_counter() - t)
        n = st.count("creators", "default")
        res["discover_store"] = {
            "creators": n,
            "p50_ms": round(pct(ts, 50), 1),
            "p95_ms": round(pct(ts, 95), 1),
        }
        print("discover", res["discover_store"], flush=True)
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
