"""``make_plan``: pick several creators under a budget (see docs/plan.md for the model).

Per candidate i (followers F, real-audience share a, engagement rate e, brief relevance r):
engaged audience ``E_i = F·a·e``; value ``v_i = E_i·r`` (objective ``reach``) or
``v_i = E_i·r·cvr`` (objective ``conversions``). A pair's overlap ``|F_i ∩ F_j|`` (from
:mod:`closeknit.plan.overlap`, else a same-niche prior share of the smaller audience) is counted
once, at the better of the two per-follower rates: ``w_ij = |F_i ∩ F_j|·min(v_i/F_i, v_j/F_j)``.
Distinct niches and countries earn a bonus ``β = diversity · median(v)`` each. The exact MILP
solves small candidate sets; CELF greedy with local search solves the rest (module optimize).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from closeknit.errors import ValidationError
from closeknit.features.fees import default_rate_card, fee_arrays
from closeknit.features.frame import creator_frame
from closeknit.match import Brief, discover
from closeknit.plan.optimize import Problem, Solution, solve_greedy, solve_milp
from closeknit.plan.overlap import estimate_overlaps
from closeknit.store import Store

Objective = Literal["reach", "conversions"]
# (store, workspace, brief, limit) -> [(creator_id, relevance in (0, 1])]
CandidateSource = Callable[[Store, str, Brief, int], list[tuple[str, float]]]

DEFAULT_REAL_SHARE = 0.9  # when the audience sample is missing
DEFAULT_REACH_RATE = 0.25  # share of followers a feed post reaches (assumption, editable)
DEFAULT_CVR = 0.01  # purchases per engaged person when the workspace has no history
DEFAULT_AOV = 50.0
MIN_HISTORY_ORDERS = 20
DIVERSITY_MIN_RELEVANCE = 0.6


@dataclass
class PlanConstraints:
    min_creators: int = 1
    max_creators: int = 12
    max_share: float = 1.0  # max share of the budget one creator may take
    exclude: list[str] = field(default_factory=list)
    objective: Objective = "reach"
    format: str = "post"
    method: Literal["auto", "milp", "greedy"] = "auto"
    milp_max_candidates: int = 60
    candidate_limit: int = 500
    candidates: list[str] | None = None  # explicit creator ids (skips discovery)
    candidate_source: CandidateSource | None = None
    diversity: float = 0.1
    min_relevance: float = 0.4  # candidates scored below this share of the best are left out
    prior_overlap: float = 0.05
    conversion_rate: float | None = None
    aov: float | None = None
    reach_rate: float = DEFAULT_REACH_RATE
    time_limit: float = 10.0
    draws: int = 400
    seed: int = 0
    save: bool = False

    def validate(self, budget: float) -> None:
        if not budget > 0:
            raise ValidationError("budget must be positive")
        if self.min_creators < 0 or self.max_creators < max(1, self.min_creators):
            raise ValidationError("need 0 <= min_creators <= max_creators and max_creators >= 1")
        if not 0 < self.max_share <= 1:
            raise ValidationError("max_share must be in (0, 1]")
        if self.objective not in ("reach", "conversions"):
            raise ValidationError("objective must be reach or conversions")
        if self.method not in ("auto", "milp", "greedy"):
            raise ValidationError("method must be auto, milp or greedy")
        from closeknit.features.fees import FORMATS

        if self.format not in FORMATS:
            raise ValidationError(f"format must be one of {', '.join(FORMATS)}")


def _interval(x: np.ndarray) -> dict[str, float]:
    return {
        "mid": float(np.median(x)),
        "p10": float(np.quantile(x, 0.1)),
        "p90": float(np.quantile(x, 0.9)),
    }


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
    relevance: float
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
    expected: dict[str, dict[str, float]]
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
_STOP = set(
    "the and for with our new who are that this from your into about want looking brand "
    "creators creator influencers influencer campaign launch people".split()
)


def _tokens(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9_]{3,}", text.lower()) if t not in _STOP]


def store_candidates(
    store: Store, workspace: str, brief: Brief, limit: int
) -> list[tuple[str, float]]:
    """Fallback source: creators whose bio/name/categories/niche mention the brief's words."""
    toks = _tokens(brief.text)
    has_niche = bool(
        store.scalar(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'creator_niche'"
        )
    )
    niche_sql = (
        "coalesce((SELECT any_value(niche) FROM creator_niche n WHERE n.workspace_id = "
        "c.workspace_id AND n.creator_id = c.creator_id), '')"
        if has_niche
        else "''"
    )
    text = (
        f"lower(concat_ws(' ', c.handle, c.name, c.bio, array_to_string(c.categories, ' '), "
        f"{niche_sql}))"
    )
    if toks:
        hits = " + ".join(f"(CASE WHEN {text} LIKE ? THEN 1 ELSE 0 END)" for _ in toks)
        params: list[Any] = [f"%{t}%" for t in toks]
    else:
        hits, params = "0", []
    rows = store.query(
        f"SELECT creator_id, {hits} AS hits FROM creators c WHERE workspace_id = ? "
        f"AND followers > 0 ORDER BY hits DESC, followers DESC LIMIT ?",
        [*params, workspace, int(limit)],
    )
    nt = max(len(toks), 1)
    if rows and rows[0]["hits"] > 0:
        rows = [r for r in rows if r["hits"] > 0]
    return [(r["creator_id"], 0.5 + 0.5 * min(1.0, r["hits"] / nt)) for r in rows]


