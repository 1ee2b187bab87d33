"""Vector search for discover at scale: usearch HNSW (int8) vs exact numpy brute force.

Synthetic vectors (NOT real creators): N unit vectors in 384 dims (MiniLM's size) around 30
"niche" centres, varying within each cluster along a shared 24-dim subspace plus a little
isotropic noise (sentence embeddings have a low intrinsic dimension; pure 384-dim Gaussian noise
would make every neighbour equally far). Queries are fresh draws from the same mixture.
Reports build time, warm per-query latency p50/p95 for both searches in the same run, the speed
ratio and the index's recall@10 against exact search.

    nice -n 15 .venv/bin/python benchmarks/bench_discover.py --n 1000000 --queries 200

Optionally ``--store DB --brief TEXT`` also times the whole ``discover()`` (warm) on a real store.
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
    a = ap.parse_args()

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
