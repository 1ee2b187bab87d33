"""``vet``: one creator's features with the evidence behind every number.

The stored ``creator_features`` row gives the numbers; the evidence that is cheap to recompute for
one creator (the posts behind the engagement median, the disclosed posts and their markers,
competitor conflicts) is read live from the canonical tables with the same rules the build uses.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from closeknit import figures
from closeknit.errors import NotFound
from closeknit.features import builder as fb
from closeknit.features import disclosure, pods, scores, sentiment
from closeknit.features.version import older_feature_sets, older_note
from closeknit.jsonable import to_jsonable
from closeknit.settings import get_settings
from closeknit.store.creators import resolve_creator

if TYPE_CHECKING:
    from closeknit.store import Store


@dataclass
class VetReport:
    """Everything ``closeknit vet`` shows; ``to_dict()`` is JSON-safe."""

    creator: dict[str, Any]
    features: dict[str, Any]
    engagement: dict[str, Any]
    two_way: dict[str, Any]
    authenticity: dict[str, Any]
    sponsorship: dict[str, Any]
    scores: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(
            {
                "creator": self.creator,
                "engagement": self.engagement,
                "two_way": self.two_way,
                "authenticity": self.authenticity,
                "sponsorship": self.sponsorship,
                "scores": self.scores,
                "features": self.features,
                "notes": self.notes,
            }
        )


def vet(
    store: Store,
    workspace: str,
    creator: str,
    *,
    competitors: list[str] | None = None,
    refresh: bool = True,
) -> VetReport:
    """Vet one creator ('@handle' or creator_id). Builds its features first when missing or
    stale (``refresh``); ``competitors`` are brand names checked against its paid posts."""
    c = resolve_creator(store, workspace, creator)
    cid = c["creator_id"]
    notes: list[str] = []
    older = older_feature_sets(store, workspace)
    if older:
        # vetting data of another version: refreshing this creator alone would recompute it
        # (and the creators its pod inputs moved) and re-score the whole workspace against the
        # rest, so that discover and the plan answered differently after one profile was read;
        # a creator with no vetting data yet is still built, to be vetted at all
        notes.append(older_note(older))
    if refresh and not store.read_only:
        if not older or not store.scalar(
            "SELECT count(*) FROM creator_features WHERE workspace_id = ? AND creator_id = ?",
            [workspace, cid],
        ):
            fb.build(store, workspace, incremental=True, creators=[cid])
    elif refresh:
        # a store opened read-only (a notebook's second look at the file) is read as built:
        # vet failed there, since its build writes even when nothing changed
        notes.append(
            "the store is open read-only: these are the features as last built "
            "(open it for writing to bring them up to date)"
        )
    rows = store.query(
        "SELECT * FROM creator_features WHERE workspace_id = ? AND creator_id = ?", [workspace, cid]
    )
    if not rows:
        raise NotFound(
            f"no vetting data for {cid} yet: build the vetting data to vet it", creator=cid
        )
    f = rows[0]
    ev = json.loads(f["evidence"]) if f.get("evidence") else {}
    pod_ev = json.loads(f["pod_evidence"]) if f.get("pod_evidence") else None
    members = [str(m) for m in (f["pod_members"] or [])]
    as_of = f["as_of"]
    others = store.query(
        "SELECT creator_id FROM creators WHERE workspace_id = ? AND lower(handle) = ? "
        "AND creator_id <> ?",
        [workspace, c["handle"].lower(), cid],
    )
    if others:
        notes.append(
            "same handle on other platforms: " + ", ".join(o["creator_id"] for o in others)
        )

    # the follower count the rate was taken over: the profile's, else the latest snapshot's
    eng_posts = _engagement_posts(
        store, workspace, cid, as_of, f.get("followers") or c.get("followers")
    )
    recent = _recent_posts(store, workspace, cid, as_of, c.get("language"))
    brands = disclosure.brands_of(recent["all"])
    conflicts = disclosure.conflicts(brands, competitors or [])
    # a brand @mentioned only in posts not marked as paid: an undisclosed deal looks like this
    mentions = disclosure.conflicts(disclosure.mentions_of(recent["all"]), competitors or [])
    bench = scores.PUBLISHED_MEDIANS.get((c["platform"], f.get("tier") or ""))

    engagement = {
        "engagement_rate": f["engagement_rate"],
        "status": f["engagement_status"],
        "formula": (
            "median over the last 12 posts at least 3 days older than as_of of "
            "(likes + comments + shares + saves where reported) / followers"
        ),
        "as_of": as_of,
        "followers": f["followers"],
        "tier": f["tier"],
        "n_posts": f["n_posts"],
        "n_posts_qualifying": f["n_posts_qualifying"],
        "min_qualifying": fb.MIN_QUALIFYING,
        "posts_used": eng_posts["window"],
        "engagement_rate_views": f["engagement_rate_views"],
        "n_posts_views": f["n_posts_views"],
        "views_formula": "median (likes + comments) / views over the last 12 qualifying videos",
        "trend": f["engagement_trend"],
        "trend_formula": "median of last 12 / median of the 12 before - 1",
        "posts_per_week": f["posts_per_week"],
        "last_post_at": f["last_post_at"],
        "percentile": f["engagement_percentile"],
        "cohort": f["engagement_cohort"],
        "cohort_size": f["engagement_cohort_size"],
        "published_median": bench,
        "published_median_source": "HypeAuditor 2026 (Instagram), other formula" if bench else None,
        # why the rate is missing or not ranked, in words (no post dates, follower count
        # unknown or 0, likes missing, too few posts, implausible): the interfaces say it
        "reason": (ev.get("engagement") or {}).get("reason"),
        "why": (ev.get("engagement") or {}).get("why"),
    }
    tw = ev.get("two_way") or {}
    thin = scores.thin_parts(f)
    two_way = {
        "reply_rate": f["reply_rate"],
        "n_top_comments": f["n_top_comments"],
        "n_replied": f["n_replied"],
        "median_reply_minutes": f["median_reply_minutes"],
        "n_comments": f["n_comments"],
        "comment_sentiment": f["comment_sentiment"],
        "n_sentiment_comments": f["n_sentiment_comments"],
        "sentiment_method": sentiment.METHOD,
        # the pod's comments, not counted among the people's (pods.reply_left_out)
        "n_left_out": int(tw.get("n_left_out") or 0),
        "n_left_out_replied": int(tw.get("n_left_out_replied") or 0),
        "left_out_accounts": list(tw.get("left_out_accounts") or []),
        "left_out_words": _left_out_words(tw),
        # a reply rate on fewer than scores.THIN_COMMENTS comments is said to be thin
        "note": (thin["reply_rate"]["words"] if "reply_rate" in thin else None)
        if f["reply_rate"] is not None else
        f"fewer than {fb.MIN_TOP_COMMENTS} top-level comments from people (automated ones "
        "and the pod's left out): not judged",
    }  # fmt: skip
    authenticity = {
        "audience": {
            # three estimated shares (prevalences, not mean probabilities) with 90% intervals
            "real_share": f["audience_real_share"],
            "real_interval_90": [f["audience_real_lo"], f["audience_real_hi"]],
            "inactive_share": f.get("audience_inactive_share"),
            "inactive_interval_90": [f.get("audience_inactive_lo"), f.get("audience_inactive_hi")],
            "fake_share": f.get("audience_fake_share"),
            "fake_interval_90": [f.get("audience_fake_lo"), f.get("audience_fake_hi")],
            "counts_against_authenticity": "fake and inactive"
            if get_settings().audience_inactive_counts_against
            else "fake only",
            "sample_size": f["audience_sample_size"],
            "status": f["audience_status"],
            "evidence": ev.get("audience"),
        },
        "growth": {
            "spikes": f["growth_spikes"],
            "anomaly": f["growth_anomaly"],
            "n_snapshots": f["n_snapshots"],
            "follower_growth": f["follower_growth"],
            "evidence": ev.get("growth"),
        },
        "bot_comments": {
            "share": f["bot_comment_share"],
            "n_bot": f["n_bot_comments"],
            "n_scored": f["n_scored_comments"],
            "evidence": ev.get("bot_comments"),
        },
        "pods": {
            "pod_score": f["pod_score"],
            "pod_id": f["pod_id"],
            "members": members,
            # the other members by handle, for people to read (members are creator ids and
            # include the creator itself)
            "partner_handles": _handles(store, workspace, [m for m in members if m != cid]),
            "ring_accounts": [r["account"] for r in (pod_ev or {}).get("ring_accounts", [])],
            "window_minutes": pods.POD_WINDOW_MINUTES,
            "evidence": pod_ev,
        },
    }
    sponsorship = {
        "sponsored_rate": f["sponsored_rate"],
        "n_recent_posts": f["n_recent_posts"],
        "n_sponsored_posts": f["n_sponsored_posts"],
        "window": f"the {fb.RECENT_POSTS} most recent posts up to {figures.day(as_of)}",
        "disclosed_posts": recent["disclosed"],
        "brands": [{"brand": b, "post_ids": ids} for b, ids in sorted(brands.items())],
        "competitors_checked": competitors or [],
        "competitor_conflicts": conflicts,
        "competitor_mentions": mentions,
        "competitor_findings": disclosure.competitor_findings(
            competitors or [], conflicts, mentions
        ),
    }
    notes.extend(_notes(f, ev, recent))
    notes.extend(_thin_notes(thin))
    row = {k: v for k, v in f.items() if k not in ("evidence", "pod_evidence")}
    why = ev.get("engagement") or {}
    row["engagement_reason"] = why.get("reason")
    row["engagement_why"] = why.get("why")
    # where the follower count came from (a profile that hides it: the latest snapshot)
    row["followers_source"] = why.get("followers_source") or (
        "profile" if f.get("followers") is not None else None
    )
    # the parts measured on too few comments to lean on (scores.thin_parts)
    row["thin_parts"] = thin
    # unpaid product seeding ("#gifted"), apart from the paid posts (the sponsorship result
    # has no field for them: the features row carries them, and a note says how many)
    row["n_gifted_posts"] = len(recent["gifted"])
    row["gifted_posts"] = recent["gifted"]
    auth = scores.authenticity(f).to_dict()
    qual = scores.engagement_quality(f).to_dict()
    return VetReport(
        creator={
            "creator_id": cid,
            "platform": c["platform"],
            "handle": c["handle"],
            "name": c.get("name"),
            # the profile's count, else the one the rate was taken over (its latest follower
            # snapshot, said in a note): "follower count not known" beside 53 snapshots
            "followers": c.get("followers")
            if c.get("followers") is not None
            else (None if f.get("followers") is None else int(f["followers"])),
            "country": c.get("country"),
            "categories": c.get("categories"),
            "feature_set_version": f["feature_set_version"],
            "computed_at": f["computed_at"],
        },
        features=row,
        engagement=engagement,
        two_way=two_way,
        authenticity=authenticity,
        sponsorship=sponsorship,
        scores={"authenticity": auth, "engagement_quality": qual},
        notes=notes,
    )


def _handles(store: Store, workspace: str, ids: list[str]) -> list[str]:
    """The handles of creator ids, in the ids' order (an id with no creator row: the part after
    the platform)."""
    if not ids:
        return []
    rows = store.query(
        "SELECT creator_id, handle FROM creators WHERE workspace_id = ? "
        "AND creator_id IN (SELECT unnest(?::VARCHAR[]))",
        [workspace, ids],
    )
    got = {r["creator_id"]: r["handle"] for r in rows}
    return [str(got.get(i) or i.split(":", 1)[-1]) for i in ids]


def _left_out_words(tw: dict[str, Any]) -> str | None:
    """What the reply rate left out of the pod's comments, in words (None when nothing)."""
    n = int(tw.get("n_left_out") or 0)
    if not n:
        return None
    k = len(tw.get("left_out_accounts") or [])
    return (
        f"{figures.count(n, 'comment')} by {figures.count(k, 'account')} of its pod or "
        "fast-comment ring not counted (they comment for the pod, not as followers to answer)"
    )


