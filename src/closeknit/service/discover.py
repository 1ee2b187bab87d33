"""Discover: a brief -> ranked, explained creators; lookalikes of a creator; rising topics.

Besides the brief's own filters (platforms, tiers, countries, audience age and gender, minimum
authenticity, maximum sponsored rate, competitors, budget), :class:`Filters` narrows the
candidates by follower range, engagement-rate range, niche, caption keywords or hashtags, fee
range and the audience shares the brief asks for. Shares and rates are fractions (0.02 = 2%),
scores 0-100, money in the workspace currency. Each result says in one line why it fits.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from closeknit import figures, match
from closeknit.errors import ValidationError
from closeknit.features.scores import inflation_words
from closeknit.match import Brief
from closeknit.match.audience import asked_dims, audience_shares
from closeknit.match.candidates import CandidateTable, get_table
from closeknit.match.rank import DEFAULT_WEIGHTS, left_out_text
from closeknit.match.relevance import ON_BRIEF_BAR, content_query, excerpt
from closeknit.service.base import Date, Day, In, Out
from closeknit.service.briefs import (
    BriefIn,
    BriefOut,
    Filters,
    currency_note,
    language_note,
    reading_notes,
    saved_brief_in,
)
from closeknit.service.flags import authenticity_caveat, authenticity_unsampled, flag_rows
from closeknit.store import Store, resolve_creator_id

Model = Literal["minilm", "minilm-fp32", "minilm-numpy", "static", "hash"]
EMPTY_BRIEF = (
    "the brief is empty: describe the product and audience, e.g. 'home workout gear, UK, 18-25'"
)


Sort = Literal["score", "followers", "engagement", "authenticity", "fee"]


def left_out(excluded: dict[str, int], counts: dict[str, int]) -> dict[str, int]:
    """How many creators each filter left out: the ranking's own counts (``excluded``), where
    the creators :func:`restrict` added to the brief's exclusions count under "excluded", with
    those put back under their filters (``counts``)."""
    if not counts:
        return dict(excluded)
    left = excluded.get("excluded", 0) - sum(counts.values())
    out = {k: v for k, v in excluded.items() if k != "excluded"}
    if left > 0:
        out["excluded"] = left
    out.update(counts)
    return out


def restrict(
    store: Store, workspace: str, brief: Brief, f: Filters
) -> tuple[Brief, dict[str, int]]:
    """The brief with every creator a narrowing filter rules out added to ``exclude``, and how
    many each filter ruled out (a creator counts under the first filter it fails)."""
    f.check_ranges()
    if f.min_audience_share is not None:
        asked = {
            "min_country_share": bool(brief.countries),
            "min_age_share": bool(brief.audience_age),
            "min_gender_share": bool(brief.audience_gender),
        }
        if not any(asked.values()):
            raise ValidationError(
                "name a country, an age range or a gender to filter by audience share",
                field="min_audience_share",
            )
        f = f.model_copy(
            update={
                k: getattr(f, k) if getattr(f, k) is not None else f.min_audience_share
                for k, on in asked.items()
                if on
            }  # fmt: skip
        )
    need = {
        "min_country_share": (brief.countries, "a country"),
        "min_age_share": (brief.audience_age, "an age range"),
        "min_gender_share": (brief.audience_gender, "a gender"),
    }
    for key, (have, what) in need.items():
        if getattr(f, key) is not None and not have:
            raise ValidationError(f"set {what} to filter by its share of the audience", field=key)
    t = get_table(store, workspace)
    n = len(t)
    out = np.zeros(n, bool)
    counts: dict[str, int] = {}

    def rule(reason: str, bad: np.ndarray) -> None:
        new = bad & ~out
        k = int(new.sum())
        if k:
            counts[reason] = counts.get(reason, 0) + k
            out[:] |= new

    fol = t.followers
    if f.min_followers is not None:
        rule("followers", ~(fol >= f.min_followers))
    if f.max_followers is not None:
        rule("followers", ~(fol <= f.max_followers))
    er = t.engagement_rate
    if f.min_engagement_rate is not None:
        rule("engagement_rate", ~(er >= f.min_engagement_rate))
    if f.max_engagement_rate is not None:
        rule("engagement_rate", ~(er <= f.max_engagement_rate))
    if f.niches:
        want = {x.lower() for x in f.niches}
        ok = np.fromiter(
            (bool(h) and str(v).lower() in want for v, h in zip(t.niche, t.has_niche, strict=True)),
            bool,
            n,
        )
        rule("niche", ~ok)
    if f.min_fee is not None:
        rule("fee", ~(t.fee >= f.min_fee))
    if f.max_fee is not None:
        rule("fee", ~(t.fee <= f.max_fee))
    # a share the user asks for is also where relevance puts the audience's bar: a creator the
    # filter lets through is on brief by its audience (the learned bar, about 50% of the
    # audience in the brief's countries, would otherwise still rank a 40% one off brief)
    bars = {
        d: v
        for d, v in (
            ("country", f.min_country_share),
            ("age", f.min_age_share),
            ("gender", f.min_gender_share),
        )
        if v is not None
    }
    if bars:
        shares = measured_shares(t, brief)
        for dim, bar in bars.items():
            share = shares.get(dim)
            if share is not None:
                rule("audience", ~(np.isfinite(share) & (share >= bar)))
        brief = brief.model_copy(update={"audience_bars": {**brief.audience_bars, **bars}})
    if f.keywords:
        hit = set(_keyword_creators(store, workspace, f.keywords))
        ok = np.fromiter((str(c) in hit for c in t.ids), bool, n)
        rule("keywords", ~ok)
    if not out.any():
        return brief, counts
    ruled_out = [str(c) for c in t.ids[out]]
    return brief.model_copy(update={"exclude": [*brief.exclude, *ruled_out]}), counts


#: up to this many countries in a brief, each one nobody matches is named
PLACES_NAMED = 4


def unmatched_places(
    t: CandidateTable, brief: Brief, given_platforms: list[str] | None = None
) -> str | None:
    """A note naming the brief's countries no creator of the workspace is based in nor has a
    measured audience in, and its platforms no creator is on when it names others too: those
    parts match nobody ("UK & Ireland" in a workspace without Ireland read as the UK alone,
    silently). A brief naming only absent platforms already gets an empty result that says
    so. A platform counts as asked for when the brief's text names it or the caller gave it:
    "not YouTube" reads as every other platform, and one of those missing is no news."""
    said: list[str] = []
    asked = set(given_platforms or []) | {
        p for p in brief.platforms if re.search(rf"\b{re.escape(p)}\b", brief.text.lower())
    }
    plats = [p for p in brief.platforms if p in asked and p not in set(t.platform.tolist())]
    if plats and len(plats) < len(brief.platforms):
        said.append(
            "no creator here is on " + " or ".join(figures.PLATFORM_NAMES.get(p, p) for p in plats)
        )
    measured = t.demo.get("country", {})
    homes = set(t.country.tolist())
    places = [c for c in brief.countries if c not in homes and c not in measured]
    # a region's many countries ("Europe": 30) are a wide net, not a list of asks: said only
    # when none of them is here; a handful ("UK & Ireland", "DACH") is said country by country
    if places and (len(brief.countries) <= PLACES_NAMED or len(places) == len(brief.countries)):
        said.append(
            "no creator here is based in "
            + " or ".join(places)
            + ", nor has an audience measured there"
        )
    return ("; ".join(said) + ": that part of the brief matches nobody") if said else None


def measured_shares(
    t: CandidateTable, brief: Brief, rows: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The measured share of each creator's audience (the table's ``rows``, every creator when
    None) in each dimension the brief asks for (NaN without demographics): the one definition
    relevance uses (:func:`closeknit.match.audience.audience_shares`)."""
    return audience_shares(t, brief, np.arange(len(t)) if rows is None else rows)


