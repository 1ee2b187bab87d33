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


def _isin(a: np.ndarray, values: Any) -> np.ndarray:
    s = set(values)
    return np.fromiter((x in s for x in a), bool, len(a))


def audience_shares(
    tab: Any, brief: Brief, r: np.ndarray, *, stand_in: bool = False
) -> dict[str, np.ndarray]:
    """Per asked dimension, each row's measured audience share (NaN where unknown): country
    (the brief's countries), age (buckets weighted by their overlap with the range), gender (the
    gender plus half the unknown). The one definition of "share of the audience" behind
    relevance, discover's audience filters and the shares its results show. ``stand_in``: the
    creator's own country in place of an unmeasured country share (the fallback of
    :func:`audience_fit_rows` when the workspace has too few demographics to learn from)."""
    n = len(r)
    out: dict[str, np.ndarray] = {}

    def has_dim(dim: str) -> np.ndarray:
        m = tab.has_dim.get(dim)
        return m[r] if m is not None else np.zeros(n, bool)

    if brief.countries:
        has = has_dim("country")
        share = bucket_share(tab, "country", r, brief.countries)
        if stand_in:
            ctry = tab.country[r]
            own = np.array([bool(c) for c in ctry], bool) & ~has
            home = _isin(ctry, brief.countries)
            guess = np.where(
                own, np.where(home, relevance.NO_DEMO_IN, relevance.NO_DEMO_OUT), np.nan
            )
            out["country"] = np.where(has, share, guess)
        else:
            out["country"] = np.where(has, share, np.nan)
    if brief.audience_age:
        rng = age_range(brief.audience_age)
        if rng:
            has = has_dim("age")
            share = np.zeros(n)
            for b, sp in tab.demo.get("age", {}).items():
                ov = bucket_overlap(b, rng)
                if ov:
                    share = share + sp.take(r) * ov
            out["age"] = np.where(has, share, np.nan)
    if brief.audience_gender:
        has = has_dim("gender")
        share = bucket_share(tab, "gender", r, [brief.audience_gender]) + 0.5 * bucket_share(
            tab, "gender", r, ["U"]
        )
        out["gender"] = np.where(has, share, np.nan)
    return out


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


_prior_memo: dict[tuple[Any, ...], tuple[dict[tuple[int, int], float], int] | None] = {}


def _priors(
    tab: Any, brief: Brief, dim: str, m: relevance.RelevanceModel
) -> tuple[dict[tuple[int, int], float], int] | None:
    """(group → the shrunk average P of ``dim`` among the measured creators of that group, the
    number measured), or None when fewer than ``MIN_REFERENCE`` creators have ``dim``. A group
    is (niche code, home group); the home group is 0 for dimensions other than country, and a
    niche code of -1 holds the average over every niche."""
    bars = dict(brief.audience_bars or {})
    key = (id(tab), tab.version, dim, tuple(brief.countries or ()), brief.audience_age,
           brief.audience_gender, bars.get(dim), m.model, id(m))  # fmt: skip
    if key in _prior_memo:
        return _prior_memo[key]
    has = tab.has_dim.get(dim)
    rows = np.flatnonzero(has) if has is not None else np.zeros(0, np.int64)
    out: tuple[dict[tuple[int, int], float], int] | None = None
    if len(rows) >= MIN_REFERENCE:
        shares = audience_shares(tab, brief, rows)
        _, parts = relevance.audience_probability(m, {dim: shares[dim]}, bars)
        p = parts[dim]
        niche = _niche_codes(tab, rows)
        home = _home_group(tab, brief, rows) if dim == "country" else np.zeros(len(rows), int)
        table: dict[tuple[int, int], float] = {}
        # sums and counts per (niche, home) group in one pass (-1: no niche)
        width = int(niche.max()) + 2 if len(niche) else 1
        grp = home * width + (niche + 1)
        total = np.bincount(grp, weights=p, minlength=3 * width)
        cnt = np.bincount(grp, minlength=3 * width)
        for h in range(3):
            at = slice(h * width, (h + 1) * width)
            n_h = int(cnt[at].sum())
            if not n_h:
                continue
            overall = float(total[at].sum()) / n_h
            table[(-1, h)] = overall
            for c in np.flatnonzero(cnt[at][1:]).tolist():
                k = h * width + c + 1
                table[(c, h)] = (float(total[k]) + PRIOR_WEIGHT * overall) / (
                    int(cnt[k]) + PRIOR_WEIGHT
                )
        if dim == "country":  # a home group no measured creator is in: every measured one
            table[(-1, -1)] = float(p.mean())
        out = (table, len(rows))
    if len(_prior_memo) > 32:
        _prior_memo.clear()
    _prior_memo[key] = out
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
        pri = _priors(tab, brief, dim, m)
        if pri is None:
            if dim == "country":  # too few measured: the creator's own country stands in
                guess = audience_shares(tab, brief, r[miss], stand_in=True)["country"]
                _, gp = relevance.audience_probability(m, {dim: guess}, brief.audience_bars)
                filled = parts[dim].copy()
                filled[miss] = gp[dim]
                parts[dim] = filled
            continue
        table, _n = pri
        niche = _niche_codes(tab, r[miss])
        home = _home_group(tab, brief, r[miss]) if dim == "country" else np.zeros(len(niche), int)
        vals = np.array(
            [
                table.get((c, h), table.get((-1, h), table.get((-1, -1), np.nan)))
                for c, h in zip(niche.tolist(), home.tolist(), strict=True)
            ]
        )
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
