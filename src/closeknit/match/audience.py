"""How a creator's audience fits a brief: measured shares, and an estimate where none is measured.

The measured part: per dimension the brief asks for, the share of the creator's audience in the
brief's countries, in its age range (buckets weighted by their overlap with the range) and of its
gender (the gender plus half the unknown), from ``audience_demographics``
(:func:`audience_shares`); P(audience fits) is the product over the dimensions of the learned
σ(a + b·log share) of :mod:`closeknit.match.relevance`.

**A dimension with no measurement is estimated, not assumed to fit.** A creator without
demographics gets, for that dimension, the average P of the workspace's creators *like it* that
have them: the same niche (``creator_niche``) and, for the country, the same relation of their
home country to the brief's countries (in them, outside them, unknown), shrunk toward the
average over every niche by ``PRIOR_WEIGHT`` pseudo-creators. "At least half the audience in
the UK" is then as likely for a UK fitness creator without demographics as it is among the UK
fitness creators measured, and an 18–25 brief no longer reads a creator of unknown ages as
certainly fitting. Only where fewer than ``MIN_REFERENCE`` creators of the workspace have the
dimension measured (nothing to learn from) is the older rule kept: the creator's own country
stands in for the country share (``NO_DEMO_IN`` / ``NO_DEMO_OUT``) and an unmeasured age or
gender is left out of the product. Either way the creator is flagged ``estimated`` and discover
names the audience factor as not measured, with the value it used.

The plan's forecast needs the share itself (the true response scales with it), so
:func:`expected_shares` fills an unmeasured dimension the same way with the similar creators'
average *share* (with too few measured: the own-country stand-in, an age or gender share left
unknown).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from closeknit.match import relevance
from closeknit.match.brief import Brief, age_range, bucket_overlap

MIN_REFERENCE = 30  # creators with a dimension measured before they stand in for the others
PRIOR_WEIGHT = 10.0  # pseudo-creators pulling a niche's average toward every niche's


def bucket_share(tab: Any, dim: str, r: np.ndarray, buckets: list[str]) -> np.ndarray:
    """Summed share of ``buckets`` in dimension ``dim`` for rows ``r`` (0 where absent)."""
    out = np.zeros(len(r))
    for b in buckets:
        sp = tab.demo.get(dim, {}).get(b)
        if sp is not None:
            out = out + sp.take(r)
    return out


def dim_share(tab: Any, brief: Brief, dim: str, r: np.ndarray) -> np.ndarray:
    """The measured share of rows ``r``'s audience in the brief's ``dim`` (NaN where the
    creator has no such demographics): country (the brief's countries summed), age (buckets
    weighted by their overlap with the range), gender (the gender plus half the unknown)."""
    m = tab.has_dim.get(dim)
    has = m[r] if m is not None else np.zeros(len(r), bool)
    if dim == "country":
        share = bucket_share(tab, "country", r, brief.countries)
    elif dim == "age":
        rng = age_range(brief.audience_age or "")
        share = np.zeros(len(r))
        for b, sp in tab.demo.get("age", {}).items():
            ov = bucket_overlap(b, rng) if rng else 0.0
            if ov:
                share = share + sp.take(r) * ov
    else:
        g = [brief.audience_gender or ""]
        share = bucket_share(tab, "gender", r, g) + 0.5 * bucket_share(tab, "gender", r, ["U"])
    return np.where(has, share, np.nan)


def asked_dims(brief: Brief) -> list[str]:
    """The audience dimensions the brief asks for (an age range that cannot be read asks none)."""
    out = ["country"] if brief.countries else []
    if brief.audience_age and age_range(brief.audience_age):
        out.append("age")
    if brief.audience_gender:
        out.append("gender")
    return out


def audience_shares(tab: Any, brief: Brief, r: np.ndarray) -> dict[str, np.ndarray]:
    """Per asked dimension, each row's measured audience share (NaN where unknown,
    :func:`dim_share`): the one definition of "share of the audience" behind relevance,
    discover's audience filters and the shares its results show."""
    return {d: dim_share(tab, brief, d, r) for d in asked_dims(brief)}


def own_country_share(tab: Any, brief: Brief, r: np.ndarray) -> np.ndarray:
    """The creator's own country in place of a country share: ``NO_DEMO_IN`` when it is one of
    the brief's, ``NO_DEMO_OUT`` when not, NaN when unknown: the fallback without demographics
    when fewer than ``MIN_REFERENCE`` creators of the workspace have them to learn from."""
    home = _home_group(tab, brief, r)
    return np.where(
        home == 0, relevance.NO_DEMO_IN, np.where(home == 1, relevance.NO_DEMO_OUT, np.nan)
    )


