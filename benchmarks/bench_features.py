"""Benchmark the feature build (closeknit.features.build) at growing creator counts.

    nice -n 15 .venv/bin/python benchmarks/bench_features.py --creators 10000 100000

Each size runs in its own child process (so peak memory is per run) against a fresh DuckDB
store filled straight by SQL with canonical rows shaped like the synthetic world's: per creator
``--posts`` posts (default 30), ``--comments`` comments a post (default 4; bots repeating their
texts across creators, pods of three commenting within minutes, ~30% of top-level comments
answered by the creator, ``--unique-text`` share of one-off comment texts, default 5%), 26
weekly follower snapshots (2% with a bought spike) and 20 sampled audience profiles. Reported:
data generation time, full build time and its steps, an incremental rebuild after 1% of the
creators got a new post, and peak RSS of the process (DuckDB included). Wall times depend on
what else the machine runs; ``full_build_cpu_s`` (process CPU time, all threads) is steadier.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FAN_TEXTS = [
    "love this!", "so good 😍", "you look great", "what brand is that?", "this is amazing",
    "great tip, thanks", "trying this tomorrow", "so inspiring", "where is this from?",
    "saving this", "how long did it take?", "yes!! 🙌", "liebe das!", "so schön 😍",
    "j'adore 😍", "trop beau", "me encanta", "qué bonito", "bellissimo", "adoro!",
]  # fmt: skip
BOT_TEXTS = ["Nice pic 🔥", "Great post!", "🔥🔥🔥", "Check my page for giveaways 🎁",
             "free followers at getfollows.example 🔥", "Awesome 💯"]  # fmt: skip


def _sql_list(items: list[str]) -> str:
    return "[" + ", ".join("'" + t.replace("'", "''") + "'" for t in items) + "]"


MAX_TEMP = "25GB"
CHUNK = 50_000  # creators per insert transaction: bounded memory at 1M creators


def fill(store: Any, n: int, posts: int, comments: int, unique_text: float) -> dict[str, int]:
    """Insert n creators and their posts, comments, snapshots and samples (deterministic).

    Rows are computed from the creator number alone (no joins), ``CHUNK`` creators per
    transaction, so generating 1M creators stays fast and bounded in memory."""
    fans = _sql_list(FAN_TEXTS)
    bots = _sql_list(BOT_TEXTS)
    pods = max(3, (n // 100) // 3 * 3)  # 1% of creators, in pods of three
    with store.transaction() as tx:
        tx.execute("CREATE OR REPLACE MACRO hh(x) AS CAST(hash(x) >> 1 AS BIGINT)")
        tx.execute(f"""
            CREATE OR REPLACE TABLE _bench_c AS
            SELECT i, 'instagram:c' || i AS creator_id, 'c' || i AS handle,
              CAST(1000 * pow(10, (hh(i) % 1000) / 1000.0 * 2.7) AS BIGINT) AS followers
            FROM range({n}) t(i)""")
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        with store.transaction() as tx:
            _fill_chunk(tx, lo, hi, n, posts, comments, unique_text, fans, bots, pods)
        logging.info("generated creators %d-%d of %d", lo, hi - 1, n)
    with store.transaction() as tx:
        tx.execute("DROP TABLE _bench_c")
    return {
        t: int(store.scalar(f"SELECT count(*) FROM {t}"))
        for t in ("creators", "posts", "comments", "follower_snapshots", "audience_samples")
    }


def _fill_chunk(
    tx: Any, lo: int, hi: int, n: int, posts: int, comments: int, unique_text: float,
    fans: str, bots: str, pods: int,
) -> None:  # fmt: skip
    c_in = f"FROM _bench_c c WHERE c.i >= {lo} AND c.i < {hi}"
    posted = "TIMESTAMP '2026-10-31 12:00:00' - INTERVAL 1 HOUR * (k * 70 + hh(c.i) % 50)"
    tx.execute(f"""
        INSERT INTO creators (workspace_id, creator_id, platform, handle, followers,
          following, posts_count, categories)
        SELECT 'default', creator_id, 'instagram', handle, followers, 500, 300,
          [(['fitness','cooking','travel','beauty','gaming','books'])[1 + hh(i) % 6]]
        {c_in}""")
    tx.execute(f"""
        INSERT INTO posts (workspace_id, post_id, platform, external_id, creator_id,
          posted_at, kind, caption, hashtags, mentions, likes, comments, is_sponsored)
        SELECT 'default', 'instagram:p' || (c.i * {posts} + k), 'instagram',
          'p' || (c.i * {posts} + k), c.creator_id, {posted}, 'image',
          CASE WHEN hh(c.i * 31 + k) % 10 = 0 THEN 'new drop from @brand' || (hh(k) % 50)
               || ' #ad' ELSE 'day ' || k END,
          ['instagood'],
          CASE WHEN hh(c.i * 31 + k) % 10 = 0 THEN ['brand' || (hh(k) % 50)] END,
          CAST(c.followers * (0.005 + (hh(c.i * 7 + k) % 100) / 4000.0) AS BIGINT),
          {comments}, FALSE
        FROM _bench_c c, range({posts}) t(k) WHERE c.i >= {lo} AND c.i < {hi}""")
    # top-level comments, then the creator's replies to ~30% of the fans' comments
    tx.execute(f"""
        INSERT INTO comments (workspace_id, comment_id, post_id, parent_comment_id,
          external_id, author_handle, text, posted_at, is_creator_reply)
        WITH x AS (
          SELECT 'instagram:p' || (c.i * {posts} + k) AS post_id, {posted} AS posted_at,
            c.i, c.handle, j, (c.i * {posts} + k) * {comments} + j AS id,
            hh((c.i * {posts} + k) * {comments} + j) AS h,
            CASE WHEN c.i < {pods} AND j < 2 THEN 'pod'
                 WHEN hh(c.i) % 10 = 0 AND j = 3 THEN 'bot' ELSE 'fan' END AS kind,
            (c.i - c.i % 3) + (c.i % 3 + 1 + j) % 3 AS partner
          FROM _bench_c c, range({posts}) t(k), range({comments}) u(j)
          WHERE c.i >= {lo} AND c.i < {hi}
        ), m AS (
          SELECT 'instagram:k' || x.id AS comment_id, x.post_id, x.kind, x.handle,
            CAST(x.id AS VARCHAR) AS external_id,
            CASE WHEN x.kind = 'pod' THEN 'c' || x.partner
                 WHEN x.kind = 'bot' THEN 'bot' || (x.h % 300)
                 ELSE 'fan' || (x.h % {n * 40}) END AS author_handle,
            CASE WHEN x.kind = 'pod' THEN 'Amazing content as always! 🙌🔥'
                 WHEN x.kind = 'bot' THEN ({bots})[1 + ((x.h % 300) * 7 + x.j) % 6]
                 WHEN (x.h % 10000) < {int(unique_text * 10000)} THEN 'comment number ' || x.id
                 ELSE ({fans})[1 + x.h % 20] END AS text,
            x.posted_at + INTERVAL 1 MINUTE * CASE WHEN x.kind = 'pod' THEN 2 + x.j
                 ELSE 30 + x.h % 2000 END AS posted_at
          FROM x
        )
        SELECT 'default', comment_id, post_id, NULL, external_id, author_handle, text,
          posted_at, FALSE FROM m
        UNION ALL
        SELECT 'default', comment_id || 'r', post_id, comment_id, NULL, handle,
          'thank you! ❤️', posted_at + INTERVAL 45 MINUTE, TRUE
        FROM m WHERE kind = 'fan' AND hh(comment_id) % 10 < 3""")
    tx.execute(f"""
        INSERT INTO follower_snapshots (workspace_id, creator_id, date, followers)
        SELECT 'default', c.creator_id, DATE '2026-10-31' - INTERVAL 7 DAY * (25 - w),
          CAST(c.followers * pow(1.01, w - 25)
               + CASE WHEN hh(c.i) % 50 = 0 AND w >= 15 THEN c.followers * 0.2 ELSE 0 END
               AS BIGINT)
        FROM _bench_c c, range(26) t(w) WHERE c.i >= {lo} AND c.i < {hi}""")
    tx.execute(f"""
        INSERT INTO audience_samples (workspace_id, creator_id, relation, handle, followers,
          following, posts_count, has_profile_pic, is_private, is_verified, has_external_url)
        SELECT 'default', c.creator_id, 'follower', 'fan' || (hh(c.i * 20 + s) % 1000000),
          CASE WHEN hh(c.i * 20 + s) % 10 = 0 THEN 10 ELSE 200 END,
          CASE WHEN hh(c.i * 20 + s) % 10 = 0 THEN 4000 ELSE 700 END,
          CASE WHEN hh(c.i * 20 + s) % 10 = 0 THEN 1 ELSE 40 END,
          hh(c.i * 20 + s) % 10 <> 0, FALSE, FALSE, FALSE
        FROM _bench_c c, range(20) t(s) WHERE c.i >= {lo} AND c.i < {hi}""")


def one(n: int, posts: int, comments: int, unique_text: float) -> dict[str, Any]:
    from closeknit.features import build
    from closeknit.store import Store

    tmp = Path(tempfile.mkdtemp(prefix="bench-features-"))
    st = Store(tmp / "b.duckdb", threads=2, memory_limit="6GB")
    # a cap on DuckDB's spill files: on a shared disk a query that needs more fails, rather than
    # filling the disk under other jobs (a 1M run did, with no cap)
    st.execute(f"SET GLOBAL max_temp_directory_size = '{MAX_TEMP}'")
    t = time.perf_counter()
    rows = fill(st, n, posts, comments, unique_text)
    gen = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    logging.info("generated %s in %.1f s; full build starts", rows, gen)
    full = build(st, "default", incremental=False)
    t_full, c_full = time.perf_counter() - t, time.process_time() - c
    logging.info("full build %.1f s wall, %.1f CPU-s; incremental build starts", t_full, c_full)
    # 1% of the creators get a new post: the incremental build recomputes only them
    st.execute(
        "INSERT INTO posts (workspace_id, post_id, platform, external_id, creator_id, posted_at, "
        "likes, comments) SELECT 'default', 'instagram:new' || creator_id, 'instagram', 'new', "
        "creator_id, TIMESTAMP '2026-10-31 13:00:00', 10, 0 FROM creators "
        "WHERE hash(creator_id) % 100 = 0"
    )
    t = time.perf_counter()
    inc = build(st, "default")
    t_inc = time.perf_counter() - t
    st.close()
    shutil.rmtree(tmp, ignore_errors=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "creators": n,
        "rows": rows,
        "generate_s": round(gen, 1),
        "full_build_s": round(t_full, 1),
        "full_build_cpu_s": round(c_full, 1),
        "full_steps_s": {k: round(v, 1) for k, v in full.steps.items()},
        "incremental_build_s": round(t_inc, 1),
        "incremental_recomputed": inc.n_recomputed,
        "pods_found": full.n_pods,
        "peak_rss_mb": round(peak_mb),
        "methods": full.methods,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description="feature build benchmark")
    ap.add_argument("--creators", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--posts", type=int, default=30)
    ap.add_argument("--comments", type=int, default=4)
    ap.add_argument("--unique-text", type=float, default=0.05)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one is not None:
        # progress (data generation, each build step and batch) goes to stderr as it happens
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
        print(json.dumps(one(a.one, a.posts, a.comments, a.unique_text)))
        return
    results = []
    for n in a.creators:
        cmd = [sys.executable, __file__, "--one", str(n), "--posts", str(a.posts),
               "--comments", str(a.comments), "--unique-text", str(a.unique_text)]  # fmt: skip
        out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(res)
        print(json.dumps(res), flush=True)
    if len(results) > 1:
        a0, a1 = results[0], results[-1]
        print(
            json.dumps(
                {
                    "scale": a1["creators"] / a0["creators"],
                    "time_ratio": round(a1["full_build_s"] / max(a0["full_build_s"], 1e-9), 2),
                    "memory_ratio": round(a1["peak_rss_mb"] / max(a0["peak_rss_mb"], 1), 2),
                }
            )
        )


if __name__ == "__main__":
    main()
