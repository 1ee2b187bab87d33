"""``make_plan``: pick several creators under a budget (see docs/plan.md for the model).

Candidates come from discover (the brief's filters applied). Each has a probability of being
**on brief**: its absolute relevance (:mod:`closeknit.match.relevance`: P(content fits) ×
P(audience fits)) × P(its audience is not heavily bought: a fake share under
``BOUGHT_SHARE``, from the audience sample's estimate and interval). Every pick needs
P(on brief) ≥ ``PICK_MIN_ON_BRIEF`` and the plan's *mean* P(on brief) must reach
``on_brief_share`` (default 0.9): a linear constraint of the optimisation, so a plan may take a
likely-but-not-certain creator when surer ones pay for it, but never fills its budget with
off-brief creators; when too few fit, it says so and leaves budget unspent. ``min_relevance``
is an optional hard floor on relevance on top.

Per candidate i the value is its expected incremental revenue ``v_i = E[orders_i] · AOV``
(objective ``revenue``, the default), ``v_i = E[orders_i] · AOV · margin − fee_i`` (``profit``),
``E[orders_i]`` (``conversions``) or the engaged audience × relevance (``reach``).
``E[orders_i]`` comes from the conversion model of :mod:`closeknit.plan.conversion`, fitted on
the workspace's past campaigns (attributed orders) or its documented prior. A pair's audience
overlap ``|F_i ∩ F_j|`` (:mod:`closeknit.plan.overlap`, else a same-niche prior share of the
smaller audience) is discounted as independent exposure: a follower reached by both buys with
probability ``1 − (1 − q_i)(1 − q_j)``, ``q`` the per-follower rate of the counted event
(orders / followers), so ``w_ij = u·|F_i ∩ F_j|·q_i·q_j`` (``u`` the value of one event:
AOV, AOV × margin, 1). Counting a shared follower once at full value would treat two
exposures as worth one, which biased the forecast low (docs/plan.md). An optional bonus
``β = diversity · median(v)`` per distinct niche and country. ``optimize.solve`` picks the
set: a Lagrangian heuristic, then HiGHS on the creators its bound cannot rule out, within
``time_limit``; the plan's ``gap`` is to a bound certified for the whole pool and ``gap_kind``
names it. Outcomes carry 10–90% intervals
from draws of the conversion model (coefficients, campaign and creator spread) and of the fees.
The budget is spent at the fees' estimates, or, with ``within_budget``, at margins above them
that keep the plan's chance of staying within it (by the fee draws) at least that high.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from statistics import NormalDist
from typing import Any, Literal, NamedTuple

import numpy as np

from closeknit import figures
from closeknit.errors import ValidationError
from closeknit.features.fees import default_rate_card, fee_arrays_and_errors
from closeknit.features.frame import creator_columns, filled
from closeknit.features.scores import genuine_share
from closeknit.features.version import older_feature_sets, older_note
from closeknit.match import Brief, discover, relevance
from closeknit.match.audience import asked_dims
from closeknit.match.embed import get_embedder
from closeknit.match.rank import brief_word_notes, fit_of, left_out_text
from closeknit.plan import conversion
from closeknit.plan.optimize import Problem, Solution, solve, solve_greedy, solve_milp
from closeknit.plan.overlap import estimate_overlaps
from closeknit.store import Store
from closeknit.store.memo import DataMemo

Objective = Literal["revenue", "profit", "conversions", "reach"]
# (store, workspace, brief, limit) -> [(creator_id, relevance in [0, 1])]
CandidateSource = Callable[[Store, str, Brief, int], list[tuple[str, float]]]

# an unsampled creator's real share of followers: the sampled creators' average
# (sampled_real_share); this value only where fewer than MIN_SAMPLED were sampled
DEFAULT_REAL_SHARE = 0.9
DEFAULT_REACH_RATE = 0.25  # share of followers a feed post reaches (assumption, editable)
DEFAULT_AOV = 50.0
MIN_HISTORY_ORDERS = 20
DIVERSITY_MIN_RELEVANCE = 0.6
DEFAULT_ON_BRIEF_SHARE = 0.9  # the plan's mean P(on brief) (editable per plan)
PICK_MIN_ON_BRIEF = relevance.ON_BRIEF_BAR  # no pick less likely on brief than not
BOUGHT_SHARE = 0.3  # an audience with this share of fake accounts or more is "heavily bought"
# unsampled creators: P(not heavily bought) of the sampled ones with the same growth-spike
# evidence (unsampled_not_bought); this value only where fewer than MIN_SAMPLED were sampled
DEFAULT_NOT_BOUGHT = 1.0
MIN_SAMPLED = 30
SAMPLED_PRIOR_WEIGHT = 10.0  # pseudo-creators pulling a spike group's average to all sampled
# a brief's age/gender share without demographics, where fewer than match.audience.MIN_REFERENCE
# creators have them (else the similar creators' average share, match.audience.expected_shares)
UNKNOWN_AGE_SHARE, UNKNOWN_GENDER_SHARE = 0.3, 0.5


@dataclass
class PlanConstraints:
    min_creators: int = 1
    max_creators: int = 12
    max_share: float = 1.0  # max share of the budget one creator may take
    exclude: list[str] = field(default_factory=list)
    objective: Objective = "revenue"
    margin: float | None = None  # gross margin for the profit objective (0-1)
    format: str = "post"
    method: Literal["auto", "milp", "greedy"] = "auto"
    candidate_limit: int = 500
    candidates: list[str] | None = None  # explicit creator ids (skips discovery)
    candidate_source: CandidateSource | None = None
    diversity: float = 0.0
    min_relevance: float | None = None  # an optional hard floor on relevance
    on_brief_share: float = DEFAULT_ON_BRIEF_SHARE  # least mean P(on brief); 0 turns it off
    prior_overlap: float = 0.05
    aov: float | None = None
    reach_rate: float = DEFAULT_REACH_RATE
    time_limit: float = 30.0  # wall clock: HiGHS needs ~5 s of CPU on a dense 60-creator pool
    draws: int = 1000
    seed: int = 0
    # price the candidate set as it stands (a plan the user has already chosen): no
    # "too few fit" status, the set's size is the user's choice, not the brief's
    price_only: bool = False
    # the workspace currency's symbol, for the amounts in notes and errors ("$4,950.00"), and
    # its code (the shop's orders in another one are said: nothing is converted)
    currency_symbol: str = ""
    currency: str = ""
    # the least chance, by the fee model, that the plan's cost stays within the budget; None
    # budgets on the fees' estimates (their medians: about an even chance for one creator)
    within_budget: float | None = None

    def validate(self, budget: float) -> None:
        if not budget > 0:
            raise ValidationError("budget must be positive", field="budget")
        if self.max_creators < 1:
            raise ValidationError("max_creators must be at least 1", field="max_creators")
        if self.min_creators < 0 or self.min_creators > self.max_creators:
            raise ValidationError(
                f"at least {figures.count(self.min_creators, 'creator')} asked for, but at "
                f"most {self.max_creators}: the fewest must be between 0 and the most",
                field="min_creators",
            )
        if not 0 < self.max_share <= 1:
            raise ValidationError("max_share must be in (0, 1]", field="max_share")
        if self.objective not in ("revenue", "profit", "conversions", "reach"):
            raise ValidationError(
                "objective must be revenue, profit, conversions or reach", field="objective"
            )
        if self.objective == "profit" and not (self.margin and 0 < self.margin <= 1):
            raise ValidationError("the profit objective needs a margin in (0, 1]", field="margin")
        if self.method not in ("auto", "milp", "greedy"):
            raise ValidationError("method must be auto, milp or greedy", field="method")
        if not 0 <= self.on_brief_share <= 1:
            raise ValidationError("on_brief_share must be in [0, 1]", field="on_brief_share")
        if self.aov is not None and not self.aov > 0:
            raise ValidationError("aov must be positive", field="aov")
        if self.within_budget is not None and not 0.5 <= self.within_budget <= 0.99:
            raise ValidationError(
                "within_budget must be between 0.5 and 0.99 (a chance)", field="within_budget"
            )
        from closeknit.features.fees import FORMATS

        if self.format not in FORMATS:
            raise ValidationError(f"format must be one of {', '.join(FORMATS)}", field="format")


# the 90th percentile of the standard normal: a fee range (low, mid, high) is an 80% interval
Z90 = 1.2815515655446004


def _interval(point: float, x: np.ndarray) -> dict[str, float]:
    """A forecast's point (``mid``: the expected value, the one the rows add up to) and the
    10th–90th percentile of its draws."""
    return {
        "mid": float(point),
        "p10": float(np.quantile(x, 0.1)),
        "p90": float(np.quantile(x, 0.9)),
    }


@lru_cache(maxsize=4)
def _normal_strata(n: int) -> np.ndarray:
    """The standard normal's quantiles at the middles of n equal strata (no scipy: a cached
    plan process stays without it)."""
    inv = NormalDist().inv_cdf
    return np.array([inv((i + 0.5) / n) for i in range(n)])


def _upper_sd(mid: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The standard deviation, in log, of each fee's upper side (its median ``mid`` > 0 to its
    90th percentile ``hi``), as :func:`fee_draws` draws it."""
    out: np.ndarray = np.log(np.maximum(hi, mid) / mid) / Z90
    return out


def _fee_above(mid: np.ndarray, hi: np.ndarray, z: float) -> np.ndarray:
    """Each fee ``z`` of its upper side's standard deviations above its median: at ``z`` the
    normal quantile of P, the fee :func:`fee_draws` stays under with probability P."""
    m = np.maximum(mid, 1e-9)
    out: np.ndarray = m * np.exp(z * _upper_sd(m, hi))
    return out


