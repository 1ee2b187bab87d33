"""Benchmark the file import path: N posts from JSONL and from CSV, beside DuckDB's own read.

    nice -n 15 python benchmarks/bench_import.py --posts 10000000 --out /tmp/ck-bench-import

For each format it writes N posts into ``--out`` (Instagram web post objects, one a line, for
JSONL; ``platform,handle,post_id,posted_at,caption,likes,comments,views`` rows for CSV), then
in the same run measures, each in a fresh child process (so peak RSS is per phase):

* ``duckdb_read``: DuckDB reading the same file and aggregating the same fields
  (``read_json`` / ``read_csv``): the limit an import can approach;
* ``import``: ``closeknit.connectors.importer.import_path`` into a fresh store (raw landing
  with content hashes, checks, quarantine, normalization, upsert), one atomic batch;
* ``reimport``: the same file again (every record a duplicate: a no-op).

Reports rows/s, the ratio import/duckdb_read, and peak RSS (MiB) of each phase as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import queue
import resource
import shutil
import time
from pathlib import Path
from typing import Any

WORDS = ("run", "coffee", "sunset", "new", "drop", "love", "gym", "recipe", "trip", "today")
TAGS = ("running", "fitness", "coffee", "travel", "ootd", "vegan", "ad", "gaming")


def write_jsonl(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        buf = []
        for i in range(n):
            owner = f"user{i % 100_000}"
            cap = f"{WORDS[i % 10]} {WORDS[(i // 10) % 10]} #{TAGS[i % 8]} @{WORDS[i % 7]}shop"
            obj = {
                "__typename": "GraphImage",
                "id": str(10**12 + i),
                "shortcode": f"S{i}",
                "is_video": False,
                "taken_at_timestamp": 1_690_000_000 + i * 7,
                "owner": {"id": str(i % 100_000), "username": owner},
                "edge_media_to_caption": {"edges": [{"node": {"text": cap}}]},
                "edge_media_preview_like": {"count": i % 5000},
                "edge_media_to_parent_comment": {"count": i % 60, "edges": []},
                "edge_media_to_sponsor_user": {"edges": []},
                "is_ad": False,
            }
            buf.append(json.dumps(obj) + "\n")
            if len(buf) >= 100_000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


def write_csv(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("platform,handle,post_id,posted_at,caption,likes,comments,views\n")
        buf = []
        for i in range(n):
            cap = f"{WORDS[i % 10]} {WORDS[(i // 10) % 10]} #{TAGS[i % 8]}"
            buf.append(
                f"instagram,user{i % 100_000},{10**12 + i},"
                f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00:00,{cap},{i % 5000},{i % 60},"
                f"{i % 9000}\n"
            )
            if len(buf) >= 100_000:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))


def _phase(kind: str, fmt: str, path: str, db: str, q: Any) -> None:
    from closeknit.store import open_store

    t0 = time.perf_counter()
    st = open_store(db)
    out: dict[str, Any] = {}
    if kind == "duckdb_read":
        p = path.replace("'", "''")
        if fmt == "jsonl":
            sql = (
                "SELECT count(*), sum(edge_media_preview_like.count), "
                "count(DISTINCT owner.username)"
                f" FROM read_json('{p}', format='newline_delimited', columns={{"
                f"'id': 'VARCHAR', 'owner': 'STRUCT(id VARCHAR, username VARCHAR)', "
                f"'edge_media_preview_like': 'STRUCT(count BIGINT)', "
                f"'taken_at_timestamp': 'BIGINT', 'edge_media_to_caption': "
                f"'STRUCT(edges STRUCT(node STRUCT(text VARCHAR))[])'}})"
            )
        else:
            sql = (
                f"SELECT count(*), sum(likes), count(DISTINCT handle) FROM read_csv('{p}', "
                f"header=true)"
            )
        out["rows"] = int(st.query(sql)[0]["count_star()"])
    else:
        from closeknit.connectors.importer import import_path

        source = "instagram" if fmt == "jsonl" else "posts_csv"
        res = import_path(st, "default", source, Path(path))
        out.update(
            rows=res.n_input,
            loaded=res.n_loaded,
            duplicate=res.n_duplicate,
            quarantined=res.n_quarantined,
            posts_table=st.count("posts"),
        )
    st.close()
    out["wall_s"] = round(time.perf_counter() - t0, 2)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = round(ru.ru_utime + ru.ru_stime, 2)  # all threads: stable on a busy machine
    out["peak_rss_mib"] = round(ru.ru_maxrss / 1024, 1)
    q.put(out)


def run_phase(kind: str, fmt: str, path: Path, db: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_phase, args=(kind, fmt, str(path), str(db), q))
    p.start()
    load0 = os.getloadavg()[0]
    while True:  # a child killed by the OOM killer never answers: report that, don't hang
        try:
            out = q.get(timeout=5)
            break
        except queue.Empty:
            if not p.is_alive():
                p.join()
                return {"failed": f"{kind} process died (exit code {p.exitcode})", "rows": 0}
    p.join()
    out["load_avg"] = round((load0 + os.getloadavg()[0]) / 2, 1)
    out["rows_per_s"] = round(out["rows"] / out["wall_s"]) if out.get("wall_s") else None
    out["rows_per_cpu_s"] = round(out["rows"] / out["cpu_s"]) if out.get("cpu_s") else None
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/ck-bench-import"))
    ap.add_argument("--formats", default="jsonl,csv")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "posts": a.posts,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f}",
        "results": {},
    }
    for fmt in a.formats.split(","):
        path = a.out / f"posts.{fmt}"
        t0 = time.perf_counter()
        (write_jsonl if fmt == "jsonl" else write_csv)(path, a.posts)
        r: dict[str, Any] = {
            "file_mib": round(path.stat().st_size / 2**20, 1),
            "write_s": round(time.perf_counter() - t0, 1),
        }
        db = a.out / f"bench-{fmt}.duckdb"
        for f in (db, Path(str(db) + ".wal")):
            f.unlink(missing_ok=True)
        r["duckdb_read"] = run_phase("duckdb_read", fmt, path, a.out / "read.duckdb")
        r["import"] = run_phase("import", fmt, path, db)
        r["reimport"] = run_phase("reimport", fmt, path, db)
        if all(r[k].get("rows_per_s") for k in ("import", "duckdb_read")):
            r["import_vs_duckdb_read"] = round(
                r["import"]["rows_per_s"] / r["duckdb_read"]["rows_per_s"], 4
            )
            r["import_vs_duckdb_read_cpu"] = round(
                r["import"]["rows_per_cpu_s"] / r["duckdb_read"]["rows_per_cpu_s"], 4
            )
        report["results"][fmt] = r
        print(json.dumps({fmt: r}), flush=True)
        if not a.keep:
            path.unlink()
            db.unlink(missing_ok=True)
    report["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))
    if not a.keep:
        shutil.rmtree(a.out, ignore_errors=True)


if __name__ == "__main__":
    main()
