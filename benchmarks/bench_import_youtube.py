"""Benchmark the YouTube file import beside DuckDB's own read of the same files.

    nice -n 5 .venv/bin/python benchmarks/bench_import_youtube.py --world /tmp/w10k --repeat 3

Takes a world's ``youtube/`` folder (``closeknit world generate``; ``--creators N`` generates
one into ``--out``) and measures, each phase in a fresh child process (peak RSS per phase):

* ``duckdb_table``: DuckDB reading the same files into tables of a fresh database file (one
  table per kind: ``CREATE TABLE AS SELECT unnest(items) FROM read_json(files)``, every
  field, committed): the baseline of issue 18 ("DuckDB's own read into a table");
* ``old``: the per-record path this replaced (:func:`closeknit.connectors.youtube.
  iter_records` through :func:`closeknit.connectors.landing.load`, one batch a file);
* ``import``: :func:`closeknit.connectors.youtube.import_youtube` (the product path: raw
  landing with content hashes, checks, quarantine, normalization, upsert; one atomic batch a
  file) into a fresh store;
* ``reimport``: the same files again into that store (every item a duplicate: a no-op).

Files go channels, videos, comments (the importer's order). ``--repeat N`` runs every phase N
times, alternating, and reports medians. Prints items/s of each phase and the ratios
import/duckdb_table and import/old (of the median rates; ``_cpu``: per CPU second) as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import time
from pathlib import Path
from typing import Any

# the import benchmark's child-process runner and medians (this folder is on sys.path when a
# benchmark runs as a script)
from bench_import import median_run, run_in_child, send_timed

KINDS = ("channels", "videos", "comments")


def _files(ydir: Path) -> list[Path]:
    return [f for k in KINDS for f in sorted(ydir.glob(f"{k}-*.json"))]


def _phase(kind: str, ydir: str, db: str, q: Any) -> None:
    from closeknit.store import open_store

    # schema set up before the clock starts: timed is the work on the files
    st = open_store(db, create=True)
    import closeknit.connectors.landing  # noqa: F401  (module imports before the clock too)
    import closeknit.connectors.youtube  # noqa: F401

    files = _files(Path(ydir))
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    if kind == "duckdb_table":
        rows = 0
        for k in KINDS:
            mine = [f for f in files if f.name.startswith(k)]
            if not mine:
                continue
            names = ", ".join("'" + str(f).replace("'", "''") + "'" for f in mine)
            # a whole file is one JSON object: the reader's buffer must hold the largest (a
            # fixed 2 GB one ran out of memory with several files)
            size = max(f.stat().st_size for f in mine) + 1024
            st.execute(
                f"CREATE TABLE bench_{k} AS SELECT unnest(items) AS item FROM read_json([{names}], "
                f"format='auto', maximum_object_size={size})"
            )
            rows += int(st.scalar(f"SELECT count(*) FROM bench_{k}"))
        out["rows"] = rows
    elif kind == "old":
        from closeknit.connectors.landing import load
        from closeknit.connectors.youtube import iter_records

        res = [load(st, iter_records(f), source="youtube", path=str(f), bulk=True) for f in files]
        out.update(rows=sum(r.n_input for r in res), loaded=sum(r.n_loaded for r in res))
    else:
        from closeknit.connectors.youtube import import_youtube

        res = [r for f in files for r in import_youtube(st, "default", f)]
        out.update(
            rows=sum(r.n_input for r in res),
            loaded=sum(r.n_loaded for r in res),
            duplicate=sum(r.n_duplicate for r in res),
            quarantined=sum(r.n_quarantined for r in res),
        )
    if kind != "duckdb_table":
        out["tables"] = {t: st.count(t) for t in ("creators", "posts", "comments")}
    st.close()  # checkpoints: the data is in the database file, as for the baseline
    send_timed(q, out, t0, ru0)


def run_phase(kind: str, ydir: Path, db: Path) -> dict[str, Any]:
    return run_in_child(_phase, kind, str(ydir), str(db))


PHASES = ("duckdb_table", "old", "import", "reimport")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--world", type=Path, help="a world directory (its youtube/ is read)")
    ap.add_argument("--creators", type=int, default=10_000, help="generate a world this size")
    ap.add_argument("--out", type=Path, default=Path("/tmp/ck-bench-ytimport"))
    ap.add_argument("--repeat", type=int, default=1, help="runs of each phase (medians)")
    ap.add_argument("--phases", default=",".join(PHASES))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    world = a.world
    if world is None:
        from closeknit.world import generate

        world = a.out / "world"
        generate(world, creators=a.creators, seed=1)
    ydir = world / "youtube"
    files = _files(ydir)
    report: dict[str, Any] = {
        "world": str(world),
        "files": len(files),
        "file_mib": round(sum(f.stat().st_size for f in files) / 2**20, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f}",
    }
    phases = [p for p in PHASES if p in a.phases.split(",")]
    runs: dict[str, list[dict[str, Any]]] = {k: [] for k in phases}
    db, old_db, base_db = a.out / "import.duckdb", a.out / "old.duckdb", a.out / "read.duckdb"
    for _ in range(a.repeat):
        for f in (db, old_db, base_db):
            for g in (f, Path(str(f) + ".wal")):
                g.unlink(missing_ok=True)
        for k in phases:
            target = {"duckdb_table": base_db, "old": old_db}.get(k, db)
            runs[k].append(run_phase(k, ydir, target))
    for k in phases:
        report[k] = median_run(runs[k])
    for base in ("duckdb_table", "old"):
        if base in report and "import" in report:
            b, i = report[base], report["import"]
            if b.get("rows_per_s") and i.get("rows_per_s"):
                report[f"import_vs_{base}"] = round(i["rows_per_s"] / b["rows_per_s"], 3)
                report[f"import_vs_{base}_cpu"] = round(
                    i["rows_per_cpu_s"] / b["rows_per_cpu_s"], 3
                )
    if "old" in report and "import" in report:
        same = report["old"].get("tables") == report["import"].get("tables")
        report["old_and_import_tables_equal_counts"] = same
    report["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))
    for f in (db, old_db, base_db):
        for g in (f, Path(str(f) + ".wal")):
            g.unlink(missing_ok=True)
    if a.world is None:
        shutil.rmtree(a.out, ignore_errors=True)


if __name__ == "__main__":
    main()
