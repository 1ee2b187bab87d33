"""Build the versioned ``creator_features`` table: portable SQL aggregates, then Python parts.

Steps of :func:`build`:

1. fingerprint every creator's inputs (``sql/fingerprint.sql``); an incremental build computes
   only creators whose fingerprint or feature set version differs from the stored row
   (``--full`` computes all); the chosen creators go to table ``feature_scope``; when anything
   changed, the pod inputs are read (the co-comment graph and the fast-comment rings): the reply
   rate leaves out pod partners' and ring accounts' comments, and a creator whose accounts to
   leave out changed is computed too;
2. the per-creator aggregates: each ``sql/*.sql`` file, one row per creator (Spark-portable);
3. the Python parts, in batches of creators: bot comments and sentiment, growth spikes,
   audience quality (classifiers from ``closeknit.features.models`` when installed);
4. the computed rows replace the old ones;
5. workspace-wide parts over every row (cheap): engagement pods on the co-comment graph read in 1,
   engagement percentiles within platform × tier × niche, and the two scores.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from closeknit.features import (
    audience,
    comments,
    disclosure,
    growth,
    pods,
    scores,
    sentiment,
    sqlfiles,
)
from closeknit.features.comment_staging import CommentStage, comments_frame, refresh_comment_dups
from closeknit.features.frame import MIN_QUALIFYING
from closeknit.features.models import AccountModel
from closeknit.features.version import FEATURE_SET_VERSION
from closeknit.settings import get_settings

if TYPE_CHECKING:
    from closeknit.store import Store

MIN_AGE_DAYS = 3
WINDOW_POSTS = 12
RECENT_POSTS = 30
MIN_TOP_COMMENTS = 5
MIN_SCORED_COMMENTS = 10
MIN_COHORT = 20
MIN_TIER_MEDIAN = 5  # rates a tier needs for its median to scale them (_cohorts)
#: a median engagement rate above this (more interactions a post than followers) is implausible
MAX_PLAUSIBLE_RATE = 1.0
BATCH = 20_000
# feature_scope is one staging table per workspace: builds in one process take turns
_BUILD_LOCK = threading.RLock()
log = logging.getLogger(__name__)

COLUMNS: list[str] = [
    "workspace_id", "creator_id", "platform", "handle", "feature_set_version", "computed_at",
    "as_of", "fingerprint", "followers", "tier", "n_posts", "n_posts_qualifying",
    "engagement_rate", "engagement_rate_views", "n_posts_views", "engagement_trend",
    "engagement_status", "posts_per_week", "last_post_at", "n_comments", "n_top_comments",
    "n_replied", "reply_rate", "median_reply_minutes", "comment_sentiment",
    "n_sentiment_comments", "n_recent_posts", "n_sponsored_posts", "sponsored_rate",
    "sponsor_brands", "n_snapshots", "follower_growth", "growth_spikes", "growth_anomaly",
    "n_scored_comments", "n_bot_comments", "bot_comment_share", "audience_sample_size",
    "audience_status", "audience_real_share", "audience_real_lo", "audience_real_hi",
    "audience_fake_share", "audience_fake_lo", "audience_fake_hi", "audience_inactive_share",
    "audience_inactive_lo", "audience_inactive_hi", "evidence",
]  # fmt: skip


@dataclass
class BuildResult:
    """What a build did."""

    workspace: str
    feature_set_version: str
    as_of: dt.datetime | None
    full: bool
    n_creators: int
    n_recomputed: int
    n_removed: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    n_pods: int = 0
    #: posts dated after the build's time (a typo like 2099, a scheduled post): not counted as
    #: posted yet, and they do not move ``as_of``
    n_future_posts: int = 0
    #: creators an incremental build left as they were (nothing of theirs changed) whose rows
    #: hold an earlier as_of than this build's, and the earliest of those
    n_older: int = 0
    older_as_of: dt.datetime | None = None

    @property
    def notes(self) -> list[str]:
        """What the build left out, in words."""
        out: list[str] = []
        if self.n_older and self.older_as_of is not None and self.as_of is not None:
            # a tester: after 3 late posts of 2 creators, 1,498 kept windows ending a few days
            # earlier and a full build changed the engagement figures of 670 of them; the line
            # showed the new as_of as if it held for every creator
            n = self.n_older
            out.append(
                f"{n:,} creator{'' if n == 1 else 's'} whose data did not change "
                f"{'keeps its' if n == 1 else 'keep their'} figures as of "
                f"{self.older_as_of:%Y-%m-%d %H:%M} or later, not {self.as_of:%Y-%m-%d %H:%M}: "
                "their time windows (recent posts, growth, trend) end there; a full build "
                "moves every creator to the latest data"
            )
        if self.n_future_posts:
            n = self.n_future_posts
            out.append(
                f"{n} post{'' if n == 1 else 's'} dated after the build's time "
                f"{'was' if n == 1 else 'were'} left out (not counted as posted yet; "
                "the dates may be wrong)"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "feature_set_version": self.feature_set_version,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "full": self.full,
            "n_creators": self.n_creators,
            "n_recomputed": self.n_recomputed,
            "n_unchanged": self.n_creators - self.n_recomputed,
            "n_removed": self.n_removed,
            "n_pods": self.n_pods,
            "n_older": self.n_older,
            "notes": self.notes,
            "seconds": round(self.seconds, 3),
            "steps": {k: round(v, 3) for k, v in self.steps.items()},
            "methods": self.methods,
        }


def now_utc() -> dt.datetime:
    """The build's current time, naive UTC as post times are stored (a function, so tests can
    set the clock)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def default_as_of(
    store: Store, workspace: str, now: dt.datetime | None = None
) -> dt.datetime | None:
    """The newest post or follower snapshot of the workspace that is not after ``now`` (the
    build's time): so historic and synthetic data work, and one post dated 2099 (a typo, a
    scheduled post) does not move every creator's "as of" into the future; None without either.

    Until feature set 1.2.5 the newest post alone: a snapshot imported a week after the last
    post (a creator's followers 6,933 → 14,933) was cut off, the jump unseen and nothing said
    (a tester), and the world's own last day of snapshots was dropped in every build."""
    now = now or now_utc()
    v = store.scalar(
        "SELECT greatest((SELECT max(posted_at) FROM posts WHERE workspace_id = $ws "
        "AND posted_at <= $now), (SELECT CAST(max(date) AS TIMESTAMP) FROM follower_snapshots "
        "WHERE workspace_id = $ws AND date <= CAST($now AS DATE)))",
        {"ws": workspace, "now": now},
    )
    return v if isinstance(v, dt.datetime) else None


def future_posts(store: Store, workspace: str, now: dt.datetime | None = None) -> int:
    """How many posts of the workspace are dated after ``now``: not counted as posted yet."""
    now = now or now_utc()
    n = store.scalar(
        "SELECT count(*) FROM posts WHERE workspace_id = ? AND posted_at > ?", [workspace, now]
    )
    return int(n or 0)


