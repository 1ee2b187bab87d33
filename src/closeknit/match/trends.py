"""Rising hashtags and the creators who used them first.

For each hashtag: posts and distinct creators using it in the window [since, until) and in the
window of the same length just before (or the same window a year earlier with
``compare='last_year'``, i.e. season over season). Its share of all posts in each window is
compared with a two-proportion z-test; a tag is "rising" when lift = share_now / share_before
(add-one smoothed) >= ``min_lift``, z >= ``min_z`` and at least ``min_creators`` creators used it
in the window (the guard against tiny counts). Early riders are the creators who used the tag
first (earliest post with it, over the whole history), with their first-use date.

Not topics, and never listed (the rule, not a hand list of tags):

* **disclosure markers**: the paid-content tags of :mod:`closeknit.features.disclosure`
  (#ad, #pub, #werbung, #collaborazione, ...): they rise whenever campaigns run;
* **generic tags**: tags used by creators of at least ``GENERIC_NICHE_SHARE`` (half) of the
  workspace's niches (``creator_niche``, at least ``MIN_NICHES`` of them) over the whole
  history, i.e. spread across niches rather than about one (#instagood, #love, #reels). Without
  assigned niches this rule cannot tell a generic tag from a popular trend and is not applied
  (a note says so).

The result says how many tags each rule left out, with examples.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from closeknit.errors import ValidationError
from closeknit.features.disclosure import DISCLOSURE_TAGS
from closeknit.figures import count
from closeknit.store import Store

GENERIC_NICHE_SHARE = 0.5  # used in this share of the niches or more: not about a topic
MIN_NICHES = 4  # fewer assigned niches than this: spread cannot be measured
_DISCLOSURE = frozenset(t.lower() for t in DISCLOSURE_TAGS)


@dataclass
class Trend:
    hashtag: str
    posts_now: int
    posts_before: int
    creators_now: int
    creators_before: int
    lift: float
    z: float
    early_riders: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["lift"] = round(self.lift, 3)
        d["z"] = round(self.z, 2)
        return d


@dataclass
class TrendsResult:
    since: dt.date
    until: dt.date
    before_start: dt.date
    before_end: dt.date
    total_now: int
    total_before: int
    trends: list[Trend]
    excluded: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "window": [self.since.isoformat(), self.until.isoformat()],
            "compared_with": [self.before_start.isoformat(), self.before_end.isoformat()],
            "posts_now": self.total_now,
            "posts_before": self.total_before,
            "excluded": self.excluded,
            "notes": self.notes,
            "trends": [t.to_dict() for t in self.trends],
        }

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "hashtag": f"#{t.hashtag}",
                "posts_now": t.posts_now,
                "posts_before": t.posts_before,
                "creators_now": t.creators_now,
                "lift": round(t.lift, 2),
                "z": round(t.z, 1),
                "early_riders": " ".join(f"@{r['handle']}" for r in t.early_riders),
            }
            for t in self.trends
        ]


def _z(a: int, n1: int, b: int, n0: int) -> float:
    if n1 == 0 or n0 == 0:
        return 0.0
    p1, p0 = a / n1, b / n0
    p = (a + b) / (n1 + n0)
    se = math.sqrt(max(p * (1 - p) * (1 / n1 + 1 / n0), 1e-12))
    return (p1 - p0) / se


def data_end(store: Store, workspace: str) -> dt.date:
    """The default end of a trends window: the day after the newest post (today when there is
    none), so "the last 90 days" are the data's last 90 days, however old the import."""
    last = store.scalar("SELECT max(posted_at) FROM posts WHERE workspace_id = ?", [workspace])
    return (last.date() if last else dt.date.today()) + dt.timedelta(days=1)