def _keyword_creators(store: Store, workspace: str, keywords: list[str]) -> list[str]:
    """Creators with a caption holding any keyword (a word, or a #hashtag also matched in the
    post's hashtags); case-insensitive."""
    conds, params = [], []
    for k in keywords:
        word = k.lstrip("#").strip().lower()
        if not word:
            continue
        esc = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if k.startswith("#"):
            conds.append(
                "(lower(caption) LIKE ? ESCAPE '\\' OR "
                "list_contains(list_transform(coalesce(hashtags, []), lambda x: lower(x)), ?))"
            )
            params += [f"%#{esc}%", word]
        else:
            conds.append("lower(caption) LIKE ? ESCAPE '\\'")
            params.append(f"%{esc}%")
    if not conds:
        return []
    rows = store.query(
        f"SELECT DISTINCT creator_id FROM posts WHERE workspace_id = ? AND ({' OR '.join(conds)})",
        [workspace, *params],
    )
    return [r["creator_id"] for r in rows]


class DiscoverIn(BriefIn, Filters):
    text: str = Field(
        min_length=1,
        max_length=5000,
        pattern=r"\S",
        description="what you are looking for, e.g. 'home workout gear, UK, 18-25'",
    )
    limit: int = Field(default=20, ge=1, le=1000)
    weights: dict[str, float] | None = Field(
        default=None, description="factor weights, e.g. {'content': 2, 'cost': 0}"
    )
    evidence: bool = True
    model: Model | None = None
    sort: Sort = Field(default="score", description="order of the returned results")

    @field_validator("text", mode="before")
    @classmethod
    def _not_blank(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            raise ValueError(EMPTY_BRIEF)
        return v

    @field_validator("weights")
    @classmethod
    def _weights(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        # a typo was echoed and ignored, a negative weight turned the ranking upside down
        if not v:
            return v
        unknown = sorted(set(v) - set(DEFAULT_WEIGHTS))
        if unknown:
            raise ValueError(
                f"unknown factor {', '.join(unknown)}: the factors are "
                + ", ".join(DEFAULT_WEIGHTS)
            )
        if any(not (w >= 0) for w in v.values()):
            raise ValueError("weights are 0 (left out) or more")
        if not any(w > 0 for w in {**DEFAULT_WEIGHTS, **v}.values()):
            raise ValueError("at least one factor needs a weight above 0")
        return v


class Factors(Out):
    content: float | None = None
    audience: float | None = None
    engagement: float | None = None
    authenticity: float | None = None
    cost: float | None = None


class Signals(Out):
    """The measured inputs of relevance: the brief's keyword coverage of the creator's posts
    (0-1), the cosine of brief and creator vectors, and the audience shares the brief asks for."""

    keyword_coverage: float | None = None
    keyword_relative: float | None = None
    cosine: float | None = None
    cosine_relative: float | None = None
    niche_support: float | None = None
    country_share: float | None = None
    age_share: float | None = None
    gender_share: float | None = None


class PostEvidence(Out):
    """A brief search's evidence: one of the creator's recent posts closest to the brief."""

    post_id: str
    caption: str
    score: float = Field(description="cosine of the post's caption with the brief")


class AudienceOverlap(Out):
    """A lookalike's evidence: the share of sampled followers it has in common with the seed."""

    audience_overlap_jaccard: float


class MarketShare(Out):
    """A lookalike's evidence: the share of its audience in the seed's main market (its
    audience's largest country), beside the seed's own."""

    market: str = Field(description="ISO country code of the seed's main market")
    share: float = Field(description="the lookalike's audience share there")
    seed_share: float = Field(description="the seed's audience share there")


class MatchOut(Out):
    creator_id: str
    handle: str
    platform: str
    followers: int | None
    followers_source: str | None = Field(
        default=None,
        description="where the follower count came from: 'profile', or 'snapshot' (the latest "
        "follower snapshot, where the profile hides its count, as vet says); None: unknown",
    )
    country: str | None
    niche: str | None
    score: float
    relevance: float | None = Field(
        default=None, description="P(content fits) × P(audience fits), absolute (0-1)"
    )
    signals: Signals = Field(default_factory=Signals)
    factors: Factors
    missing: list[str]
    imputed: dict[str, float] = Field(
        default_factory=dict,
        description="the value the score used for each missing factor: the candidates' median; "
        "for the audience, the estimate from similar creators with demographics",
    )
    vetted: bool
    status: str
    fee_estimate: float | None
    fee_source: str | None
    expected_engagements: float | None
    evidence: list[PostEvidence | AudienceOverlap | MarketShare]
    tier: str | None = None
    engagement_rate: float | None = None
    authenticity_score: float | None = None
    authenticity_unsampled: bool = Field(
        default=False,
        description="the authenticity score has no follower sample behind it (comments, pods "
        "and growth only): fake followers are not measured",
    )
    authenticity_caveat: str | None = Field(
        default=None,
        description="what the authenticity score lacks, in words: no follower sample, no "
        "comment checked for bots and pods",
    )
    fake_followers: float | None = Field(
        default=None,
        description="the estimated fake share of the creator's sampled followers (None: no "
        "follower sample); the why line names it from 20%",
    )
    engagement_inflated: str | None = Field(
        default=None,
        description="when under 90% of the engagement looks genuine: what inflates it (an "
        "engagement pod, automated comments) and the genuine share",
    )
    fee_low: float | None = None
    fee_high: float | None = None
    audience_shares: dict[str, float] = Field(
        default_factory=dict, description="share of the audience in the brief's country/age/gender"
    )
    why: str = Field(default="", description="one line: why this creator fits")


class DiscoverOut(Out):
    brief: BriefOut
    model: str
    weights: dict[str, float]
    candidates: int
    excluded: dict[str, int]
    notes: list[str]
    read_as: dict[str, str] = Field(
        default_factory=dict,
        description="the brief's words no creator uses, each read as the word clearly meant "
        "(a typo: 'yga' read as 'yoga'); said in the notes too",
    )
    empty_reason: str | None = Field(
        default=None,
        description="when no creator is shown because the filters left none: what each left out",
    )
    results: list[MatchOut]


def _finite(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _enrich(
    store: Store, workspace: str, results: list[dict[str, Any]], brief: Brief | None
) -> list[dict[str, Any]]:
    """Add tier, engagement rate, authenticity, the fee range, audience shares and the why."""
    if not results:
        return results
    ids = [r["creator_id"] for r in results]
    # the fee range is the candidate table's (the planner's fee model over every creator,
    # persisted per data version): no fee model is fitted again for the results
    t = get_table(store, workspace)
    rows = t.rows_of(ids)
    # the results' rows only (a result that is not in the table is skipped below)
    shares = measured_shares(t, brief, np.maximum(rows, 0)) if brief is not None else {}
    # a score whose audience part was never measured reads as clean as a sampled one (a YouTube
    # channel with 56% fake followers showed 98.7/100): say which scores lack the sample
    feats = flag_rows(store, workspace, ids)
    out = []
    for j, (r, row) in enumerate(zip(results, rows, strict=True)):
        d = dict(r)
        if row >= 0:
            d["tier"] = t.tier[row]
            if t.followers_measured[row]:
                d["followers_source"] = "snapshot"
            elif np.isfinite(t.followers[row]):
                d["followers_source"] = "profile"
            d["engagement_rate"] = _finite(t.engagement_rate[row])
            d["authenticity_score"] = _finite(t.auth_score[row])
            fr = feats.get(r["creator_id"])
            d["authenticity_unsampled"] = authenticity_unsampled(fr)
            d["authenticity_caveat"] = authenticity_caveat(fr)
            d["fake_followers"] = _finite(fr["audience_fake_share"]) if fr else None
            d["engagement_inflated"] = inflation_words(fr) if fr else None
            d["audience_shares"] = {
                k: round(float(v[j]), 4) for k, v in shares.items() if np.isfinite(v[j])
            }
            if d.get("fee_estimate") is None and np.isfinite(t.fee[row]):
                # lookalikes carry no fee: the same one-post estimate discover ranks by
                d["fee_estimate"] = round(float(t.fee[row]), 2)
                d["fee_source"] = t.fee_source
        if row >= 0 and d.get("fee_estimate") is not None and np.isfinite(t.fee_lo[row]):
            d["fee_low"] = round(float(t.fee_lo[row]), 2)
            d["fee_high"] = round(float(t.fee_hi[row]), 2)
        d["why"] = why(d, brief)
        out.append(d)
    return out


def measured_note(results: list[dict[str, Any]]) -> str | None:
    """A note naming the shown creators whose follower count (and so tier and fee) is the one
    vetting measured, their profile hiding it; None when there is none."""
    who = [f"@{r['handle']}" for r in results if r.get("followers_source") == "snapshot"]
    if not who:
        return None
    return (
        f"{figures.first_of(who, SNAPSHOT_NAMED)}: follower count from the latest follower "
        "snapshot, as vetting measured it (the profile hides it); their tier and fee follow "
        "from it"
    )


#: up to this many creators whose follower count is a snapshot's are named in the note
SNAPSHOT_NAMED = 5


def _niche_label(niche: str) -> str:
    from closeknit.match.taxonomy import NICHES

    return next((n.label for n in NICHES if n.id == niche), niche.replace("_", " "))


def _level(v: float | None) -> str:
    if v is None:
        return "unknown"
    return "strong" if v >= 0.8 else "good" if v >= 0.5 else "partial" if v >= 0.2 else "weak"


def why(m: dict[str, Any], brief: Brief | None) -> str:
    """One plain line: topic fit (with the closest post), audience shares, engagement, trust."""
    f = m.get("factors") or {}
    parts = []
    ev = [e for e in m.get("evidence") or [] if e.get("caption")]
    cover = (m.get("signals") or {}).get("keyword_coverage")
    # a match resting on similar content, not on the brief's words, says so: interior creators
    # read "Good topic match" for "cozy games and pastel desk accessories", the quoted post
    # holding none of its words
    few = brief is not None and cover is not None and cover < FEW_WORDS
    topic = f"{_level(f.get('content'))} " + (
        "topic match" if brief is not None and not few else "content likeness"
    )
    if m.get("niche"):
        topic += f" ({_niche_label(str(m['niche'])).lower()} creator)"
    if few:
        topic += ", few of the brief's words in its posts"
    if ev:
        query = content_query(brief) if brief is not None else ""
        topic += f', e.g. "{excerpt(str(ev[0]["caption"]), query)}"'
    parts.append(topic[0].upper() + topic[1:])
    sh = m.get("audience_shares") or {}
    aud = []
    if brief is not None:
        if "country" in sh:
            aud.append(f"{figures.percent(sh['country'])} in {'/'.join(brief.countries)}")
        if "age" in sh:
            aud.append(f"{figures.percent(sh['age'])} aged {brief.audience_age}")
        if "gender" in sh:
            word = {"F": "women", "M": "men"}.get(brief.audience_gender or "", "")
            # the share read is the gender's plus half the audience of unknown gender (one
            # definition with relevance and the filter): said, as the profile shows the gender
            # alone (69.7% here beside 68.9% there read as two answers)
            aud.append(f"{figures.percent(sh['gender'])} {word} (half the unknown counted)")
    shared = [
        float(e["audience_overlap_jaccard"])
        for e in m.get("evidence") or []
        if "audience_overlap_jaccard" in e
    ]
    # a lookalike's market: its audience's share in the seed's main market, beside the seed's
    # (the why line said nothing of the market the lookalikes were kept in: a tester)
    market = next((e for e in m.get("evidence") or [] if "market" in e), None)
    if aud:
        off = f.get("audience") is not None and float(f["audience"]) < ON_BRIEF_BAR
        parts.append(("audience off brief: " if off else "audience ") + ", ".join(aud))
    elif shared or market:
        said = []
        if market:
            said.append(
                f"{figures.percent(market['share'])} of its audience in {market['market']} "
                f"(the creator's: {figures.percent(market['seed_share'])})"
            )
        if shared:
            said.append(
                f"{figures.percent(shared[0])} of sampled followers in common"
                if shared[0] >= 0.005
                else "no sampled follower in common"
            )
        parts.append(", ".join(said))
    elif (
        brief is not None
        and (brief.countries or brief.audience_age or brief.audience_gender)
        and "audience" not in (m.get("imputed") or {})
    ):
        parts.append("no audience data")
    elif f.get("audience") is not None:
        parts.append(f"{_level(f.get('audience'))} audience match")
    if m.get("engagement_rate") is not None:
        inflated = m.get("engagement_inflated")
        parts.append(
            f"engagement {figures.percent(m['engagement_rate'])}"
            + (f", {inflated}" if inflated else "")
        )
    if m.get("authenticity_score") is not None:
        fake = m.get("fake_followers")
        parts.append(
            f"authenticity {figures.score(m['authenticity_score'])}/100"
            # the fake share itself where it is large: a score of 84 hid 40% fake followers
            # (the audience is 40% of the score), beside a pod that was named
            + (f", {fakes}" if (fakes := fake_words(fake)) else "")
            + (f" ({m['authenticity_caveat']})" if m.get("authenticity_caveat") else "")
        )  # fmt: skip
    elif not m.get("vetted", True):
        parts.append("not vetted yet")
    else:  # vetted, with too few followers sampled, comments or snapshots to score
        parts.append("authenticity: too little data to judge")
    imputed = m.get("imputed") or {}
    if "audience" in imputed and brief is not None:
        parts.append(
            "no " + "/".join(_missing_dims(brief, sh)) + " demographics: audience fit "
            f"estimated at {figures.percent(imputed['audience'])}"
        )
    guessed = [k for k in imputed if k != "audience" or brief is None]
    if guessed:
        # "engagement, authenticity and value for the fee" (it read "engagement and
        # authenticity and value for the fee")
        said = [_FACTOR_WORDS.get(k, k) for k in guessed]
        parts.append(figures.listed(said) + " not measured: scored as the candidates' median")
    return "; ".join(parts)


_FACTOR_WORDS = {"cost": "value for the fee"}  # the others read as their names
#: a fake share of sampled followers from which the why line names it beside the score
FAKE_SAY = 0.2


def fake_words(share: Any) -> str | None:
    """ "45.0% of sampled followers look fake" where a fake share of sampled followers is
    :data:`FAKE_SAY` or more (None below it, or not measured)."""
    if share is None or share != share or float(share) < FAKE_SAY:
        return None
    return f"{figures.percent(share)} of sampled followers look fake"


#: under this keyword coverage (the brief's words, weighted by rarity, in a creator's posts) a
#: topic fit rests on similar content and the why line says so
FEW_WORDS = 0.2


def _missing_dims(brief: Brief, shares: dict[str, float]) -> list[str]:
    """The brief's audience dimensions a result has no measured share for, as words."""
    return [d for d in asked_dims(brief) if d not in shares]


_SORT_KEYS = {
    "followers": "followers",
    "engagement": "engagement_rate",
    "authenticity": "authenticity_score",
    "fee": "fee_estimate",
}


def _sorted(results: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "score":
        return results
    key = _SORT_KEYS[sort]
    known = [r for r in results if r.get(key) is not None]
    unknown = [r for r in results if r.get(key) is None]
    # the cheapest fee first; the largest of everything else first; unknown values last
    known.sort(key=lambda r: (r[key] if sort == "fee" else -r[key], r["creator_id"]))
    return known + unknown


def discover(store: Store, workspace: str, req: DiscoverIn) -> DiscoverOut:
    """Rank the workspace's creators for the brief, each with its factors, evidence and why."""
    if not req.text.strip():
        raise ValidationError(EMPTY_BRIEF, field="text")
    brief = req.brief()
    for who in req.exclude or []:
        # a creator to leave out must exist, as in a plan (a typo was ignored here and a 404
        # there); NotFound names close matches
        resolve_creator_id(store, workspace, who)
    narrowed, counts = restrict(store, workspace, brief, req)
    res = match.discover(
        store,
        workspace,
        narrowed,
        req.limit,
        model=req.model,
        weights=req.weights,
        evidence=req.evidence,
    )
    d = res.to_dict()
    d["brief"] = brief.to_dict()
    d["read_as"] = res.read_as
    d["excluded"] = left_out(d["excluded"], counts)
    # imported here: settings pulls in the accounts service, which `discover` never needs
    from closeknit.service.settings import currency

    for said in (
        *reading_notes(brief),
        currency_note(brief, currency(store, workspace)),
        language_note(brief),
        unmatched_places(get_table(store, workspace), brief, req.platforms),
    ):
        if said:
            d["notes"].append(said)
    d["results"] = _sorted(_enrich(store, workspace, d["results"], brief), req.sort)
    said_counts = measured_note(d["results"])
    if said_counts:
        d["notes"].append(said_counts)
    if not d["results"] and d["excluded"]:
        # its own field: each interface says "nobody fits" in its own words and shows the
        # notes as they are (the web dropped this one from the notes by its first words)
        d["empty_reason"] = left_out_text(d["excluded"])
    out: DiscoverOut = DiscoverOut.of(d)
    return out


def discover_saved(store: Store, workspace: str, brief_id: str, limit: int = 20) -> DiscoverOut:
    """Run a saved brief."""
    b = saved_brief_in(store, workspace, brief_id)
    return discover(store, workspace, DiscoverIn(**b.model_dump(), limit=limit))


class LookalikesIn(In):
    creator: str = Field(min_length=1, max_length=200, description="@handle or platform:handle")
    limit: int = Field(default=20, ge=1, le=1000)
    model: Model | None = None
    broad: bool = Field(
        default=False, description="also outside the creator's niche and audience market"
    )


class Seed(Out):
    like: str
    creator_id: str


class LookalikesOut(Out):
    brief: Seed
    model: str
    weights: dict[str, float]
    candidates: int
    excluded: dict[str, int]
    notes: list[str]
    empty_reason: str | None = Field(
        default=None,
        description="when no lookalike is found: why (what each rule left out of the nearest "
        "creators, or that no other creator has content to compare) and how to widen the search",
    )
    results: list[MatchOut]


def lookalikes(store: Store, workspace: str, req: LookalikesIn) -> LookalikesOut:
    """Creators most like one creator in content and audience (itself excluded)."""
    res = match.lookalikes(
        store, workspace, req.creator, req.limit, model=req.model, broad=req.broad
    )
    d = res.to_dict()
    d["results"] = _enrich(store, workspace, d["results"], None)
    said = measured_note(d["results"])
    if said:
        d["notes"].append(said)
    if not d["results"]:
        # on the result, so the CLI, the API and the web say the same: an empty lookalike
        # search printed only its niche-and-market note, with no count, no reason and no way on
        d["empty_reason"] = lookalikes_empty_reason(
            store, workspace, str(d["brief"]["creator_id"]), str(d["brief"]["like"]), d["excluded"]
        )
    out: LookalikesOut = LookalikesOut.of(d)
    return out


#: the seed's largest audience countries named when the market rule left its lookalikes out
MARKET_COUNTRIES_NAMED = 3


def lookalikes_empty_reason(
    store: Store, workspace: str, seed_id: str, like: str, excluded: dict[str, int]
) -> str:
    """Why a lookalike search found nobody: what the niche and market rules left out of the
    creators nearest the seed in content (``excluded``, as ``match.lookalikes`` counts them),
    and how to widen it; or that no other creator has content to compare with."""
    if not excluded:
        return (
            f"no lookalike of {like} found: no other creator of this workspace has a bio or "
            "posts to compare with"
        )
    from closeknit.match.lookalike import MIN_COUNTRY_SIMILARITY
    from closeknit.match.niche import niche_of
    from closeknit.match.rank import load_demographics

    total = sum(excluded.values())
    parts = []
    n = excluded.get("other_niche", 0)
    if n:
        seed_niche = (niche_of(store, workspace, [seed_id]).get(seed_id) or {}).get("niche")
        own = f" ({_niche_label(str(seed_niche)).lower()})" if seed_niche else ""
        parts.append(f"{n:,} {'is' if n == 1 else 'are'} in another niche than its own{own}")
    n = excluded.get("other_market", 0)
    if n:
        mix = load_demographics(store, workspace, [seed_id]).get(seed_id, {}).get("country", {})
        top = sorted(mix.items(), key=lambda kv: (-kv[1], kv[0]))[:MARKET_COUNTRIES_NAMED]
        its = "; its own: " + ", ".join(f"{figures.percent(v)} {k}" for k, v in top) if top else ""
        parts.append(
            f"{n:,} {'has its' if n == 1 else 'have their'} audience in another market (country "
            f"mix less than {MIN_COUNTRY_SIMILARITY:.0%} alike, else another country{its})"
        )
    # a rule this code does not know by name still counts, under its own name
    parts += [
        f"{v:,} left out by the {k.replace('_', ' ')} rule"
        for k, v in excluded.items()
        if k not in ("other_niche", "other_market") and v
    ]
    nearest = "creator nearest it" if total == 1 else f"{total:,} creators nearest it"
    return (
        f"no lookalike of {like} found: the niche and market rules left out "
        f"{'the' if total == 1 else 'all'} {nearest} in content: "
        + ", ".join(parts)
        + "; ask for lookalikes outside the creator's niche and market to see them"
    )


class TrendsIn(In):
    since: Day | None = Field(default=None, description="window start (default: days before until)")
    until: Day | None = Field(
        default=None, description="window end, exclusive (default: the day after the newest post)"
    )
    days: int = Field(default=90, ge=1, le=3650, description="window length without since")
    compare: Literal["previous", "last_year"] = "previous"
    min_creators: int = Field(default=3, ge=1, le=10_000)
    limit: int = Field(default=20, ge=1, le=500)
    riders: int = Field(default=10, ge=1, le=100, description="early riders listed per topic")


class Rider(Out):
    creator_id: str
    handle: str
    followers: int | None
    first_used: Date | None
    audience_caveat: str | None = Field(
        default=None,
        description="what its vetting says against its audience, as discover's why line says "
        "it: the share of sampled followers that look fake, from 20% (None: nothing to say or "
        "not vetted)",
    )


class CurvePoint(Out):
    week: Date
    posts: int


class TrendOut(Out):
    hashtag: str
    posts_now: int
    posts_before: int
    creators_now: int
    creators_before: int
    lift: float
    z: float
    early_riders: list[Rider]
    curve: list[CurvePoint] = Field(
        default_factory=list, description="posts a week using the hashtag, baseline to window end"
    )


class TrendsOut(Out):
    window: list[Date]
    compared_with: list[Date]
    posts_now: int
    posts_before: int
    excluded: dict[str, int]
    notes: list[str]
    trends: list[TrendOut]


def trends(store: Store, workspace: str, req: TrendsIn) -> TrendsOut:
    """Topics rising in the window against a baseline, with the creators who rode them first."""
    from closeknit.match.trends import data_end

    until = req.until or data_end(store, workspace)
    since = req.since or until - dt.timedelta(days=req.days)
    if until <= since:
        if req.until is None:
            raise ValidationError(
                f"the window is empty: since ({since}) is not before the end of the data "
                f"({until}, the day after the newest post)",
                field="since",
            )
        raise ValidationError("until must be after since", field="until")
    res = match.trends(
        store,
        workspace,
        since,
        until,
        compare=req.compare,
        min_creators=req.min_creators,
        limit=req.limit,
        riders=req.riders,
    )
    d = res.to_dict()
    if not d.get("posts_before") and d.get("compared_with"):
        pa, pb = (str(x)[:10] for x in d["compared_with"])
        d["notes"].append(
            f"no posts from {pa} to {pb} to compare with: nothing can be called rising"
        )
    start = min([since, *(dt.date.fromisoformat(x[:10]) for x in d.get("compared_with") or [])])
    end = dt.date.fromisoformat(str(d["window"][1])[:10]) if d.get("window") else dt.date.today()
    curves = _curves(store, workspace, [t["hashtag"] for t in d["trends"]], start, end)
    for t in d["trends"]:
        t["curve"] = curves.get(t["hashtag"].lstrip("#").lower(), [])
    # a rider with a bought audience was listed as plainly as the others (a tester: the first
    # rider of a rising tag 49% fake): what discover says of it, said here too
    ids = [r["creator_id"] for t in d["trends"] for r in t["early_riders"]]
    feats = flag_rows(store, workspace, list(dict.fromkeys(ids)))
    for t in d["trends"]:
        for r in t["early_riders"]:
            r["audience_caveat"] = fake_words(
                (feats.get(r["creator_id"]) or {}).get("audience_fake_share")
            )
    out: TrendsOut = TrendsOut.of(d)
    return out


def _curves(
    store: Store, workspace: str, tags: list[str], start: dt.date, end: dt.date
) -> dict[str, list[dict[str, Any]]]:
    """Weekly posts per hashtag in [``start``, ``end``) (weeks without a post count 0)."""
    want = [t.lstrip("#").lower() for t in tags]
    if not want:
        return {}
    rows = store.query(
        "SELECT tag, date_trunc('week', posted_at)::DATE AS week, count(*) AS n FROM ("
        " SELECT posted_at, lower(unnest(hashtags)) AS tag FROM posts WHERE workspace_id = ?"
        " AND hashtags IS NOT NULL AND posted_at >= ? AND posted_at < ?)"
        " WHERE tag IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL ORDER BY week",
        [workspace, start, end, want],
    )
    weeks: list[dt.date] = []
    w = start - dt.timedelta(days=start.weekday())
    while w < end:
        weeks.append(w)
        w += dt.timedelta(days=7)
    got = {(r["tag"], r["week"]): int(r["n"]) for r in rows}
    return {
        t: [{"week": wk.isoformat(), "posts": got.get((t, wk), 0)} for wk in weeks] for t in want
    }