def _engagement_posts(
    store: Store, workspace: str, cid: str, as_of: dt.datetime, followers: int | None
) -> dict[str, Any]:
    """The qualifying posts behind the median (same rule as sql/engagement.sql)."""
    rows = store.query(
        "SELECT post_id, posted_at, likes, comments, shares, saves, views, url FROM posts "
        "WHERE workspace_id = ? AND creator_id = ? AND likes IS NOT NULL "
        "AND posted_at <= CAST(? AS TIMESTAMP) - INTERVAL 3 DAY "
        "ORDER BY posted_at DESC, post_id DESC LIMIT ?",
        [workspace, cid, as_of, fb.WINDOW_POSTS],
    )
    for r in rows:
        inter = r["likes"] + (r["comments"] or 0) + (r["shares"] or 0) + (r["saves"] or 0)
        r["interactions"] = inter
        r["er"] = inter / followers if followers else None
        r["er_views"] = (r["likes"] + (r["comments"] or 0)) / r["views"] if r["views"] else None
    return {"window": rows}


def _thin_notes(thin: dict[str, dict[str, Any]]) -> list[str]:
    """The reply rate and sentiment measured on few comments, in words."""
    names = {"reply_rate": "replies", "comment_sentiment": "sentiment"}
    return [f"{names[k]}: {v['words']}" for k, v in thin.items() if k in names]