def params(workspace: str, as_of: dt.datetime, now: dt.datetime | None = None) -> dict[str, Any]:
    """The placeholder values every feature SQL file is rendered with."""
    out: dict[str, Any] = {
        "ws": workspace,
        "as_of": as_of,
        "now": max(now or now_utc(), as_of),
        "min_age_days": MIN_AGE_DAYS,
        "window_posts": WINDOW_POSTS,
        "recent_posts": RECENT_POSTS,
        "disclosed": sqlfiles.Raw(disclosure.disclosed_sql("p", "c.language")),
        "gifted": sqlfiles.Raw(disclosure.gifted_sql("p")),
        "scope": sqlfiles.scope_sql(workspace),
        "dup_min_creators": comments.DUP_MIN_CREATORS,
        "dup_max_text_ratio": comments.DUP_MAX_TEXT_RATIO,
        "pod_window_minutes": pods.POD_WINDOW_MINUTES,
        "ring_min_posts": pods.RING_MIN_POSTS,
        "ring_min_share": pods.RING_MIN_SHARE,
        "min_fast_posts": pods.MIN_FAST_POSTS,
        "min_pod_size": pods.MIN_POD_SIZE,
    }
    # the two pod inputs inlined into sql/replies_people.sql (the portable build's reply rate
    # leaves out the same pod partners and ring accounts as the product's: pods.reply_left_out)
    out["pod_edges"] = sqlfiles.Raw(_inlined("inputs/fast_cocomments", out))
    out["ring_comments"] = sqlfiles.Raw(_inlined("inputs/fast_repeat_comments", out))
    return out


def _inlined(name: str, p: dict[str, Any]) -> str:
    """An input SQL file rendered for use as a sub-query: without its comment lines."""
    sql = sqlfiles.render(name, p)
    return "\n  ".join(ln for ln in sql.splitlines() if not ln.lstrip().startswith("--"))


def tiers_of(followers: pd.Series) -> list[str | None]:
    """Vectorized :func:`closeknit.settings.tier_of` over the configured tiers."""
    tiers = sorted(get_settings().tiers, key=lambda t: t[1])
    bounds = np.array([t[1] for t in tiers], dtype=float)
    f = pd.to_numeric(followers, errors="coerce").to_numpy(dtype=float)
    idx = np.searchsorted(bounds, np.nan_to_num(f, nan=-1.0), side="right") - 1
    return [None if (np.isnan(v) or i < 0) else tiers[i][0] for v, i in zip(f, idx, strict=True)]


def build(
    store: Store,
    workspace: str,
    *,
    incremental: bool = True,
    as_of: dt.datetime | None = None,
    creators: list[str] | None = None,
    batch_size: int = BATCH,
) -> BuildResult:
    """Build (or refresh) ``creator_features`` for ``workspace``; see the module docstring.

    ``as_of`` defaults to the newest post or snapshot (:func:`default_as_of`); ``creators``
    limits the build to those creator ids (still skipping unchanged ones when ``incremental``).
    """
    with _BUILD_LOCK:
        return _build(store, workspace, incremental, as_of, creators, batch_size)


def _build(
    store: Store,
    workspace: str,
    incremental: bool,
    as_of: dt.datetime | None,
    creators: list[str] | None,
    batch_size: int,
) -> BuildResult:
    t0 = time.perf_counter()
    steps: dict[str, float] = {}
    started = dt.datetime.now()
    now = now_utc()
    as_of_v = as_of or default_as_of(store, workspace, now) or now
    p = params(workspace, as_of_v, now)
    n_future = future_posts(store, workspace, now)

    t = time.perf_counter()
    fp = sqlfiles.run(store, "fingerprint", p)
    fp_all = fp
    if creators is not None:
        fp = fp[fp["creator_id"].isin(set(creators))]
    old = store.df(
        "SELECT creator_id, fingerprint AS old_fp, feature_set_version AS old_v "
        "FROM creator_features WHERE workspace_id = ?",
        [workspace],
    )
    n_removed = 0
    if creators is None and not old.empty:
        gone = sorted(set(old["creator_id"]) - set(fp["creator_id"]))
        if gone:
            with store.transaction() as tx:
                tx.register("_gone", pa.table({"creator_id": gone}))
                tx.execute(
                    "DELETE FROM creator_features WHERE workspace_id = ? "
                    "AND creator_id IN (SELECT creator_id FROM _gone)",
                    [workspace],
                )
                tx.unregister("_gone")
            n_removed = len(gone)
    if incremental and not old.empty:
        m = fp.merge(old, on="creator_id", how="left")
        todo = m[(m["old_fp"] != m["fingerprint"]) | (m["old_v"] != FEATURE_SET_VERSION)]
        todo = todo[["creator_id", "fingerprint"]]
    else:
        todo = fp[["creator_id", "fingerprint"]]
    steps["fingerprint"] = time.perf_counter() - t
    log.info("feature build: %s %.1f s", "fingerprint", steps["fingerprint"])

    graph: tuple[pd.DataFrame, pd.DataFrame] | None = None
    left_out: dict[str, list[str]] = {}
    if len(todo) or n_removed:  # else nothing changed, and neither did any pod
        # the pod inputs, before the batches: the reply rate leaves out pod partners' and ring
        # accounts' comments (pods.reply_left_out); a creator whose accounts left out changed
        # (a partner's posts made a new pod) is recomputed though its own inputs did not change
        t = time.perf_counter()
        graph = _pod_inputs(store, p)
        left_out = pods.reply_left_out(*graph)
        moved = _left_out_moved(store, workspace, left_out, set(todo["creator_id"]))
        if moved:
            extra_rows = fp_all[fp_all["creator_id"].isin(moved)][["creator_id", "fingerprint"]]
            todo = pd.concat([todo, extra_rows], ignore_index=True)
        steps["pod_inputs"] = time.perf_counter() - t
        log.info("feature build: %s %.1f s", "pod_inputs", steps["pod_inputs"])
    todo = todo.sort_values("creator_id").reset_index(drop=True)

    methods: dict[str, str] = {"sentiment": sentiment.METHOD}
    if len(todo):
        _compute(store, workspace, todo, p, as_of_v, batch_size, steps, methods, left_out)
    t = time.perf_counter()
    n_pods = 0
    if graph is not None:  # otherwise the last build's workspace-wide pass still holds,
        n_pods = _global_pass(store, workspace, p, graph)
    else:  # but for the cohorts of niches assigned since (refresh_cohorts checks that)
        refresh_cohorts(store, workspace)
    steps["pods_percentiles_scores"] = time.perf_counter() - t
    log.info(
        "feature build: %s %.1f s", "pods_percentiles_scores", steps["pods_percentiles_scores"]
    )
    seconds = time.perf_counter() - t0
    n_total = int(
        store.scalar("SELECT count(*) FROM creator_features WHERE workspace_id = ?", [workspace])
    )
    older = (
        store.query(
            "SELECT count(*) AS n, min(as_of) AS first FROM creator_features "
            "WHERE workspace_id = ? AND as_of < ?",
            [workspace, as_of_v],
        )[0]
        if as_of_v is not None
        else {"n": 0, "first": None}
    )
    with store.transaction() as tx:
        tx.execute("DELETE FROM feature_scope WHERE workspace_id = ?", [workspace])
        tx.execute(
            "INSERT INTO feature_builds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, workspace, FEATURE_SET_VERSION, not incremental, as_of_v, started,
             dt.datetime.now(), n_total, len(todo), seconds],
        )  # fmt: skip
    return BuildResult(
        workspace=workspace,
        feature_set_version=FEATURE_SET_VERSION,
        as_of=as_of_v,
        full=not incremental,
        n_creators=n_total,
        n_recomputed=len(todo),
        n_removed=n_removed,
        seconds=seconds,
        steps=steps,
        methods=methods,
        n_pods=n_pods,
        n_future_posts=n_future,
        n_older=int(older["n"] or 0),
        older_as_of=older["first"],
    )


