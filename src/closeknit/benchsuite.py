"""``closeknit bench``: the scale benchmark suite (not unit tests).

Each phase runs in its own child process so its peak memory is its own; the table reports wall
time, CPU seconds and peak RSS of the phase's whole process tree (sampled from /proc, so the
Spark JVM that PySpark starts is counted too), rows/s and the load average the phase ran
under, with the machine's details. Phases: generate a world, import it, build features in the
store, the portable build on DuckDB over Parquet, and on Spark at local[1..N] (the scaling
curve).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeknit.errors import ConfigError

PHASES = ("generate", "import", "features", "portable_duckdb", "portable_spark")


@dataclass
class BenchRow:
    size: int
    phase: str
    seconds: float
    peak_rss_mb: float
    peak_children_rss_mb: float
    rows: int
    ok: bool = True
    error: str | None = None
    cpu_s: float = 0.0
    peak_tree_rss_mb: float = 0.0
    load: float = 0.0

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "phase": self.phase,
            "seconds": round(self.seconds, 2),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
            "peak_children_rss_mb": round(self.peak_children_rss_mb, 1),
            "rows": self.rows,
            "rows_per_s": round(self.rows_per_s, 1),
            "cpu_s": round(self.cpu_s, 2),
            "peak_tree_rss_mb": round(self.peak_tree_rss_mb, 1),
            "load": round(self.load, 2),
            "ok": self.ok,
            "error": self.error,
        }


@dataclass
class BenchReport:
    machine: dict[str, Any]
    rows: list[BenchRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"machine": self.machine, "results": [r.to_dict() for r in self.rows]}

    def markdown(self) -> str:
        m = self.machine
        out = [
            f"Machine: {m['cpus']} CPUs, {m['memory_gb']} GB RAM, {m['platform']}, "
            f"Python {m['python']}, DuckDB {m['duckdb']}, PySpark {m['pyspark']}; "
            f"run {m['date']}.",
            "",
            "| creators | phase | seconds | CPU s | peak RSS MB (tree / python) | rows | rows/s "
            "| load |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in self.rows:
            status = "" if r.ok else f" FAILED: {r.error}"
            out.append(
                f"| {r.size:,} | {r.phase} | {r.seconds:.1f} | {r.cpu_s:.1f} | "
                f"{r.peak_tree_rss_mb:.0f} / {r.peak_rss_mb:.0f} | {r.rows:,} | "
                f"{r.rows_per_s:,.0f} | {r.load:.1f} |{status}"
            )
        return "\n".join(out) + "\n"


def machine() -> dict[str, Any]:
    mem = 0.0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    def ver(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    duck, spark = ver("duckdb"), ver("pyspark")
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(mem, 1),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "duckdb": duck,
        "pyspark": spark,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _proc_table() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, RSS in MB, CPU seconds) for every process, read from /proc."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    page = resource.getpagesize() / 1024 / 1024
    out: dict[int, tuple[int, float, float]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:  # the process ended while we looked
            continue
        # the command name may contain spaces: fields start after its closing parenthesis
        f2 = st[st.rindex(")") + 2 :].split()
        ppid, utime, stime, rss = int(f2[1]), int(f2[11]), int(f2[12]), int(f2[21])
        out[int(d)] = (ppid, rss * page, (utime + stime) / tick)
    return out


def tree_usage(root: int) -> tuple[float, dict[int, float]]:
    """(RSS MB summed over ``root`` and its descendants, CPU seconds of each of them)."""
    procs = _proc_table()
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in procs.items():
        kids.setdefault(ppid, []).append(pid)
    rss, cpu, todo = 0.0, {}, [root]
    while todo:
        pid = todo.pop()
        if pid not in procs:
            continue
        rss += procs[pid][1]
        cpu[pid] = procs[pid][2]
        todo.extend(kids.get(pid, []))
    return rss, cpu


class TreeSampler:
    """Samples a process tree's RSS and CPU time until stopped (Linux /proc; else zeros).

    ``resource`` only sees children that were waited for, which misses the Spark JVM (it
    outlives the measurement); sampling the tree catches it.
    """

    def __init__(self, root: int, every_s: float = 0.2) -> None:
        self.root, self.every_s = root, every_s
        self.peak_rss_mb = 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self.enabled = os.path.isdir("/proc")

    def _sample(self) -> None:
        rss, cpu = tree_usage(self.root)
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        self._cpu.update(cpu)  # a process's last reading before it ended is kept

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every_s)

    def start(self) -> TreeSampler:
        if self.enabled:
            self._t.start()
        return self

    def stop(self) -> None:
        if self.enabled:
            self._stop.set()
            self._t.join()

    @property
    def cpu_s(self) -> float:
        return sum(self._cpu.values())


def _child(args: list[str], timeout: float) -> dict[str, Any]:
    t0 = time.perf_counter()
    load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    p = subprocess.Popen(
        [sys.executable, "-m", "closeknit.benchsuite", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = TreeSampler(p.pid).start()
    try:
        stdout, stderr = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        stdout, stderr = p.communicate()
        stderr += f"\ntimed out after {timeout:.0f} s"
    finally:
        sampler.stop()
    wall = time.perf_counter() - t0
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    tree = {
        "cpu_s": sampler.cpu_s,
        "peak_tree_rss_mb": sampler.peak_rss_mb,
        "load": (load0 + load1) / 2,
    }
    if p.returncode != 0:
        return {
            "ok": False,
            "seconds": wall,
            "error": (stderr.strip().splitlines() or ["?"])[-1],
            **tree,
        }
    out = json.loads(stdout.strip().splitlines()[-1])
    # sampling can miss a short spike; the tree's peak is at least the phase process's own
    tree["peak_tree_rss_mb"] = max(tree["peak_tree_rss_mb"], float(out.get("peak_rss_mb", 0.0)))
    out.update(tree)
    out["ok"] = True
    out["seconds"] = out.get("seconds", wall)
    return out


def run_suite(
    sizes: list[int],
    work: Path,
    *,
    phases: tuple[str, ...] = PHASES,
    spark_cores: list[int] | None = None,
    seed: int = 1,
    timeout: float = 3600,
) -> BenchReport:
    """Run ``phases`` at each size under ``work/n{size}``.

    Without ``generate`` the size's world must already be in ``work/n{size}/world``, and without
    ``import`` its store in ``work/n{size}/w.duckdb``: later phases can then be run (or re-run)
    on what an earlier suite run, or a separate import, left there.
    """
    rep = BenchReport(machine=machine())
    for n in sizes:
        base = work / f"n{n}"
        if "generate" in phases:
            shutil.rmtree(base, ignore_errors=True)
        else:
            need = base / ("world" if "import" in phases else "w.duckdb")
            if not need.exists():
                raise ConfigError(
                    f"{need} does not exist: without the generate/import phases the suite "
                    "reuses what an earlier run left in its work directory",
                    path=str(need),
                )
        base.mkdir(parents=True, exist_ok=True)
        steps: list[tuple[str, list[str]]] = [
            ("generate", ["generate", str(base / "world"), str(n), str(seed)]),
            ("import", ["import", str(base / "w.duckdb"), str(base / "world")]),
            ("features", ["features", str(base / "w.duckdb")]),
            ("portable_duckdb", ["portable", str(base / "w.duckdb"), str(base), "duckdb", "0"]),
        ]
        for k in spark_cores or [1, 2]:
            steps.append(
                (
                    f"portable_spark_local[{k}]",
                    ["portable", str(base / "w.duckdb"), str(base), "spark", str(k)],
                )
            )
        for phase, args in steps:
            if phase.split("_local")[0] not in phases:
                continue
            r = _child(args, timeout)
            rep.rows.append(
                BenchRow(
                    size=n,
                    phase=phase,
                    seconds=float(r.get("seconds", 0.0)),
                    peak_rss_mb=float(r.get("peak_rss_mb", 0.0)),
                    peak_children_rss_mb=float(r.get("peak_children_rss_mb", 0.0)),
                    rows=int(r.get("rows", 0)),
                    ok=bool(r["ok"]),
                    error=r.get("error"),
                    cpu_s=float(r.get("cpu_s", 0.0)),
                    peak_tree_rss_mb=float(r.get("peak_tree_rss_mb", 0.0)),
                    load=float(r.get("load", 0.0)),
                )
            )
        if "generate" in phases:
            shutil.rmtree(base / "world", ignore_errors=True)  # disk: worlds are big
    return rep


def _peak() -> dict[str, float]:
    return {
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_children_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def _phase(argv: list[str]) -> dict[str, Any]:
    """Run one phase in this (child) process; returns its measurements."""
    from closeknit.store import open_store

    kind = argv[0]
    t0 = time.perf_counter()
    rows = 0
    if kind == "generate":
        from closeknit.world import generate

        s = generate(Path(argv[1]), creators=int(argv[2]), seed=int(argv[3]))
        rows = int(getattr(s, "posts", 0))
    elif kind == "import":
        from closeknit.connectors.importer import import_world

        st = open_store(argv[1], create=True)
        try:
            res = import_world(st, "default", Path(argv[2]))
            rows = sum(int(getattr(r, "n_input", 0)) for r in res)
        finally:
            st.close()
    elif kind == "features":
        from closeknit.features import build

        st = open_store(argv[1])
        try:
            build(st, "default", incremental=False)
            rows = st.count("posts")
        finally:
            st.close()
    elif kind == "portable":
        from closeknit.features.distributed import build_portable, export_inputs

        base = Path(argv[2])
        inp = base / "parquet_in"
        if not inp.exists():
            st = open_store(argv[1])
            try:
                export_inputs(st, "default", inp)
            finally:
                st.close()
        t0 = time.perf_counter()  # the export is shared by every engine; time the build only
        engine, cores = argv[3], int(argv[4])
        out = base / f"out_{engine}_{cores}"
        r = build_portable(inp, out, engine=engine, master=f"local[{max(cores, 1)}]")
        rows = sum(r.rows.values())
    else:
        raise SystemExit(f"unknown phase {kind}")
    return {"seconds": time.perf_counter() - t0, "rows": rows, **_peak()}


if __name__ == "__main__":
    print(json.dumps(_phase(sys.argv[1:])))
