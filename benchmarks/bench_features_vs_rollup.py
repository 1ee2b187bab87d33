"""The full feature build against a bare DuckDB rollup of the same posts, in the same run.

    nice -n 15 .venv/bin/python benchmarks/bench_features_vs_rollup.py --creators 10000 --repeats 5

Generates a synthetic world (``closeknit.world.generate``, seed 1) and imports it into a fresh
store, or uses ``--store FILE`` (an imported store; it is copied, never changed). Then, per
repeat, on the same store and DuckDB settings (2 threads):

* **baseline**: one SQL statement over ``posts`` joined to ``creators``, grouped per creator
  (post count, likes, comments, median and mean engagement per post, last post, sponsored
  posts), materialized as a DuckDB table - the issue's yardstick;
* **all inputs**: one SQL statement rolling up every table the build reads (posts, comments
  through their posts, follower snapshots, audience samples) per creator - a wider floor;
* **product**: ``closeknit.features.build(store, workspace, incremental=False)``, the code path
  of ``closeknit features build --full``.

Printed: one JSON line per repeat, then the medians (wall and process CPU seconds, CPU counting
DuckDB's threads), the product's median step times and the ratios product / baseline and
product / all inputs of the median wall times (and of the median CPU times, steadier on a shared
machine).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROLLUP = """
CREATE OR REPLACE TABLE _bench_rollup AS
SELECT p.creator_id,
       count(*) AS n_posts,
       sum(p.likes) AS likes,
       sum(p.comments) AS comments,
       median((coalesce(p.likes, 0) + coalesce(p.comments, 0)) / greatest(c.followers, 1))
         AS median_engagement,
       avg((coalesce(p.likes, 0) + coalesce(p.comments, 0)) / greatest(c.followers, 1))
         AS mean_engagement,
       max(p.posted_at) AS last_post_at,
       count(*) FILTER (WHERE p.is_sponsored) AS n_sponsored
FROM posts p
JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
WHERE p.workspace_id = ?
GROUP BY p.creator_id
"""

# every input the build reads, rolled up per creator in one statement (a wider floor)
ROLLUP_ALL = """
CREATE OR REPLACE TABLE _bench_rollup_all AS
WITH p AS (
  SELECT p.creator_id, count(*) AS n_posts,
         median((coalesce(p.likes, 0) + coalesce(p.comments, 0)) / greatest(c.followers, 1))
           AS median_engagement,
         max(p.posted_at) AS last_post_at, count(*) FILTER (WHERE p.is_sponsored) AS n_sponsored
  FROM posts p
  JOIN creators c ON c.workspace_id = p.workspace_id AND c.creator_id = p.creator_id
  WHERE p.workspace_id = $ws GROUP BY p.creator_id
), k AS (
  SELECT p.creator_id, count(*) AS n_comments,
         count(*) FILTER (WHERE k.is_creator_reply) AS n_replies,
         count(DISTINCT k.author_handle) AS n_authors, count(DISTINCT k.text) AS n_texts
  FROM comments k JOIN posts p ON p.workspace_id = k.workspace_id AND p.post_id = k.post_id
  WHERE k.workspace_id = $ws GROUP BY p.creator_id
), s AS (
  SELECT creator_id, count(*) AS n_snapshots, min(followers) AS f_min, max(followers) AS f_max
  FROM follower_snapshots WHERE workspace_id = $ws GROUP BY creator_id
), a AS (
  SELECT creator_id, count(*) AS n_samples, avg(following) AS avg_following,
         avg(CASE WHEN has_profile_pic THEN 1 ELSE 0 END) AS pic_share
  FROM audience_samples WHERE workspace_id = $ws GROUP BY creator_id
)
SELECT c.creator_id, p.n_posts, p.median_engagement, p.last_post_at, p.n_sponsored,
       k.n_comments, k.n_replies, k.n_authors, k.n_texts, s.n_snapshots, s.f_min, s.f_max,
       a.n_samples, a.avg_following, a.pic_share
