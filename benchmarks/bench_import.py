"""Benchmark the file import path: N posts from JSONL and from CSV, beside DuckDB's own read.

    nice -n 15 python benchmarks/bench_import.py --posts 10000000 --out /tmp/ck-bench-import
    nice -n 5 python benchmarks/bench_import.py --repeat 3 --file WORLD/instagram/posts-00000.jsonl

For each format it writes N posts into ``--out`` (Instagram web post objects, one a line, for
JSONL; ``platform,handle,post_id,posted_at,caption,likes,comments,views`` rows for CSV), then
in the same run measures, each in a fresh child process (so peak RSS is per phase):

* ``duckdb_table``: DuckDB reading the same file into a table of a fresh database file
  (``CREATE TABLE AS SELECT * FROM read_json / read_csv``, every column, committed): the
  baseline of issue 18 ("DuckDB's own read into a table");
* ``duckdb_read``: DuckDB reading the same file and aggregating a few fields (nothing
  stored): the bare read, a harder bound;
* ``import``: ``closeknit.connectors.importer.import_path`` into a fresh store (raw landing
  with content hashes, checks, quarantine, normalization, upsert), one atomic batch;
* ``reimport``: the same file again (every record a duplicate: a no-op).

With ``--repeat N`` every phase runs N times (the baselines and the import alternating, a
fresh store each time) and the medians are reported. Reports rows/s, the ratios
import/duckdb_table and import/duckdb_read (of the median rows/s), and peak RSS (MiB) of each
phase as JSON.
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
import statistics
import time
from collections.abc import Callable
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

    # schema set up before the clock starts: timed is the work on the file
    st = open_store(db, create=True)
    if kind in ("import", "reimport"):  # module imports before the clock too
        import closeknit.connectors.importer  # noqa: F401
        import closeknit.connectors.instagram  # noqa: F401
        import closeknit.connectors.posts_csv  # noqa: F401
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    if kind == "duckdb_table":
        p = path.replace("'", "''")
        fn = "read_json" if fmt == "jsonl" else "read_csv"
        st.execute(f"CREATE TABLE bench_read AS SELECT * FROM {fn}('{p}')")
        out["rows"] = int(st.scalar("SELECT count(*) FROM bench_read"))
    elif kind == "duckdb_read":
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
    st.close()  # checkpoints: the data is in the database file, as for the baseline
    send_timed(q, out, t0, ru0)


def send_timed(q: Any, out: dict[str, Any], t0: float, ru0: Any) -> None:
    """A child phase's result with its wall time, CPU time (all threads: steadier than wall on
    a busy machine) and peak RSS since ``t0``/``ru0``, sent to the parent."""
    out["wall_s"] = round(time.perf_counter() - t0, 2)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = round(ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime, 2)
    out["peak_rss_mib"] = round(ru.ru_maxrss / 1024, 1)
    q.put(out)


def run_in_child(target: Callable[..., None], kind: str, *args: str) -> dict[str, Any]:
    """``target(kind, *args, queue)`` in a fresh process (no cache or import shared with the
    parent); its result with the load average and rates beside it."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=target, args=(kind, *args, q))
    p.start()
    load0 = os.getloadavg()[0]
    while True:  # a child killed by the OOM killer never answers: report that, don't hang
        try:
            out: dict[str, Any] = q.get(timeout=5)
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


def run_phase(kind: str, fmt: str, path: Path, db: Path) -> dict[str, Any]:
    return run_in_child(_phase, kind, fmt, str(path), str(db))


PHASES = ("duckdb_table", "duckdb_read", "import", "reimport")


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The medians of a phase's numeric results over its runs (and every run's wall time)."""
    if len(runs) == 1 or any("failed" in x for x in runs):
        return runs[0] if len(runs) == 1 else {"failed": [x.get("failed") for x in runs]}
    out: dict[str, Any] = {}
    for k, v in runs[0].items():
        vals = [x[k] for x in runs if isinstance(x.get(k), int | float)]
        if len(vals) != len(runs):
            out[k] = v
        elif all(isinstance(x, int) for x in vals):  # counts stay whole numbers
            out[k] = statistics.median_low(vals)
        else:
            out[k] = round(statistics.median(vals), 3)
    out["walls_s"] = [x["wall_s"] for x in runs]
    out["runs"] = len(runs)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=10_000_000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/ck-bench-import"))
    ap.add_argument("--formats", default="jsonl,csv")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each phase (medians)")
    ap.add_argument(
        "--file",
        type=Path,
        help="an existing Instagram posts .jsonl (a world's instagram/posts-*.jsonl) or posts "
        ".csv to measure instead of written ones (never deleted)",
    )
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "posts": a.posts,
        "machine": f"{platform.machine()}, {os.cpu_count()} cpu, load {os.getloadavg()[0]:.1f}",
        "results": {},
    }
    given = a.file.resolve() if a.file else None
    formats = [given.suffix.lstrip(".").lower()] if given else a.formats.split(",")
    for fmt in formats:
        path = given or a.out / f"posts.{fmt}"
        t0 = time.perf_counter()
        if not given:
            (write_jsonl if fmt == "jsonl" else write_csv)(path, a.posts)
        r: dict[str, Any] = {
            "file": str(path),
            "file_mib": round(path.stat().st_size / 2**20, 1),
            "write_s": round(time.perf_counter() - t0, 1),
        }
        db = a.out / f"bench-{fmt}.duckdb"
        runs: dict[str, list[dict[str, Any]]] = {k: [] for k in PHASES}
        for _ in range(a.repeat):
            for f in (db, Path(str(db) + ".wal"), a.out / "read.duckdb"):
                f.unlink(missing_ok=True)
            runs["duckdb_table"].append(run_phase("duckdb_table", fmt, path, a.out / "read.duckdb"))
            runs["duckdb_read"].append(run_phase("duckdb_read", fmt, path, a.out / "mem.duckdb"))
            runs["import"].append(run_phase("import", fmt, path, db))
            runs["reimport"].append(run_phase("reimport", fmt, path, db))
        for k in PHASES:
            r[k] = median_run(runs[k])
        for base in ("duckdb_table", "duckdb_read"):
            if all(r[k].get("rows_per_s") for k in ("import", base)):
                r[f"import_vs_{base}"] = round(r["import"]["rows_per_s"] / r[base]["rows_per_s"], 4)
                r[f"import_vs_{base}_cpu"] = round(
                    r["import"]["rows_per_cpu_s"] / r[base]["rows_per_cpu_s"], 4
                )
        report["results"][fmt] = r
        print(json.dumps({fmt: r}), flush=True)
        if not a.keep:
            if not given:
                path.unlink()
            db.unlink(missing_ok=True)
    report["load_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))
    if not a.keep:
        if given:  # the given file may lie under --out: remove only what the bench wrote
            for f in a.out.glob("*.duckdb*"):
                f.unlink(missing_ok=True)
        else:
            shutil.rmtree(a.out, ignore_errors=True)


if __name__ == "__main__":
    main()