def fee_draws(
    lo: np.ndarray,
    mid: np.ndarray,
    hi: np.ndarray,
    rng: np.random.Generator,
    n: int,
    shared: np.ndarray | None = None,
) -> np.ndarray:
    """(n, creators) draws of fees whose median is ``mid`` and whose 10th and 90th percentiles
    are ``lo`` and ``hi`` (a lognormal split at the median: each side keeps its own width,
    as a rate card's range need not be symmetric in log). Each creator's own draws are
    stratified (one per n-quantile, in random order: a Latin hypercube), so a few draws already
    give a sum's range without the sampling wobble of independent ones. ``shared`` (creators ×
    k, from ``fees.fee_arrays_and_errors``) makes the creators' errors move together as the
    fee model says they do: a draw's standard normal is ``shared @ w + sqrt(1 − |shared|²) ·
    own``, which keeps each creator's own range and widens the sum's."""
    m = np.maximum(mid, 1e-9)
    sd_lo = np.log(m / np.clip(lo, 1e-9, m)) / Z90
    sd_hi = _upper_sd(m, hi)
    strata = rng.permuted(np.tile(np.arange(n), (len(m), 1)), axis=1).T
    z = _normal_strata(n)[strata]
    if shared is not None and shared.size:
        rho = np.clip(np.sum(shared * shared, axis=1), 0.0, 1.0)
        z = rng.standard_normal((n, shared.shape[1])) @ shared.T + np.sqrt(1.0 - rho) * z
    out: np.ndarray = m * np.exp(z * np.where(z < 0, sd_lo, sd_hi))
    return out


@dataclass
class Pick:
    creator_id: str
    handle: str
    platform: str
    tier: str | None
    niche: str | None
    country: str | None
    followers: int
    engagement_rate: float
    # False: too few posts to measure it, and engagement_rate is the tier's reference rate
    engagement_measured: bool
    relevance: float
    on_brief: float
    content_fit: float | None
    audience_share: float | None
    expected_orders: float
    expected_revenue: float
    fee: dict[str, Any]
    value_alone: float
    overlap_discount: float
    diversity_bonus: float
    marginal_gain: float
    gain_per_1k: float
    overlap_with: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Plan:
    plan_id: str
    brief: str
    budget: float
    objective: str
    method: str
    status: str
    picks: list[Pick]
    cost: dict[str, float]
    expected: dict[str, Any]
    bound: float | None
    gap: float | None
    gap_kind: str
    value: float
    comparison: dict[str, Any]
    n_candidates: int
    candidate_source: str
    assumptions: dict[str, Any]
    notes: list[str]
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["picks"] = [p.to_dict() for p in self.picks]
        return d


# -- candidates -------------------------------------------------------------------------------
def discover_candidates(
    store: Store, workspace: str, brief: Brief, limit: int
) -> list[tuple[str, float]]:
    """Discover's ranking (the brief's filters applied) with each creator's absolute relevance.
    When the filters leave nobody, a clear error naming what each left out (``details``
    ``left_out``): a plan over creators the filters ruled out would break the brief."""
    res = discover(store, workspace, brief, limit=limit, evidence=False)
    out = [(m.creator_id, float(m.relevance if m.relevance is not None else 0.0))
           for m in res.matches]  # fmt: skip
    if not out:
        raise ValidationError(
            left_out_text(res.excluded), field="text", left_out=dict(res.excluded)
        )
    return out


# -- model ------------------------------------------------------------------------------------
class _PairIndex:
    """Observed overlaps keyed by (i, j), i < j; looked up for the few picked pairs only."""

    def __init__(
        self, pi: np.ndarray, pj: np.ndarray, shared: np.ndarray, k: np.ndarray, src: list[str]
    ) -> None:
        self.pi, self.pj, self.shared, self.k, self.src = pi, pj, shared, k, src
        self._d: dict[tuple[int, int], tuple[float, int, str]] | None = None
        self._rows: dict[int, np.ndarray] = {}

    def get(self, key: tuple[int, int]) -> tuple[float, int, str] | None:
        a, b = key
        rows = self._rows.get(a)
        if rows is None:
            rows = np.flatnonzero(self.pi == a)
            self._rows[a] = rows
        hit = rows[self.pj[rows] == b]
        if len(hit) == 0:
            return None
        r = int(hit[0])
        return float(self.shared[r]), int(self.k[r]), self.src[r]


Cols = dict[str, np.ndarray]  # a creator frame as columns (features.frame.creator_columns)


@dataclass
class _Model:
    frame: Cols
    relevance: np.ndarray
    on_brief: np.ndarray  # relevance × P(audience not heavily bought)
    content: np.ndarray
    share: np.ndarray
    x: np.ndarray  # the conversion model's design rows
    orders: np.ndarray  # expected incremental orders
    engaged: np.ndarray
    value: np.ndarray
    real_followers: np.ndarray
    fee_lo: np.ndarray
    fee_mid: np.ndarray
    fee_hi: np.ndarray
    fee_method: str
    fee_shared: np.ndarray | None  # how the fee estimates err together (fees.fee_arrays_and_errors)
    conv: conversion.ConversionModel
    aov: float
    problem: Problem
    shared: _PairIndex
    niche_codes: np.ndarray
    floor: float | None
    brief_share: float  # the least mean P(on brief) (0: none)
    excluded: np.ndarray  # left out by the caller (constraints' exclude)
    # per creator, the audience evidence that is estimated, not measured (see _inputs)
    gaps: dict[str, np.ndarray] = field(default_factory=dict)
    # the P(not heavily bought) an unsampled creator gets, per group (an assumption shown)
    unsampled: dict[str, float] = field(default_factory=dict)
    real_prior: float = DEFAULT_REAL_SHARE  # the real share an unsampled creator gets


def _feature_cols(store: Store, workspace: str, ids: list[str]) -> Cols:
    """reply_rate, sponsored_rate (NaN where not vetted) and ``clean``, P(the audience is not
    heavily bought) (:func:`not_bought`), per id. Read from every creator's values saved per
    data version where the store has one: a plan process then neither queries them nor imports
    scipy.special (~0.15-0.6 s) for the normal CDF."""
    from closeknit.match import persist

    key = persist.cache_key(store, tables=FEATURE_TABLES)
    if key is None:
        return _aligned(_feature_rows(store, workspace), ids)
    mk = (str(store.path), workspace, key)
    hit = _feat_memo.get(mk)
    if hit is None:
        z = persist.load(store, workspace, "plan-features", key)
        if z is None:
            z = _feature_rows(store, workspace)
            persist.save(store, workspace, "plan-features", key, z)
        _feat_memo.clear()  # one data version per process is enough
        _feat_memo[mk] = hit = z
    return _aligned(hit, ids)


_feat_memo: dict[tuple[str, str, str], dict[str, Any]] = {}
# what _feature_rows reads (tests/plan/test_planner.py traces it): its saved values are keyed by
# this table's version alone, so an order or a campaign change does not recompute them
FEATURE_TABLES = ("creator_features",)
_FEAT_DEFAULT = {"reply_rate": np.nan, "sponsored_rate": np.nan}
_GENUINE_INPUTS = ("followers", "engagement_rate", "n_posts", "n_bot_comments", "pod_score")


def _aligned(z: dict[str, Any], ids: list[str]) -> Cols:
    """``z``'s values at ``ids`` (defaults where an id has none)."""
    if "_pos" not in z:  # creator_id -> row, once per table
        z["_pos"] = {str(c): k for k, c in enumerate(z["creator_id"].tolist())}
    pos = z["_pos"]
    rows = np.array([pos.get(c, -1) for c in ids], dtype=np.int64)
    out: Cols = {
        "clean_priors": np.asarray(z["clean_priors"], dtype=float),
        "real_prior": np.asarray(z["real_prior"], dtype=float),
    }
    # a creator without features (not vetted): the sampled creators' average
    unvetted = float(out["clean_priors"][2])
    for k, default in (
        *_FEAT_DEFAULT.items(),
        ("clean", unvetted),
        ("sampled", 0.0),
        ("genuine", 1.0),
    ):
        col = np.asarray(z[k], dtype=float)
        got = col[np.maximum(rows, 0)] if len(col) else np.zeros(len(rows))
        out[k] = np.where(rows >= 0, got, default)
    return out


def _feature_rows(store: Store, workspace: str) -> dict[str, np.ndarray]:
    """Every creator's feature values and ``clean`` (all of them: the unsampled creators'
    priors are averages over every sampled creator of the workspace, not over a plan's
    candidates)."""
    have = bool(
        store.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'creator_features'"
        )
    )
    rows: list[dict[str, Any]] = []
    if have:
        # rows, not Arrow: a nullable Arrow column's to_numpy imports pandas
        rows = store.query(
            "SELECT creator_id, any_value(reply_rate) AS reply_rate, "
            "any_value(sponsored_rate) AS sponsored_rate, "
            "any_value(growth_spikes) AS growth_spikes, "
            + ", ".join(f"any_value({k}) AS {k}" for k in (*_FAKE, "audience_real_share"))
            + ", "
            + ", ".join(f"any_value({k}) AS {k}" for k in _GENUINE_INPUTS)
            + ", any_value(CAST(pod_evidence AS VARCHAR)) AS pod_evidence"
            " FROM creator_features WHERE workspace_id = $ws GROUP BY creator_id",
            {"ws": workspace},
        )
    col = {
        k: np.array([r[k] for r in rows], dtype=float)
        for k in (*_FEAT_DEFAULT, *_FAKE, "growth_spikes", "audience_real_share")
    }
    out = {k: col[k] for k in _FEAT_DEFAULT}
    # the share of the engagement rate that is genuine (automated and pod comments taken out):
    # the engaged people the conversion model reads, in its fit and its forecast alike
    g = [genuine_share(r) for r in rows]
    out["genuine"] = np.array([1.0 if v is None else v for v in g], dtype=float)
    clean = not_bought(*(col[k] for k in _FAKE))
    sampled = np.isfinite(col["audience_fake_share"])
    spike = np.nan_to_num(col["growth_spikes"], nan=0.0) > 0
    prior = unsampled_not_bought(clean, sampled, spike)
    out["clean"] = np.where(sampled, clean, np.where(spike, prior["growth spike"],
                                                     prior["no growth spike"]))  # fmt: skip
    out["clean_priors"] = np.array([prior[k] for k in UNSAMPLED_GROUPS])
    out["real_prior"] = np.array([sampled_real_share(col["audience_real_share"])])
    out["sampled"] = sampled.astype(float)
    out["creator_id"] = np.array([r["creator_id"] for r in rows], dtype=object)
    return out


