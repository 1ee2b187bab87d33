"""The demo's import step alone: ``import_world`` of a generated world into a fresh store.

    nice -n 5 python benchmarks/bench_demo_import.py --world /tmp/w5k --db /tmp/w5k.duckdb

Prints one JSON line: wall and CPU seconds (all threads, DuckDB's included) of the call the
demo makes (``closeknit.demo.run_demo``'s import step: every file of the world, checkpointed
once at the end), the rows loaded, and the load average at the start and end. Run it with
``PYTHONPATH`` pointing at another tree's ``src`` to measure that code on the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--world", type=Path, required=True)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    from closeknit.connectors.importer import import_world
    from closeknit.store import open_store

    for p in (a.db, Path(str(a.db) + ".wal")):
        p.unlink(missing_ok=True)
    st = open_store(a.db)  # the schema is set up before the clock, as in the demo
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), _cpu()
    res = import_world(st, "default", a.world)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    st.close()
    print(
        json.dumps(
            {
                "label": a.label,
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "loaded": sum(r.n_loaded for r in res),
                "files": len(res),
                "db_mib": round(a.db.stat().st_size / 2**20, 1),
                "load_start": round(load0, 2),
                "load_end": round(os.getloadavg()[0], 2),
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