def _notes(f: dict[str, Any], ev: dict[str, Any], recent: dict[str, Any]) -> list[str]:
    """What the numbers leave unsaid: why the engagement rate is missing or not trusted, an
    unranked rate, posts left out for their dates, gifted posts."""
    out: list[str] = []
    eng = ev.get("engagement") or {}
    if eng.get("why"):
        head = "engagement not judged" if eng.get("reason") != "implausible" else "engagement"
        out.append(f"{head}: {eng['why']}")
    if eng.get("views_note"):
        out.append(f"engagement: {eng['views_note']}")
    if eng.get("followers_note"):
        out.append(f"engagement: {eng['followers_note']}")
    growth = ev.get("growth") or {}
    if growth.get("why_unsure") and f.get("growth_anomaly"):
        out.append(
            f"growth: the jumps count against authenticity as bought followers, but "
            f"{growth['why_unsure']}"
        )
    pct, cohort = f.get("engagement_percentile"), f.get("engagement_cohort")
    if (
        pct is None
        and f.get("engagement_status") == "ok"
        and cohort
        and eng.get("reason") != "implausible"
    ):
        n = int(f.get("engagement_cohort_size") or 0)
        out.append(
            f"engagement percentile: not ranked, {n} other creator{'' if n == 1 else 's'} "
            f"with a rate in {cohort} (a cohort needs {fb.MIN_COHORT} creators)"
        )
    dates = ev.get("post_dates") or {}
    if dates.get("n_future"):
        k = int(dates["n_future"])
        out.append(
            f"{k} post{'' if k == 1 else 's'} dated after the build's time left out (not "
            "counted as posted yet; the date may be wrong)"
        )
    if dates.get("n_undated"):
        k = int(dates["n_undated"])
        out.append(f"{k} post{'' if k == 1 else 's'} with no date left out")
    g = len(recent["gifted"])
    if g:
        out.append(
            f"{g} of the {fb.RECENT_POSTS} most recent posts {'is' if g == 1 else 'are'} "
            "gifted (#gifted: unpaid product seeding), not counted as sponsored"
        )
    return out