UNSAMPLED_GROUPS = ("no growth spike", "growth spike", "not vetted")


def sampled_real_share(real: np.ndarray) -> float:
    """The real share of followers an unsampled creator is given (its unique audience and
    reach): the average over the creators whose follower sample measured one, as for
    :func:`unsampled_not_bought`; ``DEFAULT_REAL_SHARE`` where fewer than ``MIN_SAMPLED``
    have one."""
    r = np.asarray(real, dtype=float)
    r = np.clip(r[np.isfinite(r)], 0.0, 1.0)
    if len(r) < MIN_SAMPLED:
        return DEFAULT_REAL_SHARE
    # exactly rounded: the same value whatever order the store returned the rows in
    return math.fsum(r.tolist()) / len(r)


def unsampled_not_bought(
    clean: np.ndarray, sampled: np.ndarray, spike: np.ndarray
) -> dict[str, float]:
    """P(the audience is not heavily bought) for a creator without an audience sample: the
    average of the sampled creators with the same evidence of bought growth (a follower spike
    or none), shrunk toward all sampled creators by ``SAMPLED_PRIOR_WEIGHT``; "not vetted" (no
    features at all) is all sampled creators' average. An unsampled audience is as likely to be
    bought as a sampled one like it, not certainly clean; ``DEFAULT_NOT_BOUGHT`` stands in only
    where fewer than ``MIN_SAMPLED`` creators were sampled."""
    c = np.asarray(clean, dtype=float)[sampled]
    if len(c) < MIN_SAMPLED:
        return dict.fromkeys(UNSAMPLED_GROUPS, DEFAULT_NOT_BOUGHT)
    # exactly rounded sums: the same value whatever order the store returned the rows in
    overall = math.fsum(c.tolist()) / len(c)
    out = {"not vetted": overall}
    for name, flag in (("no growth spike", False), ("growth spike", True)):
        g = np.asarray(clean, dtype=float)[sampled & (spike == flag)]
        out[name] = (math.fsum(g.tolist()) + SAMPLED_PRIOR_WEIGHT * overall) / (
            len(g) + SAMPLED_PRIOR_WEIGHT
        )
    return out


_FAKE = ("audience_fake_share", "audience_fake_lo", "audience_fake_hi")