FROM creators c
LEFT JOIN p ON p.creator_id = c.creator_id
LEFT JOIN k ON k.creator_id = c.creator_id
LEFT JOIN s ON s.creator_id = c.creator_id
LEFT JOIN a ON a.creator_id = c.creator_id
WHERE c.workspace_id = $ws
"""


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _prepare(a: argparse.Namespace, tmp: Path) -> Path:
    from closeknit.connectors.importer import import_world
    from closeknit.store import Store
    from closeknit.world import generate

    db = tmp / "bench.duckdb"
    if a.store is not None:
        shutil.copyfile(a.store, db)
        return db
    world = tmp / "world"
    t = time.perf_counter()
    generate(world, a.creators, a.seed, workers=2)
    print(json.dumps({"generated_s": round(time.perf_counter() - t, 1)}), flush=True)
    t = time.perf_counter()
    st = Store(db, threads=2)
    import_world(st, a.workspace, world)
    st.close()
    shutil.rmtree(world, ignore_errors=True)
    print(json.dumps({"imported_s": round(time.perf_counter() - t, 1)}), flush=True)
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creators", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--store", type=Path, default=None, help="an imported store (copied)")
    ap.add_argument("--workspace", default="default")
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    from closeknit.features import build
    from closeknit.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="bench-feat-rollup-"))
    try:
        db = _prepare(a, tmp)
        st = Store(db, threads=2)
        n_posts = int(st.scalar("SELECT count(*) FROM posts WHERE workspace_id = ?", [a.workspace]))
        runs: list[dict[str, Any]] = []
        for r in range(a.repeats):
            t, c = time.perf_counter(), _cpu()
            st.execute(ROLLUP, [a.workspace])
            base_s, base_cpu = time.perf_counter() - t, _cpu() - c
            n_rows = int(st.scalar("SELECT count(*) FROM _bench_rollup"))
            t, c = time.perf_counter(), _cpu()
            st.execute(ROLLUP_ALL, {"ws": a.workspace})
            all_s, all_cpu = time.perf_counter() - t, _cpu() - c
            t, c = time.perf_counter(), _cpu()
            res = build(st, a.workspace, incremental=False)
            prod_s, prod_cpu = time.perf_counter() - t, _cpu() - c
            run = {
                "repeat": r + 1,
                "baseline_s": round(base_s, 3),
                "baseline_cpu_s": round(base_cpu, 3),
                "baseline_rows": n_rows,
                "all_inputs_s": round(all_s, 3),
                "all_inputs_cpu_s": round(all_cpu, 3),
                "product_s": round(prod_s, 3),
                "product_cpu_s": round(prod_cpu, 3),
                "product_rows": res.n_recomputed,
                "steps_s": {k: round(v, 3) for k, v in res.steps.items()},
            }
            runs.append(run)
            print(json.dumps(run), flush=True)
        st.execute("DROP TABLE IF EXISTS _bench_rollup")
        st.execute("DROP TABLE IF EXISTS _bench_rollup_all")
        st.close()

        def med(key: str) -> float:
            return statistics.median(float(x[key]) for x in runs)

        steps = sorted({k for x in runs for k in x["steps_s"]})
        summary = {
            "creators": runs[0]["product_rows"],
            "posts": n_posts,
            "repeats": a.repeats,
            "baseline_median_s": round(med("baseline_s"), 3),
            "product_median_s": round(med("product_s"), 3),
            "ratio_wall": round(med("product_s") / max(med("baseline_s"), 1e-9), 1),
            "baseline_median_cpu_s": round(med("baseline_cpu_s"), 3),
            "product_median_cpu_s": round(med("product_cpu_s"), 3),
            "ratio_cpu": round(med("product_cpu_s") / max(med("baseline_cpu_s"), 1e-9), 1),
            "all_inputs_median_s": round(med("all_inputs_s"), 3),
            "ratio_wall_all_inputs": round(med("product_s") / max(med("all_inputs_s"), 1e-9), 1),
            "ratio_cpu_all_inputs": round(
                med("product_cpu_s") / max(med("all_inputs_cpu_s"), 1e-9), 1
            ),
            "product_median_steps_s": {
                k: round(statistics.median(x["steps_s"].get(k, 0.0) for x in runs), 3)
                for k in steps
            },
        }
        print(json.dumps(summary), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