@dataclass
class AudienceFit:
    """Audience fit of rows of a candidate table (arrays aligned with the rows)."""

    p: np.ndarray | None  # P(audience fits); None when the brief asks for no audience; NaN unknown
    shares: dict[str, np.ndarray]  # measured shares per asked dimension (NaN: not measured)
    estimated: np.ndarray  # bool: an asked dimension was not measured (``p`` estimates it or,
    # where nothing could, leaves it out)
    parts: dict[str, np.ndarray]  # per dimension the P used (NaN: left out)


_codes_memo: dict[tuple[int, str], tuple[np.ndarray, np.ndarray, list[str]]] = {}


def _codes(tab: Any) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(niche code per row, -1 without one; country code per row, -1 unknown; the country
    names by code), computed once per table: the estimate reads every measured creator's."""
    key = (id(tab), str(tab.version))
    hit = _codes_memo.get(key)
    if hit is None:
        names: dict[str, int] = {}
        niche = np.full(len(tab.niche), -1, dtype=np.int64)
        for k in np.flatnonzero(tab.has_niche):
            niche[k] = names.setdefault(str(tab.niche[k]), len(names))
        countries: dict[str, int] = {}
        country = np.fromiter(
            (countries.setdefault(c, len(countries)) if c and c == c else -1 for c in tab.country),
            np.int64,
            len(tab.country),
        )
        hit = (niche, country, list(countries))
        _codes_memo.clear()  # one table at a time is enough
        _codes_memo[key] = hit
    return hit


def _niche_codes(tab: Any, r: np.ndarray) -> np.ndarray:
    """A code per row's niche (-1 without one), fixed per table."""
    out: np.ndarray = _codes(tab)[0][r]
    return out


def _home_group(tab: Any, brief: Brief, r: np.ndarray) -> np.ndarray:
    """0: the creator's home country is one of the brief's, 1: another, 2: unknown."""
    _, country, names = _codes(tab)
    wanted = {c for c in brief.countries or ()}
    inside = np.array([n in wanted for n in names] + [False], dtype=bool)  # [-1]: unknown
    c = country[r]
    out: np.ndarray = np.where(c < 0, 2, np.where(inside[c], 0, 1))
    return out


_prior_memo: dict[tuple[Any, ...], np.ndarray | None] = {}


def _priors(
    tab: Any, brief: Brief, dim: str, m: relevance.RelevanceModel | None
) -> np.ndarray | None:
    """The estimate of ``dim`` by (home group, niche code + 1): the shrunk average P (or, with
    ``m`` None, the average share) of the measured creators of that niche and home group (the
    home group is 0 for dimensions other than country); column 0 and niches none of them is in
    hold the home group's average over every niche, a home group none of them is in every
    measured creator's average. None when fewer than ``MIN_REFERENCE`` creators have ``dim``
    measured."""
    bars = dict(brief.audience_bars or {})
    key = (id(tab), tab.version, dim, tuple(brief.countries or ()), brief.audience_age,
           brief.audience_gender, bars.get(dim), m and m.model, id(m))  # fmt: skip
    if key in _prior_memo:
        return _prior_memo[key]
    has = tab.has_dim.get(dim)
    rows = np.flatnonzero(has) if has is not None else np.zeros(0, np.int64)
    out: np.ndarray | None = None
    if len(rows) >= MIN_REFERENCE:
        p = dim_share(tab, brief, dim, rows)
        if m is not None:
            p = relevance.audience_probability(m, {dim: p}, bars)[1][dim]
        niche = _codes(tab)[0]
        width = int(niche.max()) + 2 if len(niche) else 1  # column 0: no niche
        home = _home_group(tab, brief, rows) if dim == "country" else np.zeros(len(rows), int)
        grp = home * width + (niche[rows] + 1)
        total = np.bincount(grp, weights=p, minlength=3 * width).reshape(3, width)
        cnt = np.bincount(grp, minlength=3 * width).reshape(3, width)
        n_h = cnt.sum(axis=1)
        overall = np.where(n_h > 0, total.sum(axis=1) / np.maximum(n_h, 1), float(p.mean()))
        shrunk = (total + PRIOR_WEIGHT * overall[:, None]) / (cnt + PRIOR_WEIGHT)
        out = np.where(cnt > 0, shrunk, overall[:, None])
        out[:, 0] = overall
    if len(_prior_memo) > 32:
        _prior_memo.clear()
    _prior_memo[key] = out
    return out


def _estimate(
    tab: Any, brief: Brief, dim: str, r: np.ndarray, m: relevance.RelevanceModel | None
) -> np.ndarray | None:
    """``dim``'s estimate for rows ``r`` that have it unmeasured: the similar measured
    creators' average P (``m`` given) or share (``m`` None, :func:`_priors`); where fewer than
    ``MIN_REFERENCE`` have it measured, the own-country stand-in for the country (its P
    through ``m``'s curve) and None for an age or gender (left out)."""
    grid = _priors(tab, brief, dim, m)
    if grid is not None:
        home = _home_group(tab, brief, r) if dim == "country" else 0
        out: np.ndarray = grid[home, _niche_codes(tab, r) + 1]
        return out
    if dim != "country":
        return None
    guess = own_country_share(tab, brief, r)
    if m is None:
        return guess
    return relevance.audience_probability(m, {dim: guess}, brief.audience_bars)[1][dim]