def not_bought(fake: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """P(the audience's fake share is under ``BOUGHT_SHARE``) from the sample's estimate and its
    90% interval (normal: sd = width / 3.29, at least 0.02); NaN unsampled
    (:func:`unsampled_not_bought` fills those)."""
    # scipy.special.ndtr is what scipy.stats.norm.cdf computes (bit for bit), without importing
    # scipy.stats: ~0.5-2 s of every plan process
    from scipy.special import ndtr

    f = np.asarray(fake, dtype=float)
    sd = np.maximum(np.nan_to_num((np.asarray(hi, float) - np.asarray(lo, float)) / 3.29), 0.02)
    p = ndtr((BOUGHT_SHARE - f) / sd)
    return np.where(np.isfinite(f), p, np.nan)


class _Inputs(NamedTuple):
    """The frame's creators as the plan reads them."""

    x: np.ndarray  # design rows of the conversion model
    engaged: np.ndarray
    content: np.ndarray  # P(content fits)
    share: np.ndarray  # the forecast's audience share
    relevance: np.ndarray
    clean: np.ndarray  # P(audience not heavily bought)
    # what is estimated: "demographics" (an asked audience dimension not measured) and
    # "audience sample" (no sample to measure bought followers)
    gaps: dict[str, np.ndarray]
    unsampled: dict[str, float]  # the P(not heavily bought) an unsampled creator gets, per group
    real_prior: float  # the real share of followers an unsampled creator gets


def _inputs(store: Store, workspace: str, brief: Brief, fr: Cols) -> _Inputs:
    """The plan's inputs for the frame's creators (:class:`_Inputs`)."""
    ids = fr["creator_id"].tolist()
    fit = fit_of(store, workspace, brief, ids)
    share = np.ones(len(ids))
    defaults = {"country": np.nan, "age": UNKNOWN_AGE_SHARE, "gender": UNKNOWN_GENDER_SHARE}
    for dim, v in fit.shares.items():
        share = share * np.where(np.isnan(v), defaults.get(dim, 1.0), v)
    share = np.nan_to_num(share, nan=0.05)
    feats = _feature_cols(store, workspace, ids)
    engaged = fr["followers"].astype(float) * fr["engagement_rate"].astype(float) * feats["genuine"]
    content = np.nan_to_num(fit.content, nan=0.05)
    x = conversion.design(
        engaged,
        content,
        share,
        feats["reply_rate"],
        feats["sponsored_rate"],
    )
    return _Inputs(
        x=x,
        engaged=engaged,
        content=content,
        share=share,
        relevance=np.nan_to_num(fit.relevance, nan=0.0),
        clean=feats["clean"],
        gaps={"demographics": fit.estimated, "audience sample": feats["sampled"] < 0.5},
        unsampled={
            k: round(float(v), 4)
            for k, v in zip(UNSAMPLED_GROUPS, feats["clean_priors"], strict=True)
        },
        real_prior=round(float(feats["real_prior"][0]), 4),
    )


_history_cache: DataMemo[conversion.ConversionModel] = DataMemo(size=8)


def history_model(store: Store, workspace: str) -> conversion.ConversionModel:
    """The conversion model fitted on the workspace's past campaigns: each live creator of a
    campaign with a brief and attributed orders is one observation (its orders attributed by
    code or link, its fit to that campaign's brief). Cached until the data or the campaigns'
    attributions, briefs or deals change."""
    from closeknit.match import persist
    from closeknit.match.candidates import get_table

    # persisted per data version: the fit runs discover for every past campaign and an
    # optimiser (seconds), and depends only on the store's data and the code
    ck = persist.cache_key(store)
    name = f"history-{get_embedder().name}"
    if ck is not None:
        pkey = _history_cache.key(store, workspace, version=f"w:{ck}|{name}")
        hit = _history_cache.get(pkey)
        if hit is None:
            saved = persist.load(store, workspace, name, ck)
            hit = _model_of(saved) if saved is not None else None
        if hit is None:
            hit = _fit_history(store, workspace)
            persist.save(store, workspace, name, ck, _arrays_of(hit))
        _history_cache.put(pkey, hit)
        return hit
    sig = store.query(
        "SELECT (SELECT count(*) || ':' || coalesce(sum(hash(campaign_id, order_id, creator_id)),"
        " 0) FROM attributions WHERE workspace_id = $ws) AS a, (SELECT count(*) || ':' || "
        "coalesce(sum(hash(campaign_id, brief_text)), 0) FROM campaign_settings "
        "WHERE workspace_id = $ws) AS b, (SELECT count(*) || ':' || coalesce(sum(hash("
        "campaign_id, creator_id, stage)), 0) FROM campaign_creators WHERE workspace_id = $ws) "
        "AS c",
        {"ws": workspace},
    )[0]
    key = _history_cache.key(
        store,
        workspace,
        version=f"{get_table(store, workspace).version}|{get_embedder().name}|{sig['a']}|"
        f"{sig['b']}|{sig['c']}",
    )
    hit = _history_cache.get(key)
    if hit is None:
        hit = _fit_history(store, workspace)
        _history_cache.put(key, hit)
    return hit


def _arrays_of(m: conversion.ConversionModel) -> dict[str, np.ndarray]:
    return {
        "coef": np.asarray(m.coef, np.float64),
        "cov": np.asarray(m.cov, np.float64),
        "spread": np.array([m.sigma, m.tau], np.float64),
        "counts": np.array([m.n_obs, m.n_campaigns, m.n_orders], np.int64),
        "source": np.array([m.source], dtype=object),
        "notes": np.array(list(m.notes), dtype=object),
        "ranges": np.asarray(m.ranges, np.float64) if m.ranges is not None else np.zeros((0,)),
    }


def _model_of(z: dict[str, np.ndarray]) -> conversion.ConversionModel | None:
    """Inverse of :func:`_arrays_of`; None for a file of another layout."""
    try:
        return conversion.ConversionModel(
            coef=z["coef"].astype(np.float64),
            cov=z["cov"].astype(np.float64),
            sigma=float(z["spread"][0]),
            tau=float(z["spread"][1]),
            n_obs=int(z["counts"][0]),
            n_campaigns=int(z["counts"][1]),
            n_orders=int(z["counts"][2]),
            source=str(z["source"][0]),
            notes=[str(x) for x in z["notes"]],
            ranges=z["ranges"].astype(np.float64) if z["ranges"].size else None,
        )
    except (KeyError, IndexError, ValueError):
        return None


def _fit_history(store: Store, workspace: str) -> conversion.ConversionModel:
    camps = store.query(
        "SELECT c.campaign_id, s.brief_text FROM campaigns c JOIN campaign_settings s "
        "ON s.workspace_id = c.workspace_id AND s.campaign_id = c.campaign_id "
        "WHERE c.workspace_id = ? AND coalesce(s.brief_text, '') <> '' "
        "AND c.campaign_id IN (SELECT DISTINCT campaign_id FROM attributions "
        "WHERE workspace_id = ?) ORDER BY c.campaign_id",
        [workspace, workspace],
    )
    if not camps:
        return conversion.prior_model(_no_history_note(store, workspace))
    from closeknit.match import parse_brief

    xs, ys, cs = [], [], []
    for k, c in enumerate(camps):
        rows = store.query(
            "SELECT cc.creator_id, count(a.order_id) AS n FROM campaign_creators cc "
            "LEFT JOIN attributions a ON a.workspace_id = cc.workspace_id AND "
            "a.campaign_id = cc.campaign_id AND a.creator_id = cc.creator_id "
            "WHERE cc.workspace_id = ? AND cc.campaign_id = ? "
            "AND cc.stage IN ('content_live', 'paid') GROUP BY cc.creator_id ORDER BY 1",
            [workspace, c["campaign_id"]],
        )
        ids = [r["creator_id"] for r in rows]
        fr = _frame(store, workspace, ids)
        if not len(fr["creator_id"]):
            continue
        n_of = {r["creator_id"]: int(r["n"]) for r in rows}
        x = _inputs(store, workspace, parse_brief(c["brief_text"]), fr).x
        xs.append(x)
        ys.append(np.array([n_of[i] for i in fr["creator_id"]], dtype=float))
        cs.append(np.full(len(fr["creator_id"]), k))
    if not xs:
        return conversion.prior_model(
            "the documented prior: no creator of the past campaigns with a brief and attributed "
            "orders has a known follower count"
        )
    return conversion.fit(np.vstack(xs), np.concatenate(ys), np.concatenate(cs))


def _no_history_note(store: Store, workspace: str) -> str:
    """Why no past campaign can teach the forecast: it learns from campaigns with a brief and
    attributed orders. "no campaign history in this workspace" was said beside a campaign
    with 73 attributed orders and no brief (a roster without a brief column makes one)."""
    rows = store.query(
        "SELECT c.campaign_id, coalesce(s.brief_text, '') <> '' AS has_brief, "
        "c.campaign_id IN (SELECT campaign_id FROM attributions WHERE workspace_id = ?) "
        "AS attributed FROM campaigns c LEFT JOIN campaign_settings s "
        "ON s.workspace_id = c.workspace_id AND s.campaign_id = c.campaign_id "
        "WHERE c.workspace_id = ? ORDER BY c.campaign_id",
        [workspace, workspace],
    )
    if not rows:
        return "the documented prior: no campaign history in this workspace"
    no_brief = [r["campaign_id"] for r in rows if r["attributed"] and not r["has_brief"]]
    no_orders = [r["campaign_id"] for r in rows if r["has_brief"] and not r["attributed"]]
    why = []
    if no_brief:
        why.append(
            f"{figures.first_of(no_brief, 3)} {'has' if len(no_brief) == 1 else 'have'} "
            "attributed orders but no brief (give the brief it ran on to learn from it)"
        )
    if no_orders:
        why.append(
            f"{figures.first_of(no_orders, 3)} {'has' if len(no_orders) == 1 else 'have'} a "
            "brief but no attributed orders (its orders are attributed when its report is made)"
        )
    if not why:
        why.append("none has both a brief and attributed orders")
    n = figures.count(len(rows), "past campaign")
    return f"the documented prior: of {n}, " + "; ".join(why)


def _frame(store: Store, workspace: str, ids: list[str]) -> Cols:
    """The creator frame with a known follower count and an engagement rate (measured, else
    the tier's reference rate)."""
    fr = creator_columns(store, workspace, ids)
    keep = np.nan_to_num(fr["followers"].astype(float), nan=0.0) > 0
    fr = {k: v[keep] for k, v in fr.items()}
    ref = default_rate_card()["reference_engagement_rate"]
    er = fr["engagement_rate"].astype(float)
    fill = np.array([ref.get(t, 0.01) for t in filled(fr["tier"], "nano")], dtype=float)
    fr["er_known"] = np.isfinite(er) & (er > 0)
    fr["engagement_rate"] = np.where(fr["er_known"], er, fill)
    return fr


def _aov(store: Store, workspace: str, c: PlanConstraints) -> tuple[float, str]:
    if c.aov:
        return float(c.aov), "given"
    row = store.query(
        "SELECT avg(total) AS aov, count(*) AS n FROM orders WHERE workspace_id = ? AND total > 0",
        [workspace],
    )[0]
    if row["n"] and row["n"] >= MIN_HISTORY_ORDERS:
        return float(row["aov"]), f"workspace orders (n={int(row['n'])})"
    return DEFAULT_AOV, "default (fewer than 20 orders)"


def _order_currency_note(
    store: Store, workspace: str, c: PlanConstraints, aov: float, source: str
) -> str | None:
    """The plan's revenue is its orders × the average order value of the shop's orders; where
    those orders are in another currency than the workspace's, the plan's money is theirs under
    another name (a tester's GBP shop read as "$6,367.92"; the report said it, the plan did
    not)."""
    if not c.currency or not source.startswith("workspace orders"):
        return None
    rows = store.query(
        "SELECT upper(currency) AS cur, count(*) AS n FROM orders WHERE workspace_id = ? "
        "AND total > 0 AND currency IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
        [workspace],
    )
    other = [r for r in rows if r["cur"] != c.currency.upper()]
    if not other:
        return None
    total = sum(int(r["n"]) for r in rows)
    which = ", ".join(str(r["cur"]) for r in other[:3])
    share = sum(int(r["n"]) for r in other) / total
    read = (
        f"its revenue reads {which} amounts as {c.currency}"
        if share >= 1.0
        else f"its revenue mixes {which} and {c.currency} amounts"
    )
    return (
        f"the average order value ({figures.money(aov)}) comes from the shop's orders, "
        f"{figures.percent(share)} of them in {which}, and the plan's money is in {c.currency}: "
        f"nothing is converted, so {read}; set the workspace currency to the shop's, or give "
        "the order value in the workspace's"
    )


def _build(
    store: Store,
    workspace: str,
    brief: Brief,
    cands: list[tuple[str, float]],
    budget: float,
    c: PlanConstraints,
    conv: conversion.ConversionModel,
    aov: float,
    explicit: bool = False,
    overlaps: bool = True,
) -> _Model:
    fr = _frame(store, workspace, [cid for cid, _ in cands])
    inp = _inputs(store, workspace, brief, fr)
    given = dict(cands)
    # discover's own relevance for its candidates; the same computation for anything else
    relevance = np.array(
        [given.get(cid) if not explicit else None for cid in fr["creator_id"]], dtype=float
    )
    relevance = np.where(np.isnan(relevance), inp.relevance, relevance)
    real = fr["real_share"].astype(float)
    real = np.where(np.isfinite(real), np.clip(real, 0, 1), inp.real_prior)
    followers = fr["followers"].astype(float)
    orders = conv.mean(inp.x)
    lo, mid, hi, method, fee_err = fee_arrays_and_errors(store, workspace, fr, c.format)
    # value_i = unit · rate_i · followers_i (+ a constant for profit): ``rate`` is the chance
    # that one follower does the counted thing, which the overlap discount needs
    if c.objective == "revenue":
        value, unit, event = orders * aov, aov, orders
    elif c.objective == "profit":
        m_ = float(c.margin or 0.0)
        value, unit, event = orders * aov * m_ - mid, aov * m_, orders
    elif c.objective == "conversions":
        value, unit, event = orders.copy(), 1.0, orders
    else:
        value, unit, event = inp.engaged * relevance, 1.0, inp.engaged * relevance
    floor = c.min_relevance
    on_brief = relevance * inp.clean
    ov = estimate_overlaps(
        store, workspace, fr["creator_id"].tolist() if overlaps else [], followers
    )
    if not overlaps:  # one creator at a time (the comparison): no pairs to discount
        ov.sampled = np.zeros(len(followers), dtype=bool)
    # independent exposure: a shared follower is worth 1 − (1 − q_i)(1 − q_j), so the pair
    # double-counts u·shared·q_i·q_j (see the module docstring)
    rate = np.clip(np.maximum(event, 0.0) / followers, 0.0, 1.0)
    pw = unit * ov.shared * rate[ov.pair_i] * rate[ov.pair_j] if len(ov.shared) else ov.shared
    niche_codes = _codes(filled(fr["niche"], ""))
    country_codes = _codes(filled(fr["country"], ""))
    # only creators who fit the brief earn the diversity bonus
    div_niche = np.where(relevance >= DIVERSITY_MIN_RELEVANCE, niche_codes, -1)
    div_country = np.where(relevance >= DIVERSITY_MIN_RELEVANCE, country_codes, -1)
    excl = {x.lower() for x in c.exclude}
    handles = [h.lower() for h in filled(fr["handle"], "")]
    excluded = np.array(
        [
            cid.lower() in excl or h in excl or f"@{h}" in excl
            for cid, h in zip(fr["creator_id"].tolist(), handles, strict=True)
        ],
        dtype=bool,
    )
    allowed = ~excluded
    allowed &= mid <= c.max_share * budget + 1e-9
    brief_share = 0.0 if explicit else float(c.on_brief_share)
    if not explicit:
        if floor is not None:
            allowed &= relevance >= floor
        allowed &= on_brief >= min(PICK_MIN_ON_BRIEF, brief_share)
    allowed &= value > 0
    beta = c.diversity * float(np.median(value[allowed])) if allowed.any() else 0.0
    prob = Problem(
        value=np.maximum(value, 0.0),
        cost=mid,
        budget=budget,
        pair_i=ov.pair_i,
        pair_j=ov.pair_j,
        pair_w=pw,
        prior_rate=c.prior_overlap,
        prior_group=niche_codes,
        # same-niche pairs with no sample: prior share of the smaller audience, independent
        # exposure (≈ u·prior·min(F)·q_i·q_j when the two rates are alike)
        prior_scale=np.maximum(value, 0.0) * rate,
        sampled=ov.sampled,
        groups=[div_niche, div_country] if beta > 0 else [],
        beta=beta,
        min_k=c.min_creators,
        max_k=c.max_creators,
        allowed=allowed,
        onbrief=on_brief,
        onbrief_share=brief_share,
    )
    shared = _PairIndex(ov.pair_i, ov.pair_j, ov.shared, ov.shared_handles, ov.source)
    return _Model(
        frame=fr,
        relevance=relevance,
        on_brief=on_brief,
        content=inp.content,
        share=inp.share,
        x=inp.x,
        orders=orders,
        engaged=inp.engaged,
        value=value,
        real_followers=followers * real,
        fee_lo=lo,
        fee_mid=mid,
        fee_hi=hi,
        fee_method=method,
        fee_shared=fee_err,
        conv=conv,
        aov=aov,
        problem=prob,
        shared=shared,
        niche_codes=niche_codes,
        floor=None if floor is None else float(floor),
        brief_share=brief_share,
        excluded=excluded,
        gaps=inp.gaps,
        unsampled=inp.unsampled,
        real_prior=inp.real_prior,
    )


def _cheapest_beyond_ceiling(
    store: Store,
    workspace: str,
    brief: Brief,
    budget: float,
    c: PlanConstraints,
    conv: conversion.ConversionModel,
    aov: float,
    src: CandidateSource,
) -> None:
    """Raise the budget error naming the cheapest creator who fits the brief, when creators
    fit it but every one costs more than ``brief.budget`` allows; return otherwise."""
    open_brief = brief.model_copy(update={"budget": None})
    cands = src(store, workspace, open_brief, c.candidate_limit)
    if not cands:
        return
    m = _build(store, workspace, open_brief, cands, budget, c, conv, aov, overlaps=False)
    ok = _anchors(m) & ~m.excluded
    if ok.any():
        raise _too_dear(m, np.flatnonzero(ok), budget, c.currency_symbol)


def _anchors(m: _Model) -> np.ndarray:
    """Creators a plan from the brief can hold and be built around: at least as on brief as
    the mean it must keep (which also makes them on brief enough to pick, a lower bar) and
    above the hard floor if one is set."""
    ok = m.on_brief >= m.brief_share
    if m.floor is not None:
        ok &= m.relevance >= m.floor
    out: np.ndarray = ok
    return out


def _too_dear(m: _Model, fitting: np.ndarray, budget: float, sym: str = "") -> ValidationError:
    """The budget's error: the cheapest of ``fitting`` (indices) named with its fee."""
    cheapest = int(fitting[np.argmin(m.fee_mid[fitting])])
    handle, fee = _at(m.frame, "handle", cheapest), float(m.fee_mid[cheapest])
    return ValidationError(
        f"no creator who fits this brief fits a budget of {figures.money(budget, sym)}: the "
        f"cheapest creator that fits, @{handle}, costs about {figures.money(fee, sym)} a post; "
        "raise the budget",
        field="budget",
        cheapest_handle=handle,
        cheapest_fee=round(fee, 2),
    )


def _codes(values: list[str]) -> np.ndarray:
    m: dict[str, int] = {}
    return np.array([-1 if not v else m.setdefault(v, len(m)) for v in values], dtype=np.int64)


def _shared_followers(m: _Model, a: int, b: int, prior: float) -> float:
    got = m.shared.get((min(a, b), max(a, b)))
    if got is not None:
        return got[0]
    p = m.problem
    assert p.sampled is not None
    if p.sampled[a] and p.sampled[b]:
        return 0.0
    if m.niche_codes[a] >= 0 and m.niche_codes[a] == m.niche_codes[b]:
        return prior * min(m.real_followers[a], m.real_followers[b])
    return 0.0


def _overlap_share(m: _Model, sel: list[int], c: PlanConstraints) -> tuple[float, float]:
    """(unique real audience, share of the set's value counted twice) of a set."""
    s = np.array(sel)
    real = m.real_followers[s]
    v = np.maximum(m.problem.value[s], 0.0)
    shared_total = 0.0
    dup = 0.0
    for a_pos in range(len(s)):
        for b_pos in range(a_pos + 1, len(s)):
            sh = _shared_followers(m, int(s[a_pos]), int(s[b_pos]), c.prior_overlap)
            if sh > 0:
                shared_total += sh
                dup += m.problem.w(int(s[a_pos]), int(s[b_pos]))
    total = float(v.sum())
    return float(real.sum() - shared_total), (min(dup / total, 1.0) if total > 0 else 0.0)


def _streams(c: PlanConstraints) -> tuple[np.random.Generator, np.random.Generator]:
    """The plan's random streams: one for the fees, one for the orders, so that how many
    numbers the fee draws take (more with their joint errors) does not resample the orders."""
    fee_seq, order_seq = np.random.SeedSequence(c.seed).spawn(2)
    return np.random.default_rng(fee_seq), np.random.default_rng(order_seq)


def _set_fee_draws(m: _Model, s: np.ndarray, c: PlanConstraints) -> np.ndarray:
    """(draws, creators) of the set's fees (the same draws for the same set and seed)."""
    shared = None if m.fee_shared is None else m.fee_shared[s]
    return fee_draws(m.fee_lo[s], m.fee_mid[s], m.fee_hi[s], _streams(c)[0], c.draws, shared)


def _chance_within(m: _Model, sel: list[int], c: PlanConstraints, budget: float) -> float:
    """The share of the fee model's draws in which the set's total stays within ``budget``."""
    if not sel:
        return 1.0
    total = _set_fee_draws(m, np.array(sel), c).sum(axis=1)
    return float(np.mean(total <= budget * (1 + 1e-9)))


def _solve(p: Problem, c: PlanConstraints, notes: list[str]) -> Solution:
    """The set the constraints' method chooses for ``p``."""
    if c.method == "auto":
        # the heuristic, then HiGHS on the creators its Lagrangian bound cannot rule out: a
        # bound certified for the whole pool (docs/plan.md: gap <= 2% at 2,000 candidates)
        return solve(p, time_limit=c.time_limit)
    if c.method == "greedy":
        return solve_greedy(p)
    sol = solve_milp(p, time_limit=c.time_limit)
    if sol.status == "time_limit":
        g = solve_greedy(p)
        if g.value > sol.value:
            notes.append("MILP hit its time limit; the greedy set was better")
            g.bound = sol.bound
            g.gap = max(0.0, (sol.bound - g.value) / sol.bound) if sol.bound else g.gap
            sol = g
    return sol


# steps of the search for the least fee margin that keeps the asked chance (each one solve)
WITHIN_BUDGET_STEPS = 3
# the largest margin tried, in standard deviations of each fee's upper side
WITHIN_BUDGET_MAX_SD = 4.0


def _within_budget(
    m: _Model, sol: Solution, c: PlanConstraints, budget: float, notes: list[str]
) -> tuple[Solution, np.ndarray, float, list[str]]:
    """The best set whose cost the fee model keeps within ``budget`` at least
    ``c.within_budget`` of the time. Each creator is budgeted at its fee estimate times
    ``exp(t · sd)``, ``sd`` the spread of the fee's upper side in log, the same ``t`` for all:
    ``t`` at the chance's normal quantile would do if the fees erred all together (they do in
    part); the least ``t`` that keeps the chance is found by bisection, and of the sets that
    keep it the one worth most is taken. Returns the set, the costs it was budgeted at, its
    chance and the notes of the solve that found it (``notes``: those of ``sol``'s). When no
    set keeps the chance (no margin up to WITHIN_BUDGET_MAX_SD, or none leaves
    a feasible plan: ``min_creators``), the surest of the sets found, ``sol`` included."""
    target = float(c.within_budget or 0.5)
    p = m.problem
    first = (sol, p.cost, _chance_within(m, sol.selected, c, budget), notes)
    if first[2] >= target:
        return first
    tried = [first]

    def keeps(t: float) -> bool:
        cost = _fee_above(m.fee_mid, m.fee_hi, t)
        said: list[str] = []  # a re-solve's own notes (a MILP time limit) go with its set
        got = _solve(replace(p, cost=cost, allowed=p.allowed), c, said)
        if not got.selected:  # no plan at this margin (e.g. min_creators): not a way out
            return False
        tried.append((got, cost, _chance_within(m, got.selected, c, budget), said))
        return tried[-1][2] >= target

    lo_t, hi_t = 0.0, max(NormalDist().inv_cdf(target), 0.25)
    while not keeps(hi_t):
        if hi_t >= WITHIN_BUDGET_MAX_SD:
            return max(tried, key=lambda x: x[2])
        lo_t, hi_t = hi_t, min(hi_t * 2, WITHIN_BUDGET_MAX_SD)
    for _ in range(WITHIN_BUDGET_STEPS):
        t = (lo_t + hi_t) / 2
        if keeps(t):
            hi_t = t
        else:
            lo_t = t
    # ties go to the later try: the smaller margin, the reserve the chance needs
    return max(reversed([x for x in tried if x[2] >= target]), key=lambda x: x[0].value)


# each input of the conversion model in a marketer's words and units (design column, name, how
# a value of the column reads)
_TERM_WORDS: tuple[tuple[int, str, Callable[[float], str]], ...] = (
    (1, "engaged people per post", lambda v: f"{math.exp(v) * 100:,.0f}"),
    (2, "chance the content fits", lambda v: figures.percent(math.exp(v))),
    (3, "audience share in the brief's market", lambda v: figures.percent(math.exp(v))),
    (4, "reply rate", lambda v: figures.percent(v)),
    (5, "sponsored share of posts", lambda v: figures.percent(v)),
)


def _beyond_history(m: _Model, sel: list[int]) -> tuple[int, str] | None:
    """How many of ``sel`` have inputs so far outside what the past campaigns the forecast
    learned from held that their figures are an extrapolation (a macro creator's engaged
    audience where the past campaigns had nano and micro creators), and which, in words."""
    rng = m.conv.ranges
    if rng is None or not sel:
        return None
    x = m.x[sel]
    far = m.conv.beyond(x)
    if not far.any():
        return None
    parts = []
    for col, name, show in _TERM_WORDS:
        hit = far[:, col]
        if hit.any():
            lo, hi = float(x[hit, col].min()), float(x[hit, col].max())
            parts.append(
                f"{name} {show(lo)}"
                + (f"–{show(hi)}" if hi > lo else "")
                + f" (past campaigns: {show(float(rng[0, col]))}–{show(float(rng[1, col]))})"
            )
    return int(far.any(axis=1).sum()), "; ".join(parts)


def _metrics(m: _Model, sel: list[int], c: PlanConstraints, budget: float) -> dict[str, Any]:
    """Expected outcomes of a set: the point forecast (the picks' expected orders after the
    overlap, at their fee estimates' medians; ROAS = revenue / cost of those) with 10–90%
    intervals from draws of the conversion model (coefficients, the campaign's spread, each
    creator's spread) and of the fees."""
    if not sel:
        return {"n": 0}
    D = c.draws
    s = np.array(sel)
    lo, mid, hi = m.fee_lo[s], m.fee_mid[s], m.fee_hi[s]
    fees = _set_fee_draws(m, s, c)
    unique, dup = _overlap_share(m, sel, c)
    orders = m.conv.draws(m.x[s], _streams(c)[1], D).sum(axis=1) * (1.0 - dup)
    revenue = orders * m.aov
    cost = fees.sum(1)
    orders_pt = float(m.orders[s].sum()) * (1.0 - dup)
    revenue_pt, cost_pt = orders_pt * m.aov, float(mid.sum())
    out: dict[str, Any] = {
        "n": len(sel),
        "unique_audience": unique,
        "reach": unique * c.reach_rate,
        "engagements": float(m.engaged[s].sum()),
        "conversions": _interval(orders_pt, orders),
        "revenue": _interval(revenue_pt, revenue),
        "roas": _interval(revenue_pt / cost_pt if cost_pt > 0 else 0.0, revenue / cost),
        # one creator's cost range is its fee's own, exactly (not a sample of it)
        "cost": (
            {"mid": cost_pt, "p10": float(lo[0]), "p90": float(hi[0])}
            if len(s) == 1
            else _interval(cost_pt, cost)
        ),
        "cost_mid_total": cost_pt,
        "budget_used": cost_pt / budget,
        # the chance the fees, as the fee model sees them, keep the set within the budget
        "within_budget": float(np.mean(cost <= budget * (1 + 1e-9))),
        "overlap_discount": round(dup, 4),
    }
    if c.margin:
        out["profit"] = _interval(revenue_pt * c.margin - cost_pt, revenue * c.margin - cost)
    return out


def _explain(m: _Model, sol: Solution) -> list[Pick]:
    p = m.problem
    # order the set the way a greedy would have added it, to give each pick a marginal gain
    rest = list(sol.selected)
    order: list[int] = []
    while rest:
        best = max(rest, key=lambda j: _gain(p, order, j) / p.cost[j])
        order.append(best)
        rest.remove(best)
    picks: list[Pick] = []
    fr = m.frame
    for k, j in enumerate(order):
        prev = order[:k]
        disc = sum(p.w(i, j) for i in prev)
        bonus = _gain(p, prev, j) - float(p.value[j]) + disc
        # a bonus of nothing, where the sums cancel, is 0, not the rounding left (-2.4e-14)
        bonus = 0.0 if abs(bonus) <= 1e-9 * max(1.0, abs(float(p.value[j]))) else bonus
        gain = float(p.value[j]) - disc + bonus
        ovw = []
        for i in sol.selected:
            if i == j:
                continue
            got = m.shared.get((min(i, j), max(i, j)))
            if got is not None:
                sh, kk, src = got
                ovw.append(
                    {
                        "creator_id": _at(fr, "creator_id", i),
                        "shared_followers_est": round(sh),
                        "shared_handles_seen": kk,
                        "source": src,
                        # one or two coincidences in samples of 60 read as "~30.0%" (the cap)
                        "thin": kk is not None and kk < THIN_OVERLAP,
                    }
                )
        picks.append(
            Pick(
                creator_id=_at(fr, "creator_id", j),
                handle=_at(fr, "handle", j),
                platform=_at(fr, "platform", j),
                tier=_at(fr, "tier", j),
                niche=_at(fr, "niche", j) if isinstance(_at(fr, "niche", j), str) else None,
                country=_at(fr, "country", j) if isinstance(_at(fr, "country", j), str) else None,
                followers=int(_at(fr, "followers", j)),
                engagement_rate=float(_at(fr, "engagement_rate", j)),
                engagement_measured=bool(_at(fr, "er_known", j)),
                relevance=float(m.relevance[j]),
                on_brief=float(m.on_brief[j]),
                content_fit=float(m.content[j]),
                audience_share=float(m.share[j]),
                expected_orders=float(m.orders[j]),
                expected_revenue=float(m.orders[j] * m.aov),
                fee={
                    "low": round(float(m.fee_lo[j]), 2),
                    "mid": round(float(m.fee_mid[j]), 2),
                    "high": round(float(m.fee_hi[j]), 2),
                    "method": m.fee_method,
                },
                value_alone=float(p.value[j]),
                overlap_discount=float(disc),
                diversity_bonus=float(bonus),
                marginal_gain=float(gain),
                gain_per_1k=float(gain / p.cost[j] * 1000),
                overlap_with=ovw,
            )
        )
    return picks


def _at(fr: Cols, col: str, i: int) -> Any:
    v: Any = fr[col][i]
    return v


def _gain(p: Problem, prev: Sequence[int], j: int) -> float:
    return p.value_of([*prev, j]) - p.value_of(prev)


#: fewer accounts seen in both samples than this: the overlap is said to be a guess
THIN_OVERLAP = 3


_DIM_WORDS = {"country": "countries", "age": "ages", "gender": "gender"}


def _fit_words(brief: Brief, m: _Model, i: int) -> str:
    """Why creator ``i`` of ``m`` fits the brief as much as it does, in words: relevance is its
    content's chance of fitting times its audience's, and the smaller of the two is what holds
    it down, said with the share of its audience in what the brief asks for ("relevance 0.0%"
    beside "content 100.0% likely to fit" read as a contradiction)."""
    # the dimensions the share was taken over (match.audience.asked_dims), in words
    asked = [_DIM_WORDS[d] for d in asked_dims(brief)]
    content = float(m.content[i])
    words = f"its content is {figures.percent(content)} likely to fit"
    if not asked:
        return words
    share, dims = figures.percent(m.share[i]), f"in the brief's {figures.listed(asked)}"
    where = f"{share} of it is {dims}"
    # relevance = P(content fits) × P(audience fits) (match.relevance)
    rel = float(m.relevance[i])
    audience = min(max(rel / content, 0.0), 1.0) if content > 0 and math.isfinite(rel) else None
    if audience is None:
        return f"{words}, and {share} of its audience is {dims}"
    both = "relevance is the two chances multiplied"
    if audience < content:
        return f"{words}, but its audience only {figures.percent(audience)}, as {where}: {both}"
    return (
        f"its audience is {figures.percent(audience)} likely to fit, as {where}, but its "
        f"content only {figures.percent(content)}: {both}"
    )


def _best_single_big(
    store: Store,
    workspace: str,
    brief: Brief,
    m: _Model,
    budget: float,
    c: PlanConstraints,
) -> dict[str, Any]:
    """The best single macro/mega creator affordable with the whole budget, by the same
    forecast (conversion model, fees, AOV), for comparison: the plan's candidates and the
    store's macro/mega creators of the brief's platforms."""
    floor = _tier_floor("macro")
    rows = store.query(
        "SELECT creator_id FROM creators WHERE workspace_id = ? AND followers >= ? "
        + ("AND platform IN (SELECT unnest(?::VARCHAR[])) " if brief.platforms else "")
        + "ORDER BY followers ASC LIMIT 2000",
        [workspace, floor, *([brief.platforms] if brief.platforms else [])],
    )
    excl = {x.lower() for x in c.exclude}
    ids = [r["creator_id"] for r in rows if r["creator_id"].lower() not in excl]
    if not ids:
        return {
            "status": "none_affordable",
            "note": "no big (macro or mega) creator in the workspace",
        }
    big = _build(
        store,
        workspace,
        brief,
        [(x, float("nan")) for x in ids],
        budget,
        PlanConstraints(
            **{**c.__dict__, "max_share": 1.0, "candidates": None, "min_relevance": 0.0}
        ),  # fmt: skip
        m.conv,
        m.aov,
        explicit=True,
        overlaps=False,
    )
    tiers = big.frame["tier"].tolist()
    # the budget the plan keeps: with a chance asked, one creator's fee at that quantile
    price = big.fee_mid
    if c.within_budget is not None:
        price = _fee_above(big.fee_mid, big.fee_hi, NormalDist().inv_cdf(c.within_budget))
    ok = [i for i, t in enumerate(tiers) if t in ("macro", "mega") and price[i] <= budget]
    if not ok:
        return {
            "status": "none_affordable",
            "note": "no big (macro or mega) creator's fee fits this budget"
            + (
                f" {figures.percent(c.within_budget)} of the time, the chance asked"
                if c.within_budget is not None
                else ""
            ),
        }
    # held to the plan's own standard: the plan's picks average at least its on-brief share,
    # so the one big creator it is compared with must reach it too (an interior creator 64%
    # likely on brief was "the best single macro" for a cozy-games brief, forecast 27x its
    # true revenue, and the plan read as a quarter of it)
    bar = max(m.brief_share, BIG_MIN_RELEVANCE)
    fitting = [i for i in ok if float(big.on_brief[i]) >= bar]
    best = max(fitting or ok, key=lambda i: big.orders[i])
    fr = big.frame
    far = _beyond_history(big, [best])
    notes = []
    fit = _fit_words(brief, big, best)
    if not fitting:
        # the best forecast among the big creators the budget buys may not fit the brief at
        # all (a parenting creator for running shoes): said, with why (a vegan creator read
        # "relevance 0.0%" with 25% of her audience in the brief's Germany, unexplained), so
        # the comparison is not read as a fair alternative
        notes.append(
            f"it does not fit this brief as the plan's picks must: it is "
            f"{_share_under(big.on_brief[best], bar)} likely to be on brief, under "
            f"{figures.percent(bar)}, with relevance {figures.percent(big.relevance[best])} "
            f"({fit}). No big creator who does is within the budget, so it is shown for scale, "
            "not as an alternative"
        )
    beyond = None
    if far:
        beyond = (
            f"its forecast reaches beyond the past campaigns it learned from: {far[1]}; read "
            "it as a rough guide"
        )
        notes.append(beyond)
    return {
        "status": "ok",
        "note": "; ".join(notes) or None,
        "beyond_history": beyond,
        "creator_id": _at(fr, "creator_id", best),
        "handle": _at(fr, "handle", best),
        "tier": _at(fr, "tier", best),
        "followers": int(_at(fr, "followers", best)),
        "relevance": round(float(big.relevance[best]), 4),
        "fits_brief": bool(fitting),
        "on_brief": round(float(big.on_brief[best]), 4),
        "on_brief_bar": bar,
        "fit_words": fit,
        "fee": {
            "low": float(big.fee_lo[best]),
            "mid": float(big.fee_mid[best]),
            "high": float(big.fee_hi[best]),
        },
        "expected": _metrics(big, [best], c, budget),
    }


# the least P(on brief) of the big creator a plan is compared with, whatever the plan's own
# on-brief share (a plan with the share turned off still compares with a fitting creator)
BIG_MIN_RELEVANCE = 0.5


def _tier_floor(name: str) -> int:
    from closeknit.settings import get_settings

    return dict(get_settings().tiers).get(name, 100_000)


def _check_min_creators(m: Any, c: PlanConstraints, budget: float, n_ok: int) -> None:
    """min_creators that no plan can meet is named as such, not left to the solver (whose
    "infeasible" read as "raise the budget", even at a budget of millions)."""
    k = c.min_creators
    if k <= 1:
        return
    p = m.problem
    if k > n_ok:
        raise ValidationError(
            f"only {figures.count(n_ok, 'creator')} fit this brief and its constraints, fewer than "
            f"min_creators ({k}); lower min_creators or widen the brief",
            field="min_creators",
        )
    cheapest = float(np.sort(p.cost[p.allowed])[:k].sum())
    if cheapest > budget * (1 + 1e-9):
        raise ValidationError(
            f"the {k} cheapest creators who fit cost about "
            f"{figures.money(cheapest, c.currency_symbol)} together, above the budget of "
            f"{figures.money(budget, c.currency_symbol)}; lower min_creators or raise the budget",
            field="min_creators",
        )


def make_plan(
    store: Store,
    workspace: str,
    brief: Brief,
    budget: float,
    constraints: PlanConstraints | None = None,
) -> Plan:
    """Choose creators for ``brief`` within ``budget`` (see the module docstring)."""
    t0 = time.perf_counter()
    c = constraints or PlanConstraints()
    c.validate(budget)
    explicit = c.candidates is not None
    if c.candidates is not None:
        cands = [(x, float("nan")) for x in c.candidates]
        src_name = "explicit"
    else:
        if not brief.text.strip():
            raise ValidationError(
                "the brief is empty: describe the product and audience", field="text"
            )
        src = c.candidate_source or discover_candidates
        try:
            cands = src(store, workspace, brief, c.candidate_limit)
        except ValidationError as e:
            if "budget" in e.details.get("left_out", {}):
                # the fee ceiling may be what left everyone out: then the budget is what to
                # change, and the error names the cheapest creator who fits
                conv = history_model(store, workspace)
                aov = _aov(store, workspace, c)[0]
                _cheapest_beyond_ceiling(store, workspace, brief, budget, c, conv, aov, src)
            raise
        src_name = getattr(src, "__name__", "custom")
    if not cands:
        raise ValidationError("no candidate creators: import creators first or widen the brief")
    conv = history_model(store, workspace)
    aov, aov_source = _aov(store, workspace, c)
    m = _build(store, workspace, brief, cands, budget, c, conv, aov, explicit)
    p = m.problem
    assert p.allowed is not None
    # the brief's words as discover read them (a typo read as the word meant, or named)
    notes: list[str] = [] if explicit else brief_word_notes(store, workspace, brief)
    said = _order_currency_note(store, workspace, c, aov, aov_source)
    if said:
        notes.append(said)
    fits = _anchors(m)
    rule = _rule(m)
    if not explicit and not fits.any():
        if brief.budget is not None:
            # the fee ceiling may be what left every fitting creator out: then the budget,
            # not the brief, is what to change (and the error names the cheapest who fits)
            _cheapest_beyond_ceiling(store, workspace, brief, budget, c, conv, aov, src)
        best = int(np.argmax(m.on_brief)) if len(m.on_brief) else -1
        # a plan is built around a creator at least as on brief as its mean must be: say so,
        # with enough digits that the closest is not printed at the bar it misses
        need = (
            f"none of {len(m.relevance)} candidates is at least "
            f"{figures.percent(m.brief_share)} likely to be on brief"
            + (f" with a relevance of at least {figures.percent(m.floor)}" if m.floor else "")
            + " (the picks' average must reach it, so the plan needs one that does)"
            if m.brief_share > 0
            else f"none of {len(m.relevance)} candidates fits it ({rule})"
        )
        raise ValidationError(
            f"no creator fits this brief: {need}"
            + (
                # which chance holds it down, content or audience (the error said "a topic
                # fit of 6.5%" for jewellery creators 100% likely to fit by content whose
                # audience was not the brief's men: a tester)
                f"; the closest, @{_at(m.frame, 'handle', best)}, is "
                f"{_share_under(m.on_brief[best], m.brief_share)} likely to be on brief "
                f"(relevance {figures.percent(m.relevance[best])}: "
                f"{_fit_words(brief, m, best)}; and a "
                f"{figures.percent(m.on_brief[best] / max(m.relevance[best], 1e-12))} chance "
                "that its audience is not heavily bought); widen the brief or its filters, or "
                "lower the on-brief share"
                if best >= 0
                else ""
            )
            + (f"; {held}" if (held := _held_back(m, [])) else "")
            + (f"; {wide}" if (wide := _wider(m, [], c, budget, _money(c))) else ""),
            field="text",
            nothing_fits=True,
        )
    n_ok = int(p.allowed.sum())
    # any plan needs one creator at least as on brief as the mean it must keep
    anchor = p.allowed & (m.on_brief >= m.brief_share)
    if not anchor.any() or float(p.cost[anchor].min()) > budget:
        could = fits if not explicit else np.ones_like(fits)
        if not (could & ~m.excluded).any():
            # every creator who fits was left out (or kept in and planned around)
            k = int((could & m.excluded).sum())
            who = (
                "the only one that does was left out or is already in the plan"
                if k == 1
                else f"the {k} that do were left out or are already in the plan"
            )
            raise ValidationError(
                f"no other creator fits this brief: {who}; widen the brief or its filters, or "
                "lower the on-brief share",
                field="text",
                nothing_fits=True,
            )
        raise _too_dear(m, np.flatnonzero(could & ~m.excluded), budget, c.currency_symbol)
    _check_min_creators(m, c, budget, n_ok)
    solved: list[str] = []
    sol = _solve(p, c, solved)
    money = _money(c)
    # what each pick is budgeted at: its fee estimate, or more where a chance is asked
    budgeted = p.cost
    reserve_notes: list[str] = []
    if c.within_budget is not None and sol.selected and not c.price_only:
        sol, budgeted, chance, solved = _within_budget(m, sol, c, budget, solved)
        reserve = float(budgeted[sol.selected].sum() - m.fee_mid[sol.selected].sum())
        asked = figures.percent(c.within_budget)
        if chance < c.within_budget:
            reserve_notes.append(
                f"no plan that keeps the constraints reaches the chance asked: the fee model "
                f"keeps this one within the budget {figures.percent(chance)} of the time "
                f"(asked: at least {asked}); raise the budget, ask for fewer creators, or agree "
                "the fees first"
            )
        elif reserve > 0.005:
            reserve_notes.append(
                f"{money(reserve)} of the budget is kept in reserve for fees above their "
                f"estimates: the fee model keeps the plan within the budget "
                f"{figures.percent(chance)} of the time (asked: at least {asked})"
            )
    # the notes of the solve whose set is kept (a MILP time limit), then the reserve's
    notes.extend(solved + reserve_notes)

    # the solver's own notes (which engine, how many creators it kept) are for the record,
    # not for the reader of the plan: they go with the assumptions
    solver_notes = list(sol.notes)
    status = sol.status if sol.selected else "infeasible"
    spent = float(m.fee_mid[sol.selected].sum()) if sol.selected else 0.0
    # the budget not spent, the reserve for dearer fees (when a chance is asked) aside
    left = budget - (float(budgeted[sol.selected].sum()) if sol.selected else 0.0)
    if c.price_only:
        pass
    elif sol.selected and len(sol.selected) == n_ok and left > 0.05 * budget:
        status = "too_few_fit"
        notes.append(
            f"only {figures.count(n_ok, 'creator')} fit the brief ({rule}) and the "
            f"constraints; {money(left)} of the budget is left unspent rather than "
            "spent on creators who do not fit"
        )
    elif sol.selected and left > 0.05 * budget and len(sol.selected) < c.max_creators:
        # room for more, and creators who would fit the budget, yet none added: each of them
        # would pull the plan's mean P(on brief) under the share
        rest = p.allowed.copy()
        rest[sol.selected] = False
        if m.brief_share > 0 and (rest & (budgeted <= left)).any():
            status = "too_few_fit"
            notes.append(
                f"only {figures.count(len(sol.selected), 'creator')} fit the brief together "
                "(each other candidate would take the picks' average chance of being on brief "
                f"under {figures.percent(m.brief_share)}); {money(left)} of the budget is left "
                "unspent rather than spent on creators who may not fit (a lower on-brief share "
                "takes more of them)"
            )
    elif sol.selected and left > 0.05 * budget and len(sol.selected) >= c.max_creators:
        # a plan that leaves most of the budget unspent reads as a fault unless it says why
        what = {"revenue": "revenue", "profit": "profit", "conversions": "orders",
                "reach": "reach"}[c.objective]  # fmt: skip
        notes.append(
            f"{money(left)} of the budget is left unspent: the plan holds as many creators as "
            f"allowed (at most {figures.count(c.max_creators, 'creator')}), and the best set of "
            f"at most {c.max_creators} found is this one: dearer creators are not expected to "
            f"bring more {what}; allow more creators to spend more of it"
        )
    if status == "too_few_fit":
        held = _held_back(m, sol.selected)
        if held:
            notes.append(held)
        wider = _wider(m, sol.selected, c, budget, money)
        if wider:
            notes.append(wider)
    if explicit:
        floor = m.floor if m.floor is not None else PICK_MIN_ON_BRIEF
        below = int((m.relevance < floor).sum())
        if below:
            notes.append(
                f"{below} of the given creators have a relevance under "
                f"{figures.percent(floor)} (kept: you named them)"
            )
    picks = _explain(m, sol)
    losing = [k for k in picks if k.fee["mid"] > 0 and k.expected_revenue < k.fee["mid"]]
    if losing and c.objective in ("revenue", "conversions", "reach"):
        # the objective counts revenue (or orders, reach), not what is left after the fee: a
        # pick expected to bring less than it costs was added to a large budget without a word
        # the worst first, and how many more (brief-06 named three at 0.81-0.91x and left out
        # the dearest pick at 0.39x)
        losing.sort(key=lambda k: (k.expected_revenue / k.fee["mid"], k.handle))
        shown = figures.first_of(
            [f"@{k.handle} ({k.expected_revenue / k.fee['mid']:.2f}× its fee)" for k in losing], 3
        )
        notes.append(
            f"{figures.count(len(losing), 'pick')} {'is' if len(losing) == 1 else 'are'} "
            f"expected to bring less revenue than {'its' if len(losing) == 1 else 'their'} "
            f"fee: {shown}; aim for profit (with the margin) to leave out creators who do not "
            "pay for themselves"
        )
    expected = _metrics(m, sol.selected, c, budget)
    if sol.selected:
        expected["on_brief_mean"] = round(float(m.on_brief[sol.selected].mean()), 4)
        # the plan is budgeted on the fees' medians: say when their range reaches past it
        high = float(expected["cost"]["p90"])
        if high > budget * (1 + 1e-9):
            notes.append(
                f"the fees are estimates: at the high end of their 80% range the plan costs "
                f"{money(high)}, above the budget of {money(budget)} (the fee model keeps it "
                f"within the budget {figures.percent(expected['within_budget'])} of the time); "
                "agree the fees before committing the budget"
            )
    older = older_feature_sets(store, workspace)
    if older:  # the picks' engagement, reply rate and bought audience come from it
        notes.append(older_note(older))
    far = _beyond_history(m, sol.selected)
    if far:
        notes.append(
            f"the forecast reaches beyond the past campaigns it learned from for "
            f"{figures.count(far[0], 'pick')}: {far[1]}; read their figures as a rough guide"
        )
    big = _best_single_big(store, workspace, brief, m, budget, c)
    if big.get("status") == "ok":
        big["in_plan"] = big["creator_id"] in {p.creator_id for p in picks}
    comparison: dict[str, Any] = {
        "plan": {"n": len(sol.selected), "expected": expected},
        "best_single_macro_or_mega": big,
    }
    if big.get("status") == "ok" and expected.get("n"):
        be = big["expected"]
        comparison["revenue_ratio"] = _ratio(expected["revenue"]["mid"], be["revenue"]["mid"])
        comparison["roas_ratio"] = _ratio(expected["roas"]["mid"], be["roas"]["mid"])
    plan = Plan(
        plan_id=uuid.uuid4().hex[:12],
        brief=brief.text,
        budget=float(budget),
        objective=c.objective,
        method=sol.method,
        status=status,
        picks=picks,
        # the range is the 80% interval of the total (the fees' draws), not every creator at
        # its low or high end at once
        cost={
            "low": expected["cost"]["p10"] if sol.selected else 0.0,
            "mid": spent,
            "high": expected["cost"]["p90"] if sol.selected else 0.0,
        },
        expected=expected,
        bound=sol.bound,
        gap=sol.gap,
        gap_kind=sol.bound_kind
        or ("milp_dual_bound" if sol.method == "milp" else "greedy_online_bound"),
        value=sol.value,
        comparison=comparison,
        n_candidates=n_ok,
        candidate_source=src_name,
        assumptions={
            "objective_value": {
                "revenue": "expected incremental revenue",
                "profit": "expected incremental revenue x margin - fee",
                "conversions": "expected incremental orders",
                "reach": "engaged audience x relevance",
            }[c.objective],
            "conversion_model": conv.to_dict(),
            "aov": aov,
            "aov_source": aov_source,
            "margin": c.margin,
            "relevance_floor": m.floor,
            "on_brief_share": m.brief_share,
            "within_budget": c.within_budget,
            "pick_min_on_brief": min(PICK_MIN_ON_BRIEF, m.brief_share),
            "bought_share": BOUGHT_SHARE,
            "default_not_bought": DEFAULT_NOT_BOUGHT,
            "unsampled_not_bought": m.unsampled,
            "overlap_model": "independent exposure: a shared follower is worth 1-(1-q_i)(1-q_j)",
            "reach_rate": c.reach_rate,
            "default_real_share": m.real_prior,
            "prior_overlap_same_niche": c.prior_overlap,
            "diversity_weight": c.diversity,
            "fee_method": m.fee_method,
            "format": c.format,
            "interval": "10-90% of 1000 draws",
            "solver_notes": solver_notes,
        },
        notes=notes,
        seconds=time.perf_counter() - t0,
    )
    return plan


def _held_back(m: _Model, selected: list[int]) -> str:
    """When the on-brief rule held the plan back: how many of the candidates that might be on
    brief (P(on brief) from PICK_MIN_ON_BRIEF up to the plan's mean) are judged on estimated
    audience evidence, and what would measure it ("" when none)."""
    if m.brief_share <= 0 or not m.gaps:
        return ""
    maybe = (m.on_brief >= min(PICK_MIN_ON_BRIEF, m.brief_share)) & (m.on_brief < m.brief_share)
    maybe &= ~m.excluded
    maybe[list(selected)] = False
    n = int(maybe.sum())
    if not n:
        return ""
    what = {"demographics": "audience demographics", "audience sample": "follower sample"}
    counts = {k: int((maybe & g).sum()) for k, g in m.gaps.items()}
    parts = [f"{v} {'has' if v == 1 else 'have'} no {what[k]}" for k, v in counts.items() if v]
    if not parts:
        return ""
    return (
        f"of the {figures.count(n, 'candidate')} held back as possibly on brief "
        f"({figures.percent(min(PICK_MIN_ON_BRIEF, m.brief_share))} to "
        f"{figures.percent(m.brief_share)} likely to be on brief), "
        + " and ".join(parts)
        + ": their fit is estimated from similar creators; importing their audience "
        "demographics or follower samples would tell which fit"
    )


def _money(c: PlanConstraints) -> Callable[[float], str]:
    """An amount of the notes and errors, in the workspace currency."""
    return lambda v: figures.money(v, c.currency_symbol)


WIDER_STEP = 0.1  # the lower on_brief_share a too-few-fit plan is priced at, for comparison


def _wider(
    m: _Model, selected: list[int], c: PlanConstraints, budget: float, money: Callable[[float], str]
) -> str:
    """When the on-brief rule held the plan back (``selected``: its picks, none when no creator
    fits): the same plan at an on_brief_share ``WIDER_STEP`` lower, in numbers (creators, cost,
    the forecast, the mean P(on brief)), so the trade-off is the marketer's to make ("" when
    that plan takes no more creators)."""
    share = round(m.brief_share - WIDER_STEP, 2)
    if share < PICK_MIN_ON_BRIEF:
        return ""
    wide = solve(replace(m.problem, onbrief_share=share), time_limit=c.time_limit)
    if len(wide.selected) <= len(selected):
        return ""
    x = _metrics(m, wide.selected, c, budget)
    if c.objective == "conversions":
        f = x["conversions"]
        what = f"{f['mid']:,.0f} expected orders ({f['p10']:,.0f}–{f['p90']:,.0f})"
    elif c.objective == "reach":
        what = f"a reach of {x['reach']:,.0f}"
    else:
        f = x["revenue"]
        what = (
            f"an expected revenue of {money(f['mid'])} "
            f"({figures.money_range(f['p10'], f['p90'], c.currency_symbol)})"
        )
    mean = float(m.on_brief[wide.selected].mean())
    return (
        f"at an on-brief share of {figures.percent(share)} the plan would take "
        f"{figures.count(len(wide.selected), 'creator')} for {money(x['cost_mid_total'])}, "
        f"{what}, with each pick {figures.percent(mean)} likely to be on brief on average: "
        f"about {figures.percent(1 - mean)} of its picks may not fit"
    )


def _rule(m: _Model) -> str:
    """The on-brief rule in words, for notes and errors."""
    parts = []
    if m.brief_share > 0:
        parts.append(
            f"each pick at least {figures.percent(min(PICK_MIN_ON_BRIEF, m.brief_share))} "
            f"likely to be on brief, {figures.percent(m.brief_share)} on average"
        )
    if m.floor:  # a floor of 0 (the kept-in path re-pricing the user's set) rules nothing out
        parts.append(f"a relevance of at least {figures.percent(m.floor)}")
    return "; ".join(parts) or "any relevance"


def _share_under(v: float, bar: float) -> str:
    """A share that misses ``bar``, as a percentage that does not read as the bar itself
    (0.8996 under 0.90 is "89.9%", not "90.0%")."""
    shown = figures.percent(v)
    if v < bar and shown == figures.percent(bar):
        shown = figures.percent(math.floor(v * 1000) / 1000)
    return shown


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b > 0 else None