def _flag_label(r: dict[str, Any]) -> str:
    """Whose paid flag ``is_sponsored`` is: a posts file's column, the platform's, or (stored by
    an import that also read tags into it) either."""
    if r.get("source") == "posts_csv":
        return "marked sponsored in the imported file"
    if disclosure.import_tag_in(r["caption"], r["hashtags"]):
        return "sponsored flag stored at import (the platform's, or a tag the import read)"
    return disclosure.FLAG_LABEL


def _recent_posts(
    store: Store, workspace: str, cid: str, as_of: dt.datetime, language: str | None = None
) -> dict[str, Any]:
    rows = store.query(
        "SELECT post_id, posted_at, caption, hashtags, mentions, is_sponsored, sponsor_brands, "
        "url, source FROM posts WHERE workspace_id = ? AND creator_id = ? AND posted_at <= ? "
        "ORDER BY posted_at DESC, post_id DESC",
        [workspace, cid, as_of],
    )
    disclosed = []
    gifted = []
    for i, r in enumerate(rows):
        m = disclosure.markers(
            r["caption"],
            r["hashtags"],
            is_sponsored=r["is_sponsored"],
            sponsor_brands=r["sponsor_brands"],
            language=language,
            flag_label=_flag_label(r) if r["is_sponsored"] else disclosure.FLAG_LABEL,
        )
        r["disclosed"] = bool(m)
        item = {
            "post_id": r["post_id"],
            "posted_at": r["posted_at"],
            "markers": m,
            "sponsor_brands": r["sponsor_brands"] or [],
            "mentions": r["mentions"] or [],
            "url": r["url"],
        }
        if m and i < fb.RECENT_POSTS:
            disclosed.append(item)
        elif not m and i < fb.RECENT_POSTS and disclosure.is_gifted(r["caption"], r["hashtags"]):
            gifted.append(item | {"markers": ["#gifted (unpaid seeding, not paid)"]})
    return {"all": rows, "disclosed": disclosed, "gifted": gifted}
