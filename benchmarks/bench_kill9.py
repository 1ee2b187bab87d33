"""Crash safety of the importers: ``kill -9`` an import process at random points, import again,
and compare every table with a clean import of the same files (row counts and checksums).

    nice -n 15 .venv/bin/python benchmarks/bench_kill9.py --trials 20
    nice -n 15 .venv/bin/python benchmarks/bench_kill9.py --trials 20 --world /tmp/w30

The input is a set of files that runs every import path (the set-based JSONL and CSV paths,
the per-record path of shop orders, quarantined rows, field warnings, repeated handles, two
vendor months) or, with ``--world``, a synthetic world directory. Each trial: a fresh store, a
child process that imports the files (one atomic transaction per file), ``SIGKILL`` after a
uniform random delay between the moment it starts importing and its clean duration, then a
second child that imports the same files to the end. The store must then equal the clean one:
for every table, the row count and the sum of the rows' hashes with the columns that name a
run (batch ids, load timestamps) left out. Prints one JSON object; exit status 1 on any
difference. ``tests/connectors/test_kill9.py`` runs 3 trials of the small input in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WS = "k9"
# columns that name a run rather than the data: they differ between any two imports
VOLATILE = {"batch_id", "imported_at", "started_at", "finished_at"}
# bookkeeping, not data: the migrations applied, and the store's write log (a random token per
# committed write, so a resumed import has more rows there than a clean one by design)
SKIP_TABLES = {"schema_migrations", "store_writes"}


def make_inputs(folder: Path, scale: int = 1) -> list[tuple[str, str]]:
    """Write the input files; returns the (source, path) plan in import order."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20)
    n_creators, n_posts = 60 * scale, 1500 * scale
    handles = [f"creator_{i}" for i in range(n_creators)]
    plan: list[tuple[str, str]] = []

    prof = folder / "profiles-1.jsonl"
    with prof.open("w") as fh:
        for i, h in enumerate(handles):
            fh.write(
                json.dumps(
                    {
                        "id": str(1000 + i),
                        "username": h,
                        "full_name": h.title(),
                        "biography": "runner #fit",
                        "edge_followed_by": {"count": rng.randint(1000, 90000)},
                        "edge_follow": {"count": 300},
                        "edge_owner_to_timeline_media": {"count": 120},
                        "is_verified": False,
                    }
                )
                + "\n"
            )
    plan.append(("instagram", str(prof)))

    posts = folder / "posts-1.jsonl"
    with posts.open("w") as fh:
        for i in range(n_posts):
            owner = handles[i % n_creators]
            comments = [
                {
                    "node": {
                        "id": str(10_000_000 + i * 10 + k),
                        "text": f"nice {k} 👍",
                        "created_at": 1_700_000_100 + i + k,
                        "owner": {"id": str(k), "username": f"fan_{k}"},
                        "edge_liked_by": {"count": k},
                        "edge_threaded_comments": {"count": 0, "edges": []},
                    }
                }
                for k in range(rng.randint(0, 4))
            ]
            obj = {
                "__typename": "GraphImage",
                "id": str(5_000_000 + i),
                "shortcode": f"S{i}",
                "is_video": False,
                "taken_at_timestamp": 1_700_000_000 + i * 3600,
                "owner": {"id": str(1000 + i % n_creators), "username": owner},
                "edge_media_to_caption": {"edges": [{"node": {"text": f"run #{i % 9} @nike"}}]},
                "edge_media_preview_like": {"count": "abc" if i % 97 == 5 else rng.randint(0, 900)},
                "edge_media_to_parent_comment": {"count": len(comments), "edges": comments},
                "is_ad": i % 11 == 0,
            }
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            if i % 301 == 7:
                fh.write("{not json\n")
    plan.append(("instagram", str(posts)))

    for month, bump in (("2022-06", 0), ("2022-12", 500)):
        f = folder / f"creators-{month}.csv"
        with f.open("w", encoding="utf-8") as fh:
            fh.write("Rank,name,instagram name,followers,followers,Likes (Avg.),country\n")
            for i, h in enumerate(handles):
                likes = "N/A'" if i % 13 == 0 else str(rng.randint(10, 999))
                fol = 1000 + i * 10 + bump
                fh.write(f"{i},{h},{h.title()},{fol / 1000:.1f}K,{fol},{likes},Spain\n")
                if i % 17 == 0:  # the same handle again, other values: merged and reported
                    fh.write(f"{i},{h},,{fol + 1},,,\n")
            fh.write(",,,,,,\n1,,Nobody,5,5,,\n")  # no handle: quarantined
        plan.append(("vendor_csv", str(f)))

    snaps = folder / "snapshots-1.csv"
    with snaps.open("w") as fh:
        fh.write("platform,handle,date,followers,following\n")
        for i, h in enumerate(handles):
            for d in range(1, 29):
                fol = "x" if (i + d) % 211 == 0 else str(1000 + i + d)
                fh.write(f"instagram,{h},2024-02-{d:02d},{fol},300\n")
    plan.append(("snapshots", str(snaps)))

    orders = folder / "orders.jsonl"
    with orders.open("w") as fh:
        for k in range(300 * scale):
            fh.write(
                json.dumps(
                    {
                        "id": 9000 + k,
                        "name": f"#{9000 + k}",
                        "created_at": f"2024-03-{1 + k % 28:02d}T10:00:00Z",
                        "email": f"buyer{k}@example.com",
                        "currency": "EUR",
                        "total_price": f"{20 + k % 50}.00",
                        "subtotal_price": f"{18 + k % 50}.00",
                        "discount_codes": [{"code": f"RUN{k % 7}", "amount": "2.00"}],
                        "customer": {"id": k % 90, "orders_count": 1 + k % 3},
                        "line_items": [{"quantity": 1, "price": "18.00"}],
                    }
                )
                + "\n"
            )
    plan.append(("shopify_orders", str(orders)))
    return plan


