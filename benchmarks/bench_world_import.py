"""Benchmark generating and importing a synthetic world: time and peak RSS per phase.

    nice -n 15 python benchmarks/bench_world_import.py --creators 100000 --out /tmp/ck-bench-world

``--world DIR`` imports an already generated world instead (no ``generate`` phase; DIR is
never deleted), so two versions of the importer can be compared on the same files.

Phases: ``generate`` (closeknit.world.generate), then one phase per source of
``closeknit.connectors.importer.world_plan`` (instagram profiles, instagram posts, vendor
exports, snapshots, audience samples, demographics, youtube, shop orders), then ``reimport``
of the whole world (must load nothing). Peak RSS per phase is read from /proc (VmHWM, reset
between phases through /proc/self/clear_refs); CPU seconds include DuckDB's threads.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import Any


def _hwm_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _reset_hwm() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creators", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("/tmp/ck-bench-world"))
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--skip-reimport", action="store_true")
    ap.add_argument("--world", type=Path, default=None, help="import this existing world")
    ap.add_argument(
        "--resume",
        action="store_true",
        help="keep the store in --out and import into it the files of --world still present "
        "(with --consume: continue an interrupted run)",
    )
    ap.add_argument(
        "--consume",
        action="store_true",
        help="delete each world file once imported (a 1M world and its store need ~70 GB "
        "together); implies --skip-reimport",
    )
    a = ap.parse_args()
    from closeknit.benchsuite import TreeSampler
    from closeknit.connectors.importer import deferred_checkpoints, import_many, world_plan
    from closeknit.store import open_store
    from closeknit.world import generate

    if a.resume and a.world is None:
        raise SystemExit("--resume needs --world (the world whose files are still to import)")
    if not a.resume:
        shutil.rmtree(a.out, ignore_errors=True)
    phases: dict[str, dict[str, Any]] = {}
    if a.world is not None:
        world = a.world
        a.out.mkdir(parents=True, exist_ok=True)
    else:
        world = a.out / "world"
        _reset_hwm()
        # the workers are separate processes: sample the whole tree for their CPU and memory
        tree = TreeSampler(os.getpid()).start()
        t0, c0 = time.perf_counter(), _cpu()
        s = generate(world, a.creators, a.seed, workers=a.workers)
        tree.stop()
        phases["generate"] = {
            "wall_s": round(time.perf_counter() - t0, 1),
            "cpu_s_main": round(_cpu() - c0, 1),
            "cpu_s_all_processes": round(tree.cpu_s - c0, 1),  # tree CPU is since process start
            "peak_rss_mib_main": _hwm_mib(),
            "peak_rss_mib_tree": round(tree.peak_rss_mb, 1),
            "posts": s.posts,
            "comments": s.comments,
            "gib": round(s.bytes / 2**30, 2),
        }
        print(json.dumps({"generate": phases["generate"]}), flush=True)
    st = open_store(a.out / "world.duckdb", create=True)
    by_phase: dict[str, list[tuple[str, Path]]] = defaultdict(list)
    for source, f in world_plan(world):
        name = source
        if source == "instagram":
            name = "instagram_" + f.name.split("-")[0]
        by_phase[name].append((source, f))
    total_t, total_c, total_in = 0.0, 0.0, 0
    # as import_world does: one checkpoint at the end, timed as its own phase
    deferred = deferred_checkpoints(st)
    deferred.__enter__()
    for name, files in by_phase.items():
        _reset_hwm()
        t0, c0 = time.perf_counter(), _cpu()
        n_in = n_loaded = n_q = 0
        for source, f in files:
            for r in import_many(st, "default", source, f):
                n_in += r.n_input
                n_loaded += r.n_loaded
                n_q += r.n_quarantined
            if a.consume:
                f.unlink()
        wall = time.perf_counter() - t0
        cpu = _cpu() - c0
        total_t += wall
        total_c += cpu
        total_in += n_in
        phases[name] = {
            "files": len(files),
            "records": n_in,
            "loaded": n_loaded,
            "quarantined": n_q,
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "records_per_s": round(n_in / wall) if wall else None,
            "records_per_cpu_s": round(n_in / cpu) if cpu else None,
            "peak_rss_mib": _hwm_mib(),
        }
        print(json.dumps({name: phases[name]}), flush=True)
    t0, c0 = time.perf_counter(), _cpu()
    deferred.__exit__(None, None, None)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    total_t += wall
    total_c += cpu
    phases["final_checkpoint"] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}
    print(json.dumps({"final_checkpoint": phases["final_checkpoint"]}), flush=True)
    counts = {
        t: st.count(t)
        for t in (
            "creators",
            "posts",
            "comments",
            "follower_snapshots",
            "audience_samples",
            "audience_demographics",
            "orders",
            "raw_records",
            "quarantine",
        )
    }
    if not (a.skip_reimport or a.consume):
        _reset_hwm()
        t0, c0 = time.perf_counter(), _cpu()
        with deferred_checkpoints(st):
            loaded = sum(
                r.n_loaded
                for source, f in world_plan(world)
                for r in import_many(st, "default", source, f)
            )
        phases["reimport"] = {
            "loaded": loaded,
            "unchanged": counts == {t: st.count(t) for t in counts},
            "wall_s": round(time.perf_counter() - t0, 1),
            "cpu_s": round(_cpu() - c0, 1),
            "peak_rss_mib": _hwm_mib(),
        }
        print(json.dumps({"reimport": phases["reimport"]}), flush=True)
    st.close()
    load = round(os.getloadavg()[0], 1)
    report = {
        "creators": None if a.world is not None else a.creators,
        "world": str(world),
        "import_wall_s": round(total_t, 1),
        "import_cpu_s": round(total_c, 1),
        "import_records": total_in,
        "db_mib": round((a.out / "world.duckdb").stat().st_size / 2**20, 1),
        "rows": counts,
        "phases": phases,
        "cpus": os.cpu_count(),
        "load_avg_1m_after": load,
    }
    print(json.dumps(report, indent=2))
    if not a.keep:
        shutil.rmtree(a.out, ignore_errors=True)


if __name__ == "__main__":
    main()