def discover_candidates(
    store: Store, workspace: str, brief: Brief, limit: int
) -> list[tuple[str, float]]:
    """Discover's ranking (the brief's filters applied), scores scaled so the best is 1; the
    keyword match of :func:`store_candidates` when discover finds nothing."""
    res = discover(store, workspace, brief, limit=limit, evidence=False)
    out = [(m.creator_id, float(m.score)) for m in res.matches]
    if not out:
        return store_candidates(store, workspace, brief, limit)
    top = max(s for _, s in out) or 1.0
    return [(c, max(0.05, min(1.0, s / top))) for c, s in out]


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


@dataclass
class _Model:
    frame: pd.DataFrame
    relevance: np.ndarray
    engaged: np.ndarray
    value: np.ndarray
    real_followers: np.ndarray
    fee_lo: np.ndarray
    fee_mid: np.ndarray
    fee_hi: np.ndarray
    fee_method: str
    sigma: np.ndarray
    cvr: float
    cvr_sigma: float
    aov: float
    problem: Problem
    shared: _PairIndex
    niche_codes: np.ndarray


def _history(store: Store, workspace: str) -> tuple[float | None, float | None, int]:
    """(conversion rate per engagement, AOV, n orders) from the workspace's past campaigns."""
    aov_row = store.query(
        "SELECT avg(total) AS aov, count(*) AS n FROM orders WHERE workspace_id = ? AND total > 0",
        [workspace],
    )[0]
    aov = float(aov_row["aov"]) if aov_row["n"] and aov_row["n"] >= MIN_HISTORY_ORDERS else None
    # conversions per engaged person: attributed orders of past campaign creators over their
    # expected engaged audience per post (E = followers × real share × ER, as in the plan)
    rows = store.query(
        "SELECT cc.creator_id, count(a.order_id) AS n FROM campaign_creators cc "
        "LEFT JOIN attributions a ON a.workspace_id = cc.workspace_id AND "
        "a.campaign_id = cc.campaign_id AND a.creator_id = cc.creator_id "
        "WHERE cc.workspace_id = ? AND cc.stage IN ('content_live', 'paid') "
        "AND cc.campaign_id IN (SELECT DISTINCT campaign_id FROM attributions "
        "WHERE workspace_id = ?) GROUP BY cc.creator_id",
        [workspace, workspace],
    )
    n = int(sum(r["n"] for r in rows))
    cvr = None
    if n >= MIN_HISTORY_ORDERS:
        fr = creator_frame(store, workspace, [r["creator_id"] for r in rows])
        if len(fr):
            er = fr["engagement_rate"].to_numpy(dtype=float)
            real = fr["real_share"].to_numpy(dtype=float)
            eng = (
                fr["followers"].to_numpy(dtype=float)
                * np.where(np.isfinite(real), real, DEFAULT_REAL_SHARE)
                * np.where(np.isfinite(er), er, 0.0)
            )
            total = float(np.nansum(eng))
            cvr = n / total if total > 0 else None
    return cvr, aov, n