def _compute(
    store: Store,
    workspace: str,
    todo: pd.DataFrame,
    p: dict[str, Any],
    as_of: dt.datetime,
    batch_size: int,
    steps: dict[str, float],
    methods: dict[str, str],
    left_out: dict[str, list[str]],
) -> None:
    """Compute the rows of the creators in ``todo`` and write them, one batch at a time (so
    memory holds one batch's evidence, not the workspace's). ``left_out``: per creator, the
    accounts whose comments its reply rate leaves out (:func:`pods.reply_left_out`)."""
    t = time.perf_counter()
    scope = pa.table(
        {
            "workspace_id": [workspace] * len(todo),
            "creator_id": todo["creator_id"].tolist(),
            "batch": (np.arange(len(todo)) // max(batch_size, 1)).astype(np.int32),
        }
    )
    with store.transaction() as tx:
        tx.execute("DELETE FROM feature_scope WHERE workspace_id = ?", [workspace])
        tx.insert_arrow("feature_scope", scope)
    base = store.df(
        "SELECT c.creator_id, c.platform, c.handle, c.followers FROM creators c "
        "JOIN feature_scope s ON s.workspace_id = c.workspace_id AND s.creator_id = c.creator_id "
        "WHERE c.workspace_id = ?",
        [workspace],
    )
    df = todo.merge(base, on="creator_id", how="left")
    df["_batch"] = scope.column("batch").to_numpy()  # todo's order: merges keep left order
    for name in (*sqlfiles.AGGREGATES, "brands"):
        t1 = time.perf_counter()
        part = sqlfiles.run(store, name, p)
        df = df.merge(part, on="creator_id", how="left")
        steps[f"sql:{name}"] = time.perf_counter() - t1
        log.info("feature build: %s %.1f s", f"sql:{name}", steps[f"sql:{name}"])
    steps["sql"] = time.perf_counter() - t

    # -- derived per-creator values (the SQL gives raw aggregates) ------------------------
    # the follower count the rate was taken over (sql/engagement.sql): the creator's, else its
    # latest follower snapshot (a channel that hides its count); the tier is read off the same
    if "followers_rate" in df.columns:
        df["followers"] = df["followers"].where(df["followers"].notna(), df["followers_rate"])
    df["tier"] = tiers_of(df["followers"])
    nq = df["n_posts_qualifying"].fillna(0)
    ok = (nq >= MIN_QUALIFYING) & df["engagement_rate"].notna()
    df["engagement_status"] = np.where(ok, "ok", "insufficient_data")
    df.loc[~ok, "engagement_rate"] = np.nan
    df.loc[df["n_posts_views"].fillna(0) < MIN_QUALIFYING, "engagement_rate_views"] = np.nan
    prev_ok = ok & (df["n_posts_previous"].fillna(0) >= MIN_QUALIFYING)
    prev_ok &= df["engagement_rate_previous"].fillna(0) > 0
    df["engagement_trend"] = np.where(
        prev_ok, df["engagement_rate"] / df["engagement_rate_previous"] - 1.0, np.nan
    )
    span = df["cadence_span_days"].astype(float)
    cad_ok = (df["n_cadence_posts"].fillna(0) >= 2) & (span > 0)
    df["posts_per_week"] = np.where(
        cad_ok, (df["n_cadence_posts"] - 1) / (span.where(span > 0, 1.0) / 7.0), np.nan
    )
    few = df["n_top_comments"].fillna(0) < MIN_TOP_COMMENTS
    df.loc[few, ["reply_rate", "median_reply_minutes"]] = np.nan
    counts = [
        "n_posts", "n_comments", "n_top_comments", "n_replied", "n_recent_posts",
        "n_sponsored_posts", "n_posts_qualifying", "n_posts_views", "n_snapshots",
        "n_posts_undated", "n_posts_future", "n_posts_aged", "n_posts_aged_likes",
        "n_gifted_posts",
    ]  # fmt: skip
    for col in counts:
        df[col] = (df[col] if col in df.columns else pd.Series(0, index=df.index)).fillna(0)
        df[col] = df[col].astype("int64")
    df.loc[df["n_recent_posts"] == 0, "sponsored_rate"] = np.nan

    # -- Python parts, batch by batch ------------------------------------------------------
    judge_model, methods["comments"] = comments.load_model()
    acct_model, methods["audience"] = audience.load_model()
    t = time.perf_counter()
    refresh_comment_dups(store, workspace, p)
    judge = comments.TextJudge(judge_model)
    sentiments: dict[str, float | None] = {}
    steps["comment_dups"] = time.perf_counter() - t
    log.info("feature build: %s %.1f s", "comment_dups", steps["comment_dups"])
    computed_at = dt.datetime.now()
    n_batches = int(scope.column("batch").to_numpy().max()) + 1 if len(todo) else 0
    t = time.perf_counter()
    stage = CommentStage(store, workspace, as_of, n_batches)
    steps["comments"] = time.perf_counter() - t
    log.info("feature build: comments of %d batches staged %.1f s", n_batches, steps["comments"])
    try:
        _batches(store, workspace, df, n_batches, stage, judge, sentiments, acct_model, as_of,
                 computed_at, steps, methods, left_out)  # fmt: skip
    finally:
        stage.close()


def _batches(
    store: Store,
    workspace: str,
    df: pd.DataFrame,
    n_batches: int,
    stage: CommentStage,
    judge: comments.TextJudge,
    sentiments: dict[str, float | None],
    acct_model: AccountModel | None,
    as_of: dt.datetime,
    computed_at: dt.datetime,
    steps: dict[str, float],
    methods: dict[str, str],
    left_out: dict[str, list[str]],
) -> None:
    """The Python parts and the write, batch by batch."""
    for b in range(n_batches):
        extra: dict[str, dict[str, Any]] = {}
        evid: dict[str, dict[str, Any]] = {}
        t = time.perf_counter()
        _comment_part(stage, b, judge, sentiments, extra, evid, left_out)
        steps["comments"] = steps.get("comments", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        snaps = store.df(
            "SELECT f.creator_id, f.date, f.followers, f.source FROM follower_snapshots f "
            "JOIN feature_scope s ON s.workspace_id = f.workspace_id "
            "AND s.creator_id = f.creator_id "
            "WHERE f.workspace_id = ? AND s.batch = ? AND f.date <= CAST(? AS DATE)",
            [workspace, b, as_of],
        )
        for cid, g in growth.spikes(snaps).items():
            extra.setdefault(cid, {}).update(
                growth_spikes=g["growth_spikes"], growth_anomaly=g["growth_anomaly"]
            )
            evid.setdefault(cid, {})["growth"] = {
                "spikes": g["spikes"],
                "weekly_intervals": g["intervals"],
                "method": f"robust z ≥ {growth.Z_MIN} of weekly growth vs own history",
            }
        steps["growth"] = steps.get("growth", 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        cols = ", ".join(f"a.{c}" for c in audience.PROFILE_COLUMNS)
        samples = store.arrow(  # Arrow to pandas: store.df's frame, without Python strings
            f"SELECT a.creator_id, a.relation, {cols} FROM audience_samples a "
            "JOIN feature_scope s ON s.workspace_id = a.workspace_id "
            "AND s.creator_id = a.creator_id "
            "WHERE a.workspace_id = ? AND s.batch = ?",
            [workspace, b],
        ).to_pandas()
        for cid, q in audience.quality(samples, acct_model, methods["audience"]).items():
            ev = q.pop("evidence")
            extra.setdefault(cid, {}).update(q)
            evid.setdefault(cid, {})["audience"] = ev
        steps["audience"] = steps.get("audience", 0.0) + time.perf_counter() - t
        # a jump the follower sample contradicts (no fakes where bought followers would show)
        # is organic growth: not counted against authenticity, and said
        last = snaps.sort_values("date").groupby("creator_id", sort=False)["followers"].last()
        for cid, ev_ in evid.items():
            jumps = ev_.get("growth")
            if not jumps or not jumps.get("spikes"):
                continue
            why = growth.organic_by_sample(
                jumps["spikes"], last.get(cid), (extra.get(cid) or {}).get("audience_fake_hi")
            )
            if why:
                jumps["organic"] = why
                jumps["anomaly_in_jumps"] = extra[cid].get("growth_anomaly")
                extra[cid]["growth_anomaly"] = 0.0
            else:  # counted as bought: say what the data cannot tell
                jumps["why_unsure"] = growth.not_ruled_out(
                    jumps["spikes"], last.get(cid), (extra.get(cid) or {}).get("audience_fake_hi")
                )
        t = time.perf_counter()
        part = df[df["_batch"] == b]
        _row_evidence(part, evid)
        for cid in part["creator_id"]:
            # stored with the row even when none of their comments was counted: the next
            # build compares it with the accounts it finds then (_left_out_moved)
            if cid in left_out:
                tw = evid.setdefault(cid, {}).setdefault(
                    "two_way", {"n_left_out": 0, "n_left_out_replied": 0}
                )
                tw["left_out_accounts"] = left_out[cid]
        rows = _rows(part, extra, evid, workspace, as_of, computed_at)
        _write(store, workspace, rows, b)
        steps["write"] = steps.get("write", 0.0) + time.perf_counter() - t
        log.info(
            "feature build: batch %d/%d done (%s)",
            b + 1,
            n_batches,
            ", ".join(f"{k} {steps[k]:.1f} s" for k in ("comments", "growth", "audience", "write")),
        )


def plausible_rate(rate: float | None) -> bool:
    """Whether an engagement rate can be believed: a median post with more interactions than
    the account has followers (rate above :data:`MAX_PLAUSIBLE_RATE`) points at a stale or
    wrong follower count (12,000 followers, 50,000 likes a post), not at great engagement."""
    return rate is None or bool(np.isnan(rate)) or rate <= MAX_PLAUSIBLE_RATE


def engagement_why(r: dict[str, Any]) -> tuple[str, str] | None:
    """Why a creator's engagement rate is missing or not to be trusted, as (code, words):
    ``no_post_dates``, ``followers_unknown``, ``followers_zero``, ``likes_missing``,
    ``too_few_posts`` (status insufficient_data) or ``implausible`` (a rate is shown but not
    ranked nor scored); None when there is nothing to say."""

    def n(k: str) -> int:
        v = r.get(k)
        return 0 if v is None or pd.isna(v) else int(v)

    rate = r.get("engagement_rate")
    followers = r.get("followers")
    if r.get("engagement_status") == "ok":
        if plausible_rate(rate):
            return None
        assert rate is not None
        inter = rate * float(followers or 0)
        return (
            "implausible",
            f"the median post has {inter:,.0f} interactions but the account {followers:,.0f} "
            "followers (a rate above 100%): the follower count is likely stale or wrong, so the "
            "rate is not ranked among peers nor scored",
        )
    dated, undated = n("n_posts"), n("n_posts_undated")
    aged, liked = n("n_posts_aged"), n("n_posts_aged_likes")
    if dated == 0 and undated > 0:
        return (
            "no_post_dates",
            f"its {undated:,} post{'' if undated == 1 else 's'} ha{'s' if undated == 1 else 've'} "
            "no date (the import had none): the rate needs the last 12 posts at least "
            f"{MIN_AGE_DAYS} days old",
        )
    if dated == 0 and n("n_posts_future") > 0:
        k = n("n_posts_future")
        return (
            "too_few_posts",
            f"its {k:,} post{'' if k == 1 else 's'} {'is' if k == 1 else 'are'} dated after the "
            "build's time: not counted as posted yet",
        )
    if followers is None or pd.isna(followers):
        return ("followers_unknown", "its follower count is not known: the rate is per follower")
    if followers <= 0:
        return (
            "followers_zero",
            "its follower count is 0 (likely wrong or not exported): the rate is per follower",
        )
    if aged >= MIN_QUALIFYING and liked < MIN_QUALIFYING:
        views = r.get("engagement_rate_views")
        extra = (
            "; the views-based rate is shown, over comments only"
            if views is not None and not pd.isna(views)
            else ""
        )
        return (
            "likes_missing",
            f"{aged - liked:,} of its {aged:,} posts at least {MIN_AGE_DAYS} days old report no "
            f"like count (likes hidden or not exported); need {MIN_QUALIFYING} with likes{extra}",
        )
    words = f"{liked:,} qualifying post{'' if liked == 1 else 's'} (need {MIN_QUALIFYING})"
    young = dated - aged
    if young > 0:
        verb = "is" if young == 1 else "are"
        words += f"; {young:,} more {verb} younger than {MIN_AGE_DAYS} days"
    if undated:
        words += f"; {undated:,} ha{'s' if undated == 1 else 've'} no date"
    return ("too_few_posts", words)


def followers_evidence(followers: Any, date: Any) -> dict[str, Any]:
    """The evidence of a follower count read off the latest follower snapshot (the creator's
    profile had none: a channel that hides its subscriber count): where it came from, in
    words."""
    day = None if date is None or pd.isna(date) else pd.Timestamp(date).date().isoformat()
    when = f" of {day}" if day else ""
    return {
        "followers_source": "snapshot",
        "followers_snapshot_date": day,
        "followers_note": (
            f"follower count {int(followers):,} from the latest follower snapshot{when}: the "
            "profile does not show it"
        ),
    }


def _row_evidence(df: pd.DataFrame, evid: dict[str, dict[str, Any]]) -> None:
    """Evidence read off each row's aggregates: why the engagement rate is missing or not
    trusted, gifted posts, posts with no date or dated in the future."""
    cols = [
        "creator_id", "engagement_status", "engagement_rate", "engagement_rate_views",
        "followers", "n_posts", "n_posts_undated", "n_posts_future", "n_posts_aged",
        "n_posts_aged_likes", "n_gifted_posts", "followers_source", "followers_snapshot_date",
    ]  # fmt: skip
    for c in ("followers_source", "followers_snapshot_date"):
        if c not in df.columns:
            df = df.assign(**{c: None})
    recs: list[dict[str, Any]] = df[cols].to_dict("records")  # type: ignore[assignment]
    for r in recs:
        cid = str(r["creator_id"])
        why = engagement_why(r)
        aged, liked = int(r["n_posts_aged"]), int(r["n_posts_aged_likes"])
        eng: dict[str, Any] = {}
        if why is not None:
            eng |= {"reason": why[0], "why": why[1]}
        if aged > liked and not pd.isna(r["engagement_rate_views"]):
            eng["views_note"] = (
                f"{aged - liked:,} of the posts report no like count: the views-based rate "
                "counts their comments only"
            )
        if r["followers_source"] == "snapshot" and not pd.isna(r["followers"]):
            eng |= followers_evidence(r["followers"], r["followers_snapshot_date"])
        if eng:
            evid.setdefault(cid, {})["engagement"] = eng
        dates: dict[str, Any] = {}
        if r["n_posts_future"]:
            dates["n_future"] = int(r["n_posts_future"])
        if r["n_posts_undated"]:
            dates["n_undated"] = int(r["n_posts_undated"])
        if dates:
            evid.setdefault(cid, {})["post_dates"] = dates
        if r["n_gifted_posts"]:
            evid.setdefault(cid, {})["sponsorship"] = {
                "n_gifted_posts": int(r["n_gifted_posts"]),
                "gifted_rule": "#gifted and the like: unpaid product seeding, not counted as paid",
            }


def _rows(
    df: pd.DataFrame,
    extra: dict[str, dict[str, Any]],
    evid: dict[str, dict[str, Any]],
    workspace: str,
    as_of: dt.datetime,
    computed_at: dt.datetime,
) -> pd.DataFrame:
    """One batch's creator_features rows: its SQL aggregates joined with its Python parts."""
    ex = pd.DataFrame.from_dict(extra, orient="index")
    ex.index.name = "creator_id"
    want = [
        "n_scored_comments", "n_bot_comments", "bot_comment_share", "comment_sentiment",
        "n_sentiment_comments", "growth_spikes", "growth_anomaly", "audience_sample_size",
        "audience_status", "audience_real_share", "audience_real_lo", "audience_real_hi",
        "audience_fake_share", "audience_fake_lo", "audience_fake_hi", "audience_inactive_share",
        "audience_inactive_lo", "audience_inactive_hi",
    ]  # fmt: skip
    for c in want:
        if c not in ex.columns:
            ex[c] = None
    df = df.merge(ex[want].reset_index(), on="creator_id", how="left")
    # the two-way stream over people's comments, where the comment part judged any (a creator
    # whose comments have no text keeps the SQL counts over all of them)
    if "n_top_comments" in ex.columns:
        two_way = ["n_top_comments", "n_replied", "reply_rate", "median_reply_minutes"]
        people = ex[two_way].add_suffix("_people")
        df = df.merge(people.reset_index(), on="creator_id", how="left")
        have = df["n_top_comments_people"].notna()
        for c in two_way:
            df[c] = df[c].where(~have, df[f"{c}_people"])
        df["reply_rate"] = pd.to_numeric(df["reply_rate"], errors="coerce")
        df["median_reply_minutes"] = pd.to_numeric(df["median_reply_minutes"], errors="coerce")
        df["n_top_comments"] = df["n_top_comments"].fillna(0).astype("int64")
        df["n_replied"] = df["n_replied"].fillna(0).astype("int64")
        df.loc[df["reply_rate"].isna(), "median_reply_minutes"] = np.nan
    df["audience_sample_size"] = df["audience_sample_size"].fillna(0).astype("int64")
    df["audience_status"] = df["audience_status"].fillna("insufficient")
    df["evidence"] = [json.dumps(evid.get(c, {}), ensure_ascii=False) for c in df["creator_id"]]
    df["workspace_id"] = workspace
    df["feature_set_version"] = FEATURE_SET_VERSION
    df["computed_at"] = computed_at
    df["as_of"] = as_of
    df["sponsor_brands"] = [
        sorted(v) if isinstance(v, list | np.ndarray) else [] for v in df["sponsor_brands"]
    ]
    return df[COLUMNS]


def _comment_part(
    stage: CommentStage,
    batch: int,
    judge: comments.TextJudge,
    sentiments: dict[str, float | None],
    extra: dict[str, dict[str, Any]],
    evid: dict[str, dict[str, Any]],
    left_out: dict[str, list[str]] | None = None,
) -> None:
    """Bot-comment share of the comments other accounts left on each creator, and over its
    people's comments (not automated, not its pod's: ``left_out`` are the accounts whose
    comments are its pod's) their sentiment and its two-way stream (top-level ones)."""
    cm = stage.frame(batch)
    if cm.empty:
        return
    jd = comments.judge_frame(cm["text"], cm["dup"].to_numpy(dtype=bool), judge, sentiments)
    frame = pd.DataFrame(
        {"creator_id": cm["creator_id"].astype(str).array, "bot": jd.bot,
         "sent": jd.sentiment, "code": jd.codes, "dup": jd.dup}
    )  # fmt: skip
    # people's top-level comments, and those the creator answered: bots are not followers to
    # talk back to (counted, 167 of a creator's 226 comments read as a 5% reply rate where it
    # answered 20% of the people)
    top = cm["top"].to_numpy(dtype=bool) & ~np.asarray(jd.bot, dtype=bool)
    replied = cm["replied"].to_numpy(dtype=bool)
    # nor are a pod's comments: a pod partner or ring account comments on most posts for the
    # pod's sake and is not answered (282 pod comments and 53 fans' read as "replies to 11.6%"
    # where the creator answered 74% of its fans)
    pod = _left_out_mask(cm, left_out or {})
    human_top = top & ~pod
    # the comments from people, one definition for the reply rate and the sentiment: neither
    # automated nor the pod's (feature set 1.2.4: the sentiment was over every comment, so a
    # bot target's "Great post!" praise read +1.00 beside 9 comments from people)
    people = ~np.asarray(jd.bot, dtype=bool) & ~pod
    sent = np.asarray(jd.sentiment, dtype=float)
    frame["sent"] = np.where(people, sent, np.nan)
    frame["ht"] = human_top
    frame["hr"] = human_top & replied
    frame["lt"] = top & pod
    frame["lr"] = top & pod & replied
    # the reply delay over the same comments (a reply stamped before its comment is left out,
    # as replies.sql leaves it)
    minutes = pd.to_numeric(cm["reply_minutes"], errors="coerce").to_numpy(dtype=float)
    frame["rm"] = np.where(frame["hr"].to_numpy() & (minutes >= 0), minutes, np.nan)
    g = frame.groupby("creator_id", sort=False)
    agg = pd.DataFrame(
        {"n": g.size(), "k": g["bot"].sum(), "s": g["sent"].mean(), "ns": g["sent"].count(),
         "ht": g["ht"].sum(), "hr": g["hr"].sum(), "rm": g["rm"].median(),
         "lt": g["lt"].sum(), "lr": g["lr"].sum()}
    )  # fmt: skip
    # bot rows in (creator, comment id) order: the frame's rows come from a parallel join in no
    # fixed order, which made the examples and the order of the reasons vary between builds
    bots = frame[frame["bot"]]
    bots = bots.assign(_key=cm["comment_id"].astype(str).to_numpy()[bots.index.to_numpy()])
    bots = bots.sort_values(["creator_id", "_key"], kind="stable")
    reasons: dict[str, dict[str, int]] = {}
    if len(bots):
        sizes = bots.groupby(["creator_id", "code", "dup"], sort=False).size()
        for key_, n in sizes.items():
            k3: tuple[Any, Any, Any] = key_  # type: ignore[assignment]
            code, dup = int(k3[1]), bool(k3[2])
            flags = list(jd.unique[code].flags) + ([comments.DUP_FLAG] if dup else [])
            rs = reasons.setdefault(str(k3[0]), {})
            for f in flags:
                rs[f] = rs.get(f, 0) + int(n)
    examples: dict[str, list[dict[str, Any]]] = {}
    top = bots.groupby("creator_id", sort=False).head(5).index.to_numpy()
    sel = cm.iloc[top][["creator_id", "comment_id", "post_id", "author_handle", "text"]]
    for i, (cid, comment_id, post_id, author, text) in zip(
        top.tolist(), sel.itertuples(index=False, name=None), strict=True
    ):
        mp = jd.model_p(i)
        examples.setdefault(str(cid), []).append(
            {
                "comment_id": comment_id,
                "post_id": post_id,
                "author": author,
                "text": str(text)[:200],
                "flags": jd.flags_of(i),
                "model_p": None if mp is None else round(mp, 3),
            }
        )
    for cid, n_, k_, s_, ns_, ht_, hr_, rm_, lt_, lr_ in zip(
        agg.index,
        agg["n"],
        agg["k"],
        agg["s"],
        agg["ns"],
        agg["ht"],
        agg["hr"],
        agg["rm"],
        agg["lt"],
        agg["lr"],
        strict=True,
    ):
        key = str(cid)
        if int(lt_):
            evid.setdefault(key, {})["two_way"] = {
                "n_left_out": int(lt_),
                "n_left_out_replied": int(lr_),
            }
        n, k, ns, ht, hr = int(n_), int(k_), int(ns_), int(ht_), int(hr_)
        s = None if ns < MIN_SCORED_COMMENTS // 2 or pd.isna(s_) else float(s_)
        extra.setdefault(key, {}).update(
            n_scored_comments=n,
            n_bot_comments=k,
            bot_comment_share=(k / n) if n >= MIN_SCORED_COMMENTS else None,
            comment_sentiment=s,
            n_sentiment_comments=ns,
            n_top_comments=ht,
            n_replied=hr,
            reply_rate=(hr / ht) if ht >= MIN_TOP_COMMENTS else None,
            median_reply_minutes=None if pd.isna(rm_) else float(rm_),
        )
        evid.setdefault(key, {})["bot_comments"] = {
            "n_comments": n,
            "n_bot": k,
            "by_reason": reasons.get(key, {}),
            "examples": examples.get(key, []),
        }


def _left_out_mask(cm: pd.DataFrame, left_out: dict[str, list[str]]) -> np.ndarray:
    """Which comments of ``cm`` an account left out of its creator's reply rate wrote (its
    author, lower-cased, among the creator's ``left_out`` accounts)."""
    mask = np.zeros(len(cm), dtype=bool)
    if not left_out or cm.empty:
        return mask
    cids = cm["creator_id"].astype(str)
    idx = np.flatnonzero(cids.isin(list(left_out)).to_numpy())
    if len(idx):
        pairs = {(c, a) for c, accounts in left_out.items() for a in accounts}
        authors = cm["author_handle"].iloc[idx].fillna("").astype(str).str.lower()
        mask[idx] = [(c, a) in pairs for c, a in zip(cids.iloc[idx], authors, strict=True)]
    return mask


def _pod_inputs(store: Store, p: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The co-comment graph's edges and the fast-comment rings' rows, workspace-wide: what pods
    are found from (:func:`_global_pass`) and what the reply rate leaves out."""
    return (
        sqlfiles.run(store, "inputs/fast_cocomments", p),
        sqlfiles.run(store, "inputs/fast_repeat_comments", p),
    )


def _left_out_moved(
    store: Store, workspace: str, left_out: dict[str, list[str]], todo: set[str]
) -> set[str]:
    """Creators not in ``todo`` whose stored row left out other accounts' comments than
    ``left_out`` now names (the accounts are stored in the row's evidence, ``two_way``)."""
    rows = store.query(
        "SELECT creator_id, CAST(json_extract(evidence, '$.two_way.left_out_accounts') "
        "AS VARCHAR) AS accounts FROM creator_features WHERE workspace_id = ? "
        "AND json_extract(evidence, '$.two_way.left_out_accounts') IS NOT NULL",
        [workspace],
    )
    stored = {str(r["creator_id"]): json.loads(r["accounts"]) for r in rows}
    new = [c for c, a in left_out.items() if c not in todo and stored.get(c, []) != a]
    rows = store.query(
        "SELECT creator_id FROM creator_features WHERE workspace_id = ? "
        "AND creator_id IN (SELECT unnest(?::VARCHAR[]))",
        [workspace, new],
    ) if new else []  # fmt: skip
    moved = {str(r["creator_id"]) for r in rows}  # a row that exists, built without them
    moved |= {c for c, a in stored.items() if left_out.get(c, []) != a}
    return moved - todo


def _write(store: Store, workspace: str, rows: pd.DataFrame, batch: int) -> None:
    table = pa.Table.from_pandas(rows, preserve_index=False)
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM creator_features WHERE workspace_id = ? AND creator_id IN "
            "(SELECT creator_id FROM feature_scope WHERE workspace_id = ? AND batch = ?)",
            [workspace, workspace, batch],
        )
        tx.insert_arrow("creator_features", table, COLUMNS)


def _tier_positions() -> dict[str, float]:
    """Each configured tier's place on the follower scale, log10 of its lower bound (nano 3,
    micro 4, macro 5, mega 6 by default); the tier below the smallest one a decade under it."""
    tiers = get_settings().tiers
    lowest = min(t[1] for t in tiers)
    out = {name: math.log10(max(lower, 1)) for name, lower in tiers}
    out[f"below-{lowest}"] = math.log10(max(lowest, 1)) - 1.0
    return out


def _published_shape(x: float, where: dict[str, float]) -> float | None:
    """The published tier medians (:data:`scores.PUBLISHED_MEDIANS`) as a curve over the tier
    positions: log-linear between them, flat beyond the ends; None when none has a position."""
    pts = sorted(
        (where[t], math.log(m)) for (_, t), m in scores.PUBLISHED_MEDIANS.items() if t in where
    )
    if not pts:
        return None
    xs, ys = [p_[0] for p_ in pts], [p_[1] for p_ in pts]
    return float(math.exp(np.interp(x, xs, ys)))


def tier_median_estimate(
    x: float, usable: list[tuple[float, float, str]], where: dict[str, float]
) -> tuple[float, str] | None:
    """A median engagement rate for a tier at position ``x`` too thin for its own (fewer than
    MIN_TIER_MEDIAN rates), from the platform's tiers that have one (``usable``: position,
    median, name), and how, in words. Two or more: log-linear through the two nearest (between
    them, or beyond them, where it is held at the nearest one's median or lower above it, and
    at it or higher below: rates are not taken to rise with followers); one: its median moved
    along the published tier medians' curve. None when no tier of the platform has a median."""
    if not usable:
        return None
    near = sorted(usable, key=lambda u: (abs(u[0] - x), u[0]))
    if len(near) >= 2:
        (xa, ma, ta), (xb, mb, tb) = sorted(near[:2])
        slope = (math.log(mb) - math.log(ma)) / (xb - xa)
        est = math.exp(math.log(ma) + slope * (x - xa))
        if x > xb:
            est = min(est, mb)
        elif x < xa:
            est = max(est, ma)
        return est, f"estimated from the {ta} and {tb} medians"
    x1, m1, t1 = near[0]
    shape_x, shape_1 = _published_shape(x, where), _published_shape(x1, where)
    if shape_x is None or shape_1 is None:
        return None
    return m1 * shape_x / shape_1, f"estimated from the {t1} median and published tier medians"


def _cohorts(df: pd.DataFrame) -> pd.DataFrame:
    """Percentile of engagement_rate within platform × tier × niche, falling back to coarser
    cohorts when a cohort has fewer than MIN_COHORT members: platform × tier; then every tier of
    the platform with each rate divided by its tier's median (``platform×tier-relative``: a
    tier too small to rank in, the platform's dozen megas, is ranked by how far each stands
    above its own tier, not against a platform of nano creators whose raw rates are 6× higher,
    which put the best mega at 8.7%). A tier with fewer than MIN_TIER_MEDIAN rates has no median
    to trust: its median is estimated from the platform's other tiers
    (:func:`tier_median_estimate`: the YouTube megas, 4 of them, were ranked against the raw
    rates of 678 YouTube creators, 570 of them nano, so the best read "higher than 8.4%"), and
    the cohort says so (``platform×tier-relative×median: youtube / mega / estimated from the
    micro and macro medians``). The platform's raw rates only where no tier of it has a
    median. Below MIN_COHORT at the platform too there is no percentile (the cohort and its
    size are still given, to say why). The percentile is the share of the OTHER members ranked
    below, ties counting half: (average rank - 1) / (members - 1), so the top of any cohort is
    100% and the bottom 0%; ``engagement_cohort_size`` is the number of those other members.
    Implausible rates (:func:`plausible_rate`) are neither ranked nor ranked against."""
    out = pd.DataFrame(index=df.index)
    out["engagement_percentile"] = np.nan
    out["engagement_cohort"] = None
    out["engagement_cohort_size"] = np.nan
    rate = pd.to_numeric(df["engagement_rate"], errors="coerce")
    ok = rate.notna() & (rate <= MAX_PLAUSIBLE_RATE)
    if not ok.any():
        return out
    d = df[ok].copy()
    d["engagement_rate"] = rate[ok]
    plat = d["platform"].fillna("?")
    tier = d["tier"].fillna("below-" + str(min(t[1] for t in get_settings().tiers)))
    niche = d["niche"]
    er = d["engagement_rate"]
    every = pd.Series(True, index=d.index)
    by_tier = plat + "|" + tier
    # each tier's median, and for a tier too thin for one, an estimate from the other tiers
    where = _tier_positions()
    stats = er.groupby([plat, tier]).agg(["size", "median"])
    medians: dict[str, float] = {}
    how: dict[str, str] = {}
    for p_name, grp in stats.groupby(level=0):
        rows = [(str(t), int(n), float(m)) for (_, t), n, m in
                zip(grp.index, grp["size"], grp["median"], strict=True)]  # fmt: skip
        usable = [(where[t], m, t) for t, n, m in rows
                  if n >= MIN_TIER_MEDIAN and m > 0 and t in where]  # fmt: skip
        for t, n, m in rows:
            key_ = f"{p_name}|{t}"
            if n >= MIN_TIER_MEDIAN and m > 0:
                medians[key_] = m
                continue
            est = tier_median_estimate(where[t], usable, where) if t in where else None
            if est is not None and est[0] > 0:
                medians[key_], how[key_] = est
    tier_median = by_tier.map(medians)
    relative = er / tier_median
    estimated = by_tier.map(how).astype(object)
    # (label, the group ranked within, who may take it, the value ranked, the group as shown)
    levels = [
        ("platform×tier×niche", plat + "|" + tier + "|" + niche.fillna("?"), niche.notna(), er,
         None),
        ("platform×tier", by_tier, every, er, None),
        ("platform×tier-relative", plat, relative.notna(), relative, by_tier),
        ("platform", plat, every, er, None),
    ]  # fmt: skip
    assigned = pd.Series(False, index=d.index)
    for label, key, usable_, values, shown in levels:
        member = values.notna()
        counts = key[member].value_counts()
        sizes = key.map(counts).fillna(0)
        last = label == "platform"
        take = ~assigned & usable_ & ((sizes >= MIN_COHORT) | last)
        if not take.any():
            continue
        rank = values.groupby(key).rank(method="average")
        pct = (rank - 1.0) / (sizes - 1.0).where(sizes > 1)
        pct = pct.where(sizes >= MIN_COHORT)  # too few peers even at the platform: none
        idx = take[take].index
        out.loc[idx, "engagement_percentile"] = pct[idx]
        out.loc[idx, "engagement_cohort"] = (
            label + ": " + (key if shown is None else shown)[idx].str.replace("|", " / ")
        )
        if label == "platform×tier-relative":  # say whose median was estimated, and how
            for i in idx[estimated[idx].notna().to_numpy()]:
                out.at[i, "engagement_cohort"] = (
                    "platform×tier-relative×median: "
                    f"{str(by_tier[i]).replace('|', ' / ')} / {estimated[i]}"
                )
        out.loc[idx, "engagement_cohort_size"] = sizes[idx] - 1
        assigned |= take
    return out


def _niche_sql(store: Store) -> str:
    """SELECT of each creator's niche (``?`` = workspace): creator_niche when it exists, else
    the creator's first category."""
    if "creator_niche" in store.tables():
        cols = set(store.columns("creator_niche"))
        if {"creator_id", "niche", "workspace_id"} <= cols:
            return (
                "SELECT c.creator_id, coalesce(n.niche, c.categories[1]) AS niche "
                "FROM creators c LEFT JOIN creator_niche n "
                "ON n.workspace_id = c.workspace_id AND n.creator_id = c.creator_id "
                "WHERE c.workspace_id = ?"
            )
    return "SELECT creator_id, categories[1] AS niche FROM creators WHERE workspace_id = ?"


def _niches(store: Store, workspace: str) -> pd.DataFrame:
    """Each creator's niche (:func:`_niche_sql`) as a frame."""
    return store.df(_niche_sql(store), [workspace])


def _cohorts_stale(store: Store, workspace: str) -> int:
    """The rows ranked in another niche than the creator's niche now: one SQL statement (it
    runs on every incremental build, vet's one-creator builds included, so nothing of the
    workspace's creators travels through Python for it)."""
    n = store.scalar(
        "SELECT count(*) FROM creator_features f "
        f"LEFT JOIN ({_niche_sql(store)}) n USING (creator_id) "
        "WHERE f.workspace_id = ? AND f.cohort_niche IS DISTINCT FROM n.niche",
        [workspace, workspace],
    )
    return int(n or 0)


_SCORED_COLS = (
    "creator_id, platform, tier, followers, engagement_rate, engagement_status, n_posts, "
    "n_comments, reply_rate, comment_sentiment, engagement_trend, bot_comment_share, "
    "n_bot_comments, "
    "audience_real_share, audience_fake_share, audience_inactive_share, growth_anomaly"
)


def _global_pass(
    store: Store,
    workspace: str,
    p: dict[str, Any],
    graph: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> int:
    """Pods, percentiles and scores over every row of the workspace; returns the pod count.
    ``graph``: the pod inputs (:func:`_pod_inputs`) when the build already read them."""
    f = store.df(f"SELECT {_SCORED_COLS} FROM creator_features WHERE workspace_id = ?", [workspace])
    if f.empty:
        return 0
    edges, fast = graph if graph is not None else _pod_inputs(store, p)
    found = pods.find_pods(edges, dict(zip(f["creator_id"], f["n_posts"], strict=True)))
    # a pod whose other members are not in the workspace still shows as a ring of accounts
    rings = pods.find_rings(fast)
    found |= {cid: info for cid, info in rings.items() if cid not in found}
    f["pod_score"] = np.where(f["n_comments"].fillna(0) > 0, 0.0, np.nan)
    f["pod_id"] = None
    f["pod_members"] = [[] for _ in range(len(f))]
    f["pod_evidence"] = None
    pos = {c: i for i, c in enumerate(f["creator_id"])}
    for cid, info in found.items():
        i = pos.get(cid)
        if i is None:
            continue
        f.at[i, "pod_score"] = info["pod_score"]
        f.at[i, "pod_id"] = info["pod_id"]
        f.at[i, "pod_members"] = info["pod_members"]
        f.at[i, "pod_evidence"] = json.dumps(info["evidence"])
    _rank_and_score(store, workspace, f, with_pods=True)
    return len({v["pod_id"] for v in found.values() if v["pod_id"] is not None})


def refresh_cohorts(store: Store, workspace: str) -> int:
    """Engagement cohorts, percentiles and the scores again over the stored rows (pods kept):
    what a niche assignment changes without changing any creator's inputs. Returns the rows
    whose cohort niche had changed."""
    with _BUILD_LOCK:
        stale = _cohorts_stale(store, workspace)
        if stale:
            f = store.df(
                f"SELECT {_SCORED_COLS}, pod_score, CAST(pod_evidence AS VARCHAR) AS "
                "pod_evidence FROM creator_features WHERE workspace_id = ?",
                [workspace],
            )
            if not f.empty:
                _rank_and_score(store, workspace, f, with_pods=False)
        return stale


def _rank_and_score(store: Store, workspace: str, f: pd.DataFrame, *, with_pods: bool) -> None:
    """Cohorts (in each creator's niche now), percentiles and scores of ``f``, written back
    with the pods found when ``with_pods``."""
    f = f.merge(_niches(store, workspace), on="creator_id", how="left")
    f = pd.concat([f, _cohorts(f)], axis=1)
    # scores read these columns; scores._num already maps None / NaN / numpy values to floats
    used = [
        "audience_real_share", "audience_fake_share", "audience_inactive_share", "growth_anomaly",
        "bot_comment_share", "pod_score",
        # the genuine share of engagement (scores.genuine_share)
        "followers", "engagement_rate", "n_posts", "n_bot_comments", "pod_evidence",
        "engagement_percentile", "reply_rate", "comment_sentiment", "engagement_trend",
        "engagement_status",
    ]  # fmt: skip
    recs: list[dict[str, Any]] = f[used].to_dict("records")  # type: ignore[assignment]
    f["authenticity_score"] = [scores.authenticity(r).score for r in recs]
    f["engagement_quality_score"] = [scores.engagement_quality(r).score for r in recs]
    del recs
    cols: dict[str, Any] = {"creator_id": f["creator_id"].tolist()}
    types_: list[tuple[str, pa.DataType]] = [("creator_id", pa.string())]
    sets = []
    if with_pods:
        cols |= {
            "pod_score": _floats(f["pod_score"]),
            "pod_id": f["pod_id"].tolist(),
            "pod_members": f["pod_members"].tolist(),
            "pod_evidence": f["pod_evidence"].tolist(),
        }
        types_ += [
            ("pod_score", pa.float64()),
            ("pod_id", pa.string()),
            ("pod_members", pa.list_(pa.string())),
            ("pod_evidence", pa.string()),
        ]
        sets += ["pod_score = u.pod_score", "pod_id = u.pod_id", "pod_members = u.pod_members",
                 "pod_evidence = CAST(u.pod_evidence AS JSON)"]  # fmt: skip
    cols |= {
        "engagement_percentile": _floats(f["engagement_percentile"]),
        "engagement_cohort": f["engagement_cohort"].tolist(),
        "engagement_cohort_size": _floats(f["engagement_cohort_size"]),
        "authenticity_score": _floats(f["authenticity_score"]),
        "engagement_quality_score": _floats(f["engagement_quality_score"]),
        "cohort_niche": [None if pd.isna(v) else str(v) for v in f["niche"]],
    }
    types_ += [
        ("engagement_percentile", pa.float64()),
        ("engagement_cohort", pa.string()),
        ("engagement_cohort_size", pa.float64()),
        ("authenticity_score", pa.float64()),
        ("engagement_quality_score", pa.float64()),
        ("cohort_niche", pa.string()),
    ]
    sets += [
        "engagement_percentile = u.engagement_percentile",
        "engagement_cohort = u.engagement_cohort",
        "engagement_cohort_size = CAST(u.engagement_cohort_size AS BIGINT)",
        "authenticity_score = u.authenticity_score",
        "engagement_quality_score = u.engagement_quality_score",
        "cohort_niche = u.cohort_niche",
    ]
    upd = pa.table(cols, schema=pa.schema(types_))
    with store.transaction() as tx:
        tx.register("_feat_upd", upd)
        tx.execute(
            f"UPDATE creator_features AS f SET {', '.join(sets)} "
            "FROM _feat_upd u WHERE f.workspace_id = ? AND f.creator_id = u.creator_id",
            [workspace],
        )
        tx.unregister("_feat_upd")


def _floats(col: pd.Series) -> pa.Array:
    """A float column for Arrow with NaN / None as null."""
    v = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    return pa.array(v, type=pa.float64(), mask=np.isnan(v))


def comment_verdicts(
    store: Store, workspace: str, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """Every comment other accounts left on creators' posts with its bot verdict and flags
    (the same rules and model as the build; used by validation and for audits)."""
    as_of_v = as_of or default_as_of(store, workspace) or now_utc()
    model, _method = comments.load_model()
    refresh_comment_dups(store, workspace, params(workspace, as_of_v))
    cm = comments_frame(store, workspace, as_of_v)
    jd = comments.judge_frame(
        cm["text"], cm["dup"].to_numpy(dtype=bool), comments.TextJudge(model), {}
    )
    cm["bot"] = jd.bot
    cm["bot_flags"] = ["|".join(jd.flags_of(i)) for i in range(len(cm))]
    return cm
