"""Benchmark the synthetic world generator: wall time, files/bytes, posts/s, peak RSS.

    python benchmarks/bench_world.py --creators 100000 --workers 2 --out /tmp/bench-world

Also times a small baseline world (``--baseline``, default 5000 creators) in the same run, so the
throughput at scale is reported as a ratio to it. The world is deleted afterwards unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from closeknit.world import generate


def _peak_rss_mib() -> dict[str, float]:
    # ru_maxrss is KiB on Linux; children = the largest finished worker process
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ch = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main_mib": round(me, 1), "largest_worker_mib": round(ch, 1)}


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime


def run(creators: int, seed: int, workers: int, out: Path, **opts: Any) -> dict[str, Any]:
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    all0 = _cpu()
    s = generate(out, creators, seed, workers=workers, **opts)
    wall = time.perf_counter() - t0
    cpu_all = _cpu() - all0
    return {
        "cpu_s_all_processes": round(cpu_all, 1),
        "cpu_us_per_post": round(cpu_all / max(1, s.posts) * 1e6, 1),
        "creators": creators,
        "workers": workers,
        "wall_s": round(wall, 2),
        "main_cpu_s": round(time.process_time() - cpu0, 2),
        "files": s.files,
        "bytes": s.bytes,
        "gib": round(s.bytes / 2**30, 3),
        "posts": s.posts,
        "comments": s.comments,
        "posts_per_s": round(s.posts / wall),
        "creators_per_s": round(creators / wall),
        "opts": opts,
    }


def sample_shards(creators: int, seed: int, k: int, out: Path) -> dict[str, Any]:
    """Measure the parts of an N-creator world without writing all of it: the main process's
    global creator table, and ``k`` shards at that scale's defaults (sequential, one core).
    The whole-world time is then an ESTIMATE: global + shards x per-shard CPU / workers."""
    from closeknit.world.config import default_config
    from closeknit.world.generate import _global_table
    from closeknit.world.shard import write_shard

    cfg = default_config(creators, seed)
    t0 = time.perf_counter()
    c0 = time.process_time()
    _global_table(cfg)
    glob = {
        "wall_s": round(time.perf_counter() - t0, 1),
        "cpu_s": round(time.process_time() - c0, 1),
    }
    per: list[dict[str, float]] = []
    for s in range(k):
        t0 = time.perf_counter()
        c0 = time.process_time()
        r = write_shard(cfg, s, out, {})
        per.append(
            {
                "shard": s,
                "wall_s": round(time.perf_counter() - t0, 1),
                "cpu_s": round(time.process_time() - c0, 1),
                "posts": r.posts,
            }
        )
    cpu = sum(p["cpu_s"] for p in per) / k
    return {
        "creators": creators,
        "shards": cfg.n_shards,
        "global_table": glob,
        "sampled": per,
        "cpu_s_per_shard": round(cpu, 1),
        "estimate_cpu_s_all_shards": round(cpu * cfg.n_shards),
        "bytes_sampled": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creators", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline", type=int, default=5000, help="0 to skip")
    ap.add_argument("--out", type=Path, default=Path("/tmp/closeknit-bench-world"))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument(
        "--sample-shards",
        type=int,
        default=0,
        help="only measure the global table and K shards of an N-creator world",
    )
    args = ap.parse_args()
    if args.sample_shards:
        res0 = sample_shards(args.creators, args.seed, args.sample_shards, args.out / "sample")
        shutil.rmtree(args.out / "sample")
        res0["peak_rss"] = _peak_rss_mib()
        print(json.dumps(res0, indent=2))
        return
    res: dict[str, Any] = {
        "machine": f"{platform.machine()} {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    }
    if args.baseline:
        b = run(args.baseline, args.seed, args.workers, args.out / "baseline")
        shutil.rmtree(args.out / "baseline")
        res["baseline"] = b
    m = run(args.creators, args.seed, args.workers, args.out / "world")
    res["run"] = m
    if args.baseline:
        res["throughput_ratio_vs_baseline"] = round(m["posts_per_s"] / b["posts_per_s"], 2)
    res["peak_rss"] = _peak_rss_mib()
    if not args.keep:
        shutil.rmtree(args.out / "world")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