def world_inputs(world: Path) -> list[tuple[str, str]]:
    return [("world", str(world))]


def child(db: str, plan_json: str) -> None:
    """Import ``plan`` into ``db``: the process the parent kills."""
    from closeknit.connectors.importer import import_many
    from closeknit.store import open_store

    plan = json.loads(plan_json)
    st = open_store(db, create=True)
    print("start", flush=True)
    for source, path in plan:
        import_many(st, WS, source, Path(path))
    st.close()
    print("done", flush=True)


def _spawn(db: Path, plan: list[tuple[str, str]]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", str(db), json.dumps(plan)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_to_end(db: Path, plan: list[tuple[str, str]]) -> float:
    """Run the child to completion; returns the seconds it spent importing."""
    p = _spawn(db, plan)
    assert p.stdout is not None
    line = p.stdout.readline()
    t0 = time.monotonic()
    out, err = p.communicate(timeout=1800)
    if line.strip() != "start" or p.returncode != 0 or "done" not in out:
        raise RuntimeError(f"import child failed ({p.returncode}): {err[-2000:]}")
    return time.monotonic() - t0


def run_and_kill(db: Path, plan: list[tuple[str, str]], delay: float) -> bool:
    """Start the child, SIGKILL it ``delay`` s after it starts importing; True when it was
    killed before it finished."""
    p = _spawn(db, plan)
    assert p.stdout is not None
    if p.stdout.readline().strip() != "start":
        p.kill()
        p.wait()
        raise RuntimeError("import child did not start")
    time.sleep(delay)
    finished = p.poll() is not None
    if not finished:
        os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=60)
    return not finished and p.returncode == -signal.SIGKILL


def fingerprint(db: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows, sum of the rows' hashes without run-naming columns)."""
    from closeknit.store import open_store

    st = open_store(db, read_only=True)
    try:
        out: dict[str, tuple[int, int]] = {}
        for t in st.tables():
            if t in SKIP_TABLES:
                continue
            cols = [
                r["column_name"]
                for r in st.query(
                    "SELECT column_name, column_default FROM information_schema.columns "
                    "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                    [t],
                )
                if r["column_name"] not in VOLATILE
                and "current_timestamp" not in str(r["column_default"] or "").lower()
                and "now()" not in str(r["column_default"] or "").lower()
            ]
            if not cols:
                continue
            body = ", ".join(f'"{c}"' for c in cols)
            row = st.query(
                "SELECT count(*) AS n, coalesce(sum(hash(to_json(x))), 0)::HUGEINT AS h "
                f'FROM (SELECT {body} FROM "{t}") x'
            )[0]
            out[t] = (int(row["n"]), int(row["h"]))
        return out
    finally:
        st.close()


def trials(plan: list[tuple[str, str]], n: int, work: Path, seed: int = 9) -> dict[str, Any]:
    """The clean import, then ``n`` kill-and-resume trials; their fingerprints compared."""
    rng = random.Random(seed)
    # two clean imports: the first warms the caches (and must give the same tables)
    run_to_end(work / "warm.duckdb", plan)
    clean_db = work / "clean.duckdb"
    clean_s = run_to_end(clean_db, plan)
    clean = fingerprint(clean_db)
    deterministic = fingerprint(work / "warm.duckdb") == clean
    results = []
    for k in range(n):
        db = work / f"trial-{k}.duckdb"
        delay = rng.uniform(0, 0.9 * clean_s)
        killed = run_and_kill(db, plan, delay)
        after_kill = fingerprint(db) if db.exists() else {}
        resume_s = run_to_end(db, plan)
        fp = fingerprint(db)
        diff = sorted(t for t in set(clean) | set(fp) if clean.get(t) != fp.get(t))
        results.append(
            {
                "trial": k,
                "delay_s": round(delay, 2),
                "killed_mid_import": killed,
                "raw_records_at_kill": after_kill.get("raw_records", (0, 0))[0],
                "resume_s": round(resume_s, 2),
                "tables_differing": diff,
            }
        )
        for suffix in ("", ".wal"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    return {
        "clean_imports_equal": deterministic,
        "clean_import_s": round(clean_s, 2),
        "clean_rows": {t: v[0] for t, v in clean.items() if v[0]},
        "trials": len(results),
        "killed_mid_import": sum(r["killed_mid_import"] for r in results),
        "equal_to_clean": sum(not r["tables_differing"] for r in results),
        "results": results,
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--scale", type=int, default=2, help="size of the generated input")
    ap.add_argument("--world", type=Path, help="import this world directory instead")
    ap.add_argument("--seed", type=int, default=9)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="closeknit-kill9-") as tmp:
        work = Path(tmp)
        plan = world_inputs(args.world) if args.world else make_inputs(work / "in", args.scale)
        t0 = time.monotonic()
        res = trials(plan, args.trials, work, args.seed)
        res["wall_s"] = round(time.monotonic() - t0, 1)
        res["input"] = str(args.world) if args.world else f"generated, scale {args.scale}"
        res["machine"] = f"{os.cpu_count()} vCPU (shared), load {os.getloadavg()[0]:.1f}"
    print(json.dumps(res, indent=2))
    ok = res["equal_to_clean"] == res["trials"] and res["clean_imports_equal"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
