"""The README's main job, ``closeknit demo``, timed whole-process, against another tree's code.

    python benchmarks/bench_demo.py --runs 5 --before /tmp/before/src --out /tmp/bench-demo
    mkdir -p /tmp/before && git archive <commit> src | tar -x -C /tmp/before  # a "before" tree

Each run is a fresh ``closeknit demo --json`` in an empty folder under ``--out`` (world,
import, campaigns, features, niches, index, discover, plan: the same call as the README's
command), in a child process of its own. With ``--before``, the runs of the two trees
alternate run by run (before, this, before, this, ...), so both meet the same hours of a
machine whose speed drifts: the figure to trust is the ratio of each pair, not a wall time
from another hour. The default embedder's ONNX graph cache is kept between runs (as on a
user's second run) unless ``--cold``; ``--warmup`` untimed runs of each code come first
(bytecode compiled, graph cached).

Prints one JSON object: per code the walls, CPU seconds of the whole process tree (the
embedding worker included), the median wall and how many runs were at or under ``--target``,
the median of each step's seconds (from the demo's own ``--json`` steps), the 1-minute load
at each run's start; with ``--before``, each pair's after/before ratio and their median.
Nothing is asserted: the target lives here, not in a test (docs/discover.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_DEMO = (
    "import sys; sys.argv = ['closeknit', 'demo', '--json'] + sys.argv[1:]; "
    "from closeknit.cli import main; main()"
)


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_once(src: Path | None, folder: Path, cache: Path | None, args: list[str]) -> dict[str, Any]:
    """One demo in ``folder`` (emptied first) with ``src`` first on the path (None: this tree)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + (
            os.pathsep + env["PYTHONPATH"] if "PYTHONPATH" in env else ""
        )
    if cache is not None:
        env["CLOSEKNIT_CACHE"] = str(cache)
    load = os.getloadavg()[0]
    c0, t0 = _children_cpu(), time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-c", _DEMO, *args], cwd=folder, env=env, capture_output=True, text=True
    )
    wall, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if p.returncode != 0:
        raise SystemExit(f"the demo failed in {folder}:\n{p.stderr[-2000:]}")
    steps = {s["step"]: s["seconds"] for s in json.loads(p.stdout)["steps"]}
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load": round(load, 2),
        "steps": steps,
    }


def summary(runs: list[dict[str, Any]], target: float) -> dict[str, Any]:
    walls = [r["wall_s"] for r in runs]
    names = list(runs[0]["steps"]) if runs else []
    return {
        "runs": len(runs),
        "walls_s": walls,
        "cpu_s": [r["cpu_s"] for r in runs],
        "loads": [r["load"] for r in runs],
        "median_wall_s": round(statistics.median(walls), 2) if walls else None,
        "at_or_under_target": sum(w <= target for w in walls),
        "median_step_s": {
            n: round(statistics.median(r["steps"].get(n, 0.0) for r in runs), 2) for n in names
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per code")
    ap.add_argument("--before", type=Path, help="another tree's src folder to alternate with")
    ap.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    ap.add_argument("--target", type=float, default=90.0, help="wall seconds (issue 18: 90)")
    ap.add_argument("--cold", action="store_true", help="an empty embedder cache for every run")
    ap.add_argument("--keep", action="store_true", help="keep the demo folders")
    ap.add_argument("--creators", type=int, help="world size (default: the demo's, 5,000)")
    ap.add_argument(
        "--warmup", type=int, default=1, help="untimed runs per code first (bytecode, caches)"
    )
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkdtemp(prefix="bench-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    codes: list[tuple[str, Path | None]] = ([("before", a.before)] if a.before else []) + [
        ("this", None)
    ]
    got: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in codes}
    extra = ["--creators", str(a.creators)] if a.creators else []
    for _ in range(a.warmup):
        for name, src in codes:
            run_once(src, out / f"demo-{name}", None, extra)
    for i in range(a.runs):
        for name, src in codes:
            cache = None
            if a.cold:
                cache = out / f"cache-{name}-{i}"
                shutil.rmtree(cache, ignore_errors=True)
            r = run_once(src, out / f"demo-{name}", cache, extra)
            got[name].append(r)
            print(f"run {i + 1} {name}: {r['wall_s']} s (load {r['load']})", file=sys.stderr)
    result: dict[str, Any] = {
        "machine": f"{os.uname().machine}, {os.cpu_count()} cpu",
        "target_s": a.target,
        **{name: summary(runs, a.target) for name, runs in got.items()},
    }
    if a.before:
        ratios = [
            round(t["wall_s"] / b["wall_s"], 3)
            for b, t in zip(got["before"], got["this"], strict=True)
        ]
        result["paired_ratio"] = ratios
        result["median_paired_ratio"] = round(statistics.median(ratios), 3)
    if not a.keep:
        for name, _ in codes:
            shutil.rmtree(out / f"demo-{name}", ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
