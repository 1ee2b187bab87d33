"""The demo's import step alone: ``import_world`` of a generated world into a fresh store.

    nice -n 5 python benchmarks/bench_demo_import.py --world /tmp/w5k --db /tmp/w5k.duckdb

Prints one JSON line: wall and CPU seconds (all threads, DuckDB's included) of the call the
demo makes (``closeknit.demo.run_demo``'s import step: every file of the world, checkpointed
once at the end), the rows loaded, and the load average at the start and end. Run it with
``PYTHONPATH`` pointing at another tree's ``src`` to measure that code on the same files.

``--profile`` adds, on stderr, the CPU seconds per file (files of one kind summed) and per SQL
statement (``Tx``/``Store`` calls timed by the text's first 70 characters; the rest is
"outside SQL": Python). The timing wrappers cost a little CPU themselves.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

_STMTS: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])
_FILES: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0])


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _time_statements() -> None:
    import closeknit.store.db as db

    def wrap(cls: Any, name: str) -> None:
        orig = getattr(cls, name)

        def timed(self: Any, sql: Any, *a: Any, **k: Any) -> Any:
            c0 = time.process_time()
            try:
                return orig(self, sql, *a, **k)
            finally:
                key = re.sub(r"\s+", " ", sql).strip()[:70] if isinstance(sql, str) else name
                st = _STMTS[key]
                st[0] += 1
                st[1] += time.process_time() - c0

        setattr(cls, name, timed)

    for n in ("execute", "query", "scalar", "executemany"):
        wrap(db.Tx, n)
    for n in ("execute", "query", "scalar"):
        wrap(db.Store, n)


def _import_profiled(st: Any, world: Path) -> list[Any]:
    """import_world's loop (same order, one checkpoint at the end), timed per file."""
    from closeknit.connectors.importer import deferred_checkpoints, import_many, world_plan
    from closeknit.connectors.instagram import import_instagram

    out: list[Any] = []
    with deferred_checkpoints(st):
        for source, f in world_plan(world):
            c0 = time.process_time()
            if source == "instagram":
                out.extend(import_instagram(st, "default", f))
            else:
                out.extend(import_many(st, "default", source, f))
            k = _FILES[f"{source}:{re.sub(r'[0-9]+', 'N', f.name)}"]
            k[0] += 1
            k[1] += time.process_time() - c0
    return out


def _report(cpu: float) -> None:
    err = sys.stderr
    print("CPU s per file (files of one kind summed):", file=err)
    for k, v in sorted(_FILES.items(), key=lambda kv: -kv[1][1]):
        print(f"  {v[1]:7.2f}  x{int(v[0]):<3} {k}", file=err)
    sql = sum(v[1] for v in _STMTS.values())
    print(f"CPU s in SQL {sql:.2f}, outside SQL {cpu - sql:.2f}; top statements:", file=err)
    for k, v in sorted(_STMTS.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"  {v[1]:7.2f}  x{int(v[0]):<4} {k}", file=err)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--world", type=Path, required=True)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--profile", action="store_true", help="CPU s per file and statement")
    a = ap.parse_args()
    from closeknit.connectors.importer import import_world
    from closeknit.store import open_store

    for p in (a.db, Path(str(a.db) + ".wal")):
        p.unlink(missing_ok=True)
    st = open_store(a.db, create=True)  # the schema is set up before the clock, as in the demo
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), _cpu()
    if a.profile:
        _time_statements()
        res = _import_profiled(st, a.world)
    else:
        res = import_world(st, "default", a.world)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    if a.profile:
        _report(cpu)
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