def trends(
    store: Store,
    workspace: str,
    since: dt.date,
    until: dt.date | None = None,
    *,
    compare: str = "previous",
    min_creators: int = 3,
    min_lift: float = 1.5,
    min_z: float = 2.0,
    limit: int = 20,
    riders: int = 10,
) -> TrendsResult:
    """Hashtags rising in [since, until) against the comparison window (see module docstring)."""
    if until is None:
        until = data_end(store, workspace)
    if until <= since:
        raise ValidationError("the window is empty: until must be after since", field="since")
    if compare == "previous":
        b_end, b_start = since, since - (until - since)
    elif compare == "last_year":
        b_start, b_end = since - dt.timedelta(days=365), until - dt.timedelta(days=365)
    else:
        raise ValidationError("compare is 'previous' or 'last_year'", field="compare")
    params = [workspace, since, until, b_start, b_end]
    tot = store.query(
        "SELECT count(*) FILTER (WHERE posted_at >= ? AND posted_at < ?) AS now,"
        " count(*) FILTER (WHERE posted_at >= ? AND posted_at < ?) AS before"
        " FROM posts WHERE workspace_id = ?",
        [since, until, b_start, b_end, workspace],
    )[0]
    n1, n0 = int(tot["now"]), int(tot["before"])
    rows = store.query(
        "WITH t AS (SELECT creator_id, posted_at, lower(unnest(hashtags)) AS tag FROM posts"
        " WHERE workspace_id = ? AND hashtags IS NOT NULL)"
        " SELECT tag,"
        " count(*) FILTER (WHERE posted_at >= ? AND posted_at < ?) AS p_now,"
        " count(DISTINCT creator_id) FILTER (WHERE posted_at >= $2 AND posted_at < $3) AS c_now,"
        " count(*) FILTER (WHERE posted_at >= ? AND posted_at < ?) AS p_before,"
        " count(DISTINCT creator_id) FILTER (WHERE posted_at >= $4 AND posted_at < $5) AS c_before"
        " FROM t GROUP BY tag",
        params,
    )
    generic, rule = _generic_tags(store, workspace)
    left: dict[str, list[str]] = {"disclosure": [], "generic": []}
    out: list[Trend] = []
    for r in rows:
        tag = str(r["tag"]).lstrip("#")
        if tag in _DISCLOSURE:
            left["disclosure"].append(tag)
            continue
        if tag in generic:
            left["generic"].append(tag)
            continue
        a, b = int(r["p_now"]), int(r["p_before"])
        if int(r["c_now"]) < min_creators or n1 == 0:
            continue
        lift = ((a + 1) / (n1 + 1)) / ((b + 1) / (n0 + 1))
        z = _z(a, n1, b, n0)
        if lift >= min_lift and z >= min_z:
            out.append(
                Trend(r["tag"].lstrip("#"), a, b, int(r["c_now"]), int(r["c_before"]), lift, z)
            )
    out.sort(key=lambda t: (-t.z, t.hashtag))
    out = out[:limit]
    for t in out:
        t.early_riders = [
            {
                "creator_id": r["creator_id"],
                "handle": r["handle"],
                "followers": r["followers"],
                "first_used": r["first_used"].date().isoformat() if r["first_used"] else None,
            }
            for r in store.query(
                "SELECT p.creator_id, c.handle, c.followers, min(p.posted_at) AS first_used"
                " FROM posts p JOIN creators c ON c.workspace_id = p.workspace_id"
                " AND c.creator_id = p.creator_id WHERE p.workspace_id = ?"
                " AND list_contains(list_transform(p.hashtags, lambda x: lower(x)), ?)"
                " GROUP BY ALL ORDER BY first_used, p.creator_id LIMIT ?",
                [workspace, t.hashtag, riders],
            )
        ]
    notes = [
        f"left out {count(len(v), f'{k} tag')} "
        f"({rule if k == 'generic' else 'paid-content markers'})"
        + ": "
        + ", ".join("#" + x for x in sorted(v)[:8])
        for k, v in left.items()
        if v  # "left out 0 disclosure tags" said nothing a reader needs
    ]
    return TrendsResult(
        since, until, b_start, b_end, n1, n0, out, {k: len(v) for k, v in left.items()}, notes
    )


def _generic_tags(store: Store, workspace: str) -> tuple[set[str], str]:
    """Tags spread across niches (see the module docstring) and the rule that applied."""
    n_niches = int(
        store.scalar(
            "SELECT count(DISTINCT niche) FROM creator_niche WHERE workspace_id = ?", [workspace]
        )
        or 0
    ) if _has(store, "creator_niche") else 0  # fmt: skip
    if n_niches >= MIN_NICHES:
        rows = store.query(
            "WITH t AS (SELECT DISTINCT p.creator_id, lower(unnest(p.hashtags)) AS tag FROM posts p"
            " WHERE p.workspace_id = ? AND p.hashtags IS NOT NULL)"
            " SELECT t.tag FROM t JOIN creator_niche n ON n.workspace_id = ?"
            " AND n.creator_id = t.creator_id GROUP BY t.tag"
            " HAVING count(DISTINCT n.niche) >= ?",
            [workspace, workspace, GENERIC_NICHE_SHARE * n_niches],
        )
        return {str(r["tag"]).lstrip("#") for r in rows}, (
            f"used in at least {GENERIC_NICHE_SHARE:.0%} of the {n_niches} niches"
        )
    return set(), (
        "not checked: the creators' niches are not assigned yet, and tags spread across niches "
        "are found through them"
    )


def _has(store: Store, table: str) -> bool:
    return bool(
        store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
    )