def _build(
    store: Store,
    workspace: str,
    cands: list[tuple[str, float]],
    budget: float,
    c: PlanConstraints,
) -> _Model:
    ids = [cid for cid, _ in cands]
    rel = dict(cands)
    fr = creator_frame(store, workspace, ids)
    fr = fr[fr["followers"].fillna(0) > 0].reset_index(drop=True)
    card = default_rate_card()
    ref = card["reference_engagement_rate"]
    er = fr["engagement_rate"].to_numpy(dtype=float)
    tiers = fr["tier"].fillna("nano").tolist()
    er_fill = np.array([ref.get(t, 0.01) for t in tiers])
    known = np.isfinite(er) & (er > 0)
    er = np.where(known, er, er_fill)
    fr["engagement_rate"] = er
    real = fr["real_share"].to_numpy(dtype=float)
    real = np.where(np.isfinite(real), np.clip(real, 0, 1), DEFAULT_REAL_SHARE)
    followers = fr["followers"].to_numpy(dtype=float)
    relevance = np.array([rel.get(x, 1.0) for x in fr["creator_id"]])
    engaged = followers * real * er
    hist_cvr, hist_aov, _ = _history(store, workspace)
    cvr = c.conversion_rate or hist_cvr or DEFAULT_CVR
    cvr_sigma = 0.2 if (c.conversion_rate or hist_cvr) else 0.6
    aov = c.aov or hist_aov or DEFAULT_AOV
    value = engaged * relevance * (cvr if c.objective == "conversions" else 1.0)
    lo, mid, hi, method = fee_arrays(store, workspace, fr, c.format)
    n_posts = fr["n_posts"].to_numpy(dtype=float)
    # relative uncertainty of a median engagement rate: ~0.75/sqrt(n posts); unknown ER: 0.75
    sigma = np.where(known, 0.75 / np.sqrt(np.maximum(n_posts, 1.0)), 0.75)
    ov = estimate_overlaps(store, workspace, fr["creator_id"].tolist(), followers)
    per_f = value / followers
    pw = ov.shared * np.minimum(per_f[ov.pair_i], per_f[ov.pair_j]) if len(ov.shared) else ov.shared
    niches = fr["niche"].fillna("").tolist()
    countries = fr["country"].fillna("").tolist()
    niche_codes = _codes(niches)
    country_codes = _codes(countries)
    # only creators who fit the brief earn the diversity bonus: a music creator is not a
    # "diverse voice" for a running brief
    div_niche = np.where(relevance >= DIVERSITY_MIN_RELEVANCE, niche_codes, -1)
    div_country = np.where(relevance >= DIVERSITY_MIN_RELEVANCE, country_codes, -1)
    allowed = np.ones(len(fr), dtype=bool)
    excl = {x.lower() for x in c.exclude}
    handles = fr["handle"].fillna("").str.lower().tolist()
    for k, cid in enumerate(fr["creator_id"].tolist()):
        if cid.lower() in excl or handles[k] in excl or f"@{handles[k]}" in excl:
            allowed[k] = False
    allowed &= mid <= c.max_share * budget + 1e-9
    allowed &= relevance >= c.min_relevance
    beta = c.diversity * float(np.median(value)) if len(value) else 0.0
    prob = Problem(
        value=value,
        cost=mid,
        budget=budget,
        pair_i=ov.pair_i,
        pair_j=ov.pair_j,
        pair_w=pw,
        prior_rate=c.prior_overlap,
        prior_group=niche_codes,
        prior_scale=value,
        sampled=ov.sampled,
        groups=[div_niche, div_country],
        beta=beta,
        min_k=c.min_creators,
        max_k=c.max_creators,
        allowed=allowed,
    )
    shared = _PairIndex(ov.pair_i, ov.pair_j, ov.shared, ov.shared_handles, ov.source)
    return _Model(
        fr,
        relevance,
        engaged,
        value,
        followers * real,
        lo,
        mid,
        hi,
        method,
        sigma,
        cvr,
        cvr_sigma,
        aov,
        prob,
        shared,
        niche_codes,
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


def _metrics(m: _Model, sel: list[int], c: PlanConstraints, budget: float) -> dict[str, Any]:
    """Expected outcomes of a set with 10–90% intervals (Monte Carlo over fees, ER, cvr)."""
    if not sel:
        return {"n": 0}
    rng = np.random.default_rng(c.seed)
    D = c.draws
    s = np.array(sel)
    lo, mid, hi = m.fee_lo[s], m.fee_mid[s], m.fee_hi[s]
    fees = rng.triangular(np.minimum(lo, mid), mid, np.maximum(hi, mid + 1e-9), size=(D, len(s)))
    sig = m.sigma[s]
    mult = rng.lognormal(-(sig**2) / 2, sig, size=(D, len(s)))
    eng_rel = m.engaged[s] * m.relevance[s]
    real = m.real_followers[s]
    er_rate = eng_rel / np.maximum(real, 1.0)
    shared_pairs = []
    for a_pos in range(len(s)):
        for b_pos in range(a_pos + 1, len(s)):
            sh = _shared_followers(m, int(s[a_pos]), int(s[b_pos]), c.prior_overlap)
            if sh > 0:
                shared_pairs.append((a_pos, b_pos, sh))
    unique = float(real.sum() - sum(x[2] for x in shared_pairs))
    eng_draw = (eng_rel * mult).sum(1)
    for a_pos, b_pos, sh in shared_pairs:
        eng_draw = eng_draw - sh * np.minimum(
            er_rate[a_pos] * mult[:, a_pos], er_rate[b_pos] * mult[:, b_pos]
        )
    eng_draw = np.maximum(eng_draw, 0)
    cvr = m.cvr * rng.lognormal(-(m.cvr_sigma**2) / 2, m.cvr_sigma, size=D)
    conv = eng_draw * cvr
    revenue = conv * m.aov
    cost = fees.sum(1)
    total_eng = (m.engaged[s] * mult).sum(1)
    return {
        "n": len(sel),
        "unique_audience": unique,
        "reach": unique * c.reach_rate,
        "engagements": _interval(total_eng),
        "engaged_unique_relevant": _interval(eng_draw),
        "conversions": _interval(conv),
        "revenue": _interval(revenue),
        "roas": _interval(revenue / cost),
        "cost": _interval(cost),
        "cost_mid_total": float(mid.sum()),
        "budget_used": float(mid.sum() / budget),
    }


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
                relevance=float(m.relevance[j]),
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


def _at(fr: pd.DataFrame, col: str, i: int) -> Any:
    v: Any = fr[col].iat[i]
    return v


def _gain(p: Problem, prev: Sequence[int], j: int) -> float:
    return p.value_of([*prev, j]) - p.value_of(prev)


def _best_single_big(
    store: Store, workspace: str, brief: Brief, m: _Model, budget: float, c: PlanConstraints
) -> dict[str, Any]:
    """The best single macro/mega creator affordable with the whole budget, for comparison."""
    tiers = m.frame["tier"].tolist()
    cids = m.frame["creator_id"].tolist()
    excl = {x.lower() for x in c.exclude}
    big = [
        i
        for i, t in enumerate(tiers)
        if t in ("macro", "mega") and m.fee_mid[i] <= budget and cids[i].lower() not in excl
    ]
    source = "candidates"
    model = m
    if not big:
        # the shortlist held no affordable macro/mega creator: look wider in the store
        rows = store.query(
            "SELECT creator_id FROM creators WHERE workspace_id = ? AND followers >= ? "
            "ORDER BY followers ASC LIMIT 400",
            [workspace, _tier_floor("macro")],
        )
        if rows:
            rel = dict(store_candidates(store, workspace, brief, 2000))
            cands = [(r["creator_id"], rel.get(r["creator_id"], 0.5)) for r in rows]
            model = _build(
                store,
                workspace,
                cands,
                budget,
                PlanConstraints(**{**c.__dict__, "max_share": 1.0, "candidates": None}),
            )
            tiers = model.frame["tier"].tolist()
            big = [
                i
                for i, t in enumerate(tiers)
                if t in ("macro", "mega") and model.fee_mid[i] <= budget
            ]
            source = "store"
    if not big:
        return {"status": "none_affordable", "note": "no macro/mega creator's fee fits the budget"}
    best = max(big, key=lambda i: model.value[i])
    fr = model.frame
    return {
        "status": "ok",
        "source": source,
        "creator_id": _at(fr, "creator_id", best),
        "tier": _at(fr, "tier", best),
        "followers": int(_at(fr, "followers", best)),
        "fee": {
            "low": float(model.fee_lo[best]),
            "mid": float(model.fee_mid[best]),
            "high": float(model.fee_hi[best]),
        },
        "expected": _metrics(model, [best], c, budget),
    }


def _tier_floor(name: str) -> int:
    from closeknit.settings import get_settings

    return dict(get_settings().tiers).get(name, 100_000)


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
    if c.candidates is not None:
        cands = [(x, 1.0) for x in c.candidates]
        src_name = "explicit"
    else:
        src = c.candidate_source or discover_candidates
        cands = src(store, workspace, brief, c.candidate_limit)
        src_name = getattr(src, "__name__", "custom")
    if not cands:
        raise ValidationError("no candidate creators: import creators first or widen the brief")
    m = _build(store, workspace, cands, budget, c)
    p = m.problem
    assert p.allowed is not None
    n_ok = int(p.allowed.sum())
    notes: list[str] = []
    method = c.method
    if method == "auto":
        method = "milp" if n_ok <= c.milp_max_candidates else "greedy"
    sol = solve_milp(p, time_limit=c.time_limit) if method == "milp" else solve_greedy(p)
    if method == "milp" and sol.status == "time_limit":
        g = solve_greedy(p)
        if g.value > sol.value:
            notes.append("MILP hit its time limit; the greedy set was better")
            g.bound = sol.bound
            g.gap = max(0.0, (sol.bound - g.value) / sol.bound) if sol.bound else g.gap
            sol = g
    notes += sol.notes
    picks = _explain(m, sol)
    expected = _metrics(m, sol.selected, c, budget)
    comparison = {
        "plan": {"n": len(sol.selected), "expected": expected},
        "best_single_macro_or_mega": _best_single_big(store, workspace, brief, m, budget, c),
    }
    plan = Plan(
        plan_id=uuid.uuid4().hex[:12],
        brief=brief.text,
        budget=float(budget),
        objective=c.objective,
        method=sol.method,
        status=sol.status if sol.selected else "infeasible",
        picks=picks,
        cost={
            "low": float(m.fee_lo[sol.selected].sum()) if sol.selected else 0.0,
            "mid": float(m.fee_mid[sol.selected].sum()) if sol.selected else 0.0,
            "high": float(m.fee_hi[sol.selected].sum()) if sol.selected else 0.0,
        },
        expected=expected,
        bound=sol.bound,
        gap=sol.gap,
        gap_kind="milp_dual_bound" if sol.method == "milp" else "greedy_online_bound",
        value=sol.value,
        comparison=comparison,
        n_candidates=n_ok,
        candidate_source=src_name,
        assumptions={
            "objective_value": "engaged unique audience"
            if c.objective == "reach"
            else "expected conversions",
            "conversion_rate": m.cvr,
            "aov": m.aov,
            "reach_rate": c.reach_rate,
            "default_real_share": DEFAULT_REAL_SHARE,
            "prior_overlap_same_niche": c.prior_overlap,
            "diversity_weight": c.diversity,
            "fee_method": m.fee_method,
            "format": c.format,
        },
        notes=notes,
        seconds=time.perf_counter() - t0,
    )
    if c.save:
        save_plan(store, workspace, plan)
    return plan


def save_plan(store: Store, workspace: str, plan: Plan) -> None:
    import json

    from closeknit.jsonable import to_jsonable

    with store.transaction() as tx:
        tx.execute(
            "INSERT OR REPLACE INTO plans (workspace_id, plan_id, brief, budget, method, result) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                workspace,
                plan.plan_id,
                plan.brief,
                plan.budget,
                plan.method,
                json.dumps(to_jsonable(plan.to_dict())),
            ],
        )