def expected_shares(
    tab: Any, brief: Brief, r: np.ndarray, measured: dict[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Per asked dimension, each row's audience share as the forecast reads it: measured where
    the creator has demographics (``measured``: :func:`audience_shares` of ``r`` when the
    caller has it), else the average share of the measured creators like it (the grid of
    :func:`_priors`, over shares instead of P); where fewer than ``MIN_REFERENCE`` have the
    dimension measured, the own country stands in for the country share and an age or gender
    share stays NaN (unknown)."""
    shares = audience_shares(tab, brief, r) if measured is None else measured
    out = {dim: s.copy() for dim, s in shares.items()}
    for dim, s in out.items():
        miss = np.isnan(s)
        if miss.any() and (vals := _estimate(tab, brief, dim, r[miss], None)) is not None:
            s[miss] = vals
    return out


def audience_fit_rows(
    tab: Any, brief: Brief, r: np.ndarray, m: relevance.RelevanceModel
) -> AudienceFit:
    """P(audience fits) of rows ``r`` of a candidate table: measured dimensions by the learned
    curve, unmeasured ones estimated from similar measured creators (see the module
    docstring)."""
    shares = audience_shares(tab, brief, r)
    n = len(r)
    if not shares:
        return AudienceFit(None, shares, np.zeros(n, bool), {})
    _, parts = relevance.audience_probability(m, shares, brief.audience_bars)
    estimated = np.zeros(n, bool)
    for dim, s in shares.items():
        miss = np.isnan(s)
        if not miss.any():
            continue
        estimated |= miss  # an asked dimension not measured, whatever stands in for it
        vals = _estimate(tab, brief, dim, r[miss], m)
        if vals is None:  # nothing to learn from: left out
            continue
        filled = parts[dim].copy()
        filled[miss] = vals
        parts[dim] = filled
    out = np.ones(n)
    known = np.zeros(n, bool)
    for p in parts.values():
        ok = ~np.isnan(p)
        out = np.where(ok, out * np.nan_to_num(p, nan=1.0), out)
        known |= ok
    return AudienceFit(np.where(known, out, np.nan), shares, estimated, parts)


def audience_fit(
    brief: Brief,
    demo: Mapping[str, Mapping[str, float]] | None,
    country: str | None,
    model: relevance.RelevanceModel | None = None,
    estimates: Mapping[str, float] | None = None,
) -> tuple[float | None, dict[str, Any]]:
    """One creator's audience factor: the per-row definition :func:`audience_fit_rows`
    vectorises. ``demo``: its demographics (dimension → bucket → share); ``estimates``: the P
    of each dimension it has no demographics for (similar creators' average); without one an
    unmeasured country falls back to the own-country stand-in and an unmeasured age or gender
    is left out. Returns (P or None when the brief asks for none or nothing is known, the
    measured shares)."""
    from closeknit.match.embed import get_embedder

    model = model or relevance.model_for(get_embedder().name)
    demo = demo or {}
    est = dict(estimates or {})
    shares: dict[str, float] = {}
    if brief.countries:
        cs = demo.get("country")
        shares["country"] = sum(cs.get(c, 0.0) for c in brief.countries) if cs else np.nan
    if brief.audience_age:
        rng = age_range(brief.audience_age)
        ages = demo.get("age")
        if rng:
            shares["age"] = (
                sum(s * bucket_overlap(b, rng) for b, s in ages.items()) if ages else np.nan
            )
    if brief.audience_gender:
        gs = demo.get("gender")
        shares["gender"] = (
            gs.get(brief.audience_gender, 0.0) + 0.5 * gs.get("U", 0.0) if gs else np.nan
        )
    parts = {f"{k}_share": (None if np.isnan(v) else round(float(v), 3)) for k, v in shares.items()}
    if not shares:
        return None, parts
    _, per = relevance.audience_probability(
        model, {k: np.array([v]) for k, v in shares.items()}, brief.audience_bars
    )
    p = 1.0
    known = False
    for dim, v in shares.items():
        q = float(per[dim][0])
        if np.isnan(v):
            if dim in est:
                q = est[dim]
            elif dim == "country" and country:
                guess = (
                    relevance.NO_DEMO_IN if country in brief.countries else relevance.NO_DEMO_OUT
                )
                _, g = relevance.audience_probability(
                    model, {dim: np.array([guess])}, brief.audience_bars
                )
                q = float(g[dim][0])
            else:
                continue
        p *= q
        known = True
    return (p if known else None), parts
