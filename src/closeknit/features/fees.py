"""Fee estimates per creator and format, as a range (low, mid, high) with the method used.

Two methods, chosen per workspace:

* ``rate_card``: fee = followers/1000 × rate(platform, tier, format) × engagement factor, where the
  engagement factor is ``clip((ER / reference ER of the tier) ** elasticity, 0.5, 2)`` and the fee
  is never below the tier's minimum. Rates come from the packaged ``rate_card.json`` (rough public
  rules of thumb), overridden per workspace by rows of ``fee_rate_overrides`` or by a file.
* ``deals_regression``: once the workspace has at least ``min_deals`` agreed fees
  (``campaign_creators`` rows at stage contracted/content_live/paid with a fee), a regression of
  ``log(fee per post-equivalent)`` on log followers, log ER, log real share and partially pooled
  country and niche effects (``closeknit.features.deal_model``), where a deal's post-equivalents
  are its deliverables weighted by the rate card's format multipliers; the range is its 80%
  prediction interval.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from closeknit.errors import ValidationError
from closeknit.features.deal_model import Deal, DealModel, design, fit_deals
from closeknit.features.frame import creator_frame, finite, measured_followers
from closeknit.settings import get_settings
from closeknit.store import Store
from closeknit.store.memo import DataMemo

if TYPE_CHECKING:  # pandas loads with the frame, not with every importer of the fee model
    import pandas as pd

FORMATS = ("post", "reel", "video", "story")
DEAL_STAGES = ("contracted", "content_live", "paid")
MIN_DEALS = 8
INTERVAL = 0.80


@dataclass
class FeeRange:
    low: float
    mid: float
    high: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": round(self.low, 2),
            "mid": round(self.mid, 2),
            "high": round(self.high, 2),
            "method": self.method,
        }


@dataclass
class CreatorFees:
    creator_id: str
    platform: str | None
    tier: str | None
    followers: int | None
    engagement_rate: float | None
    formats: dict[str, FeeRange] = field(default_factory=dict)
    status: str = "ok"  # ok | insufficient_data
    evidence: dict[str, Any] = field(default_factory=dict)
    handle: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "creator_id": self.creator_id,
            "handle": self.handle,
            "platform": self.platform,
            "tier": self.tier,
            "followers": self.followers,
            "engagement_rate": self.engagement_rate,
            "status": self.status,
            "formats": {k: v.to_dict() for k, v in self.formats.items()},
            "evidence": self.evidence,
        }


@lru_cache(maxsize=1)
def default_rate_card() -> dict[str, Any]:
    """The packaged default rate card (see ``rate_card.json``)."""
    text = resources.files("closeknit.features").joinpath("rate_card.json").read_text("utf-8")
    return dict(json.loads(text))


def load_rate_card(
    store: Store | None = None, workspace: str | None = None, path: Path | None = None
) -> dict[str, Any]:
    """Default card, then a user file, then the workspace's ``fee_rate_overrides`` rows."""
    card = json.loads(json.dumps(default_rate_card()))
    if path is not None:
        try:
            user = json.loads(Path(path).read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise ValidationError(f"cannot read rate card {path}: {e}", path=str(path)) from e
        unknown = sorted(set(user) - set(card)) if isinstance(user, dict) else ["(not an object)"]
        if unknown:
            # a misspelt section was merged in and silently used by nothing
            raise ValidationError(
                f"rate card {path}: unknown section {', '.join(unknown)}; it has "
                + ", ".join(sorted(card)),
                path=str(path),
                field="rate_card",
            )
        _merge(card, user)
    if store is not None and workspace is not None:
        for r in store.query(
            "SELECT platform, tier, format, low_per_1k, mid_per_1k, high_per_1k, min_fee "
            "FROM fee_rate_overrides WHERE workspace_id = ?",
            [workspace],
        ):
            plat = card["platforms"].setdefault(
                r["platform"], {"per_1k": {}, "formats": dict(card["platforms"]["*"]["formats"])}
            )
            # an override is per format: store it as an absolute per-1k triple for that format
            plat.setdefault("overrides", {}).setdefault(r["tier"], {})[r["format"]] = [
                r["low_per_1k"],
                r["mid_per_1k"],
                r["high_per_1k"],
            ]
            if r["min_fee"] is not None:
                card["min_fee"][r["tier"]] = r["min_fee"]
    return card


def _merge(dst: dict[str, Any], src: dict[str, Any]) -> None:
    for k, v in src.items():
        if isinstance(v, dict) and isinstance(dst.get(k), dict):
            _merge(dst[k], v)
        else:
            dst[k] = v


def set_rate(
    store: Store,
    workspace: str,
    *,
    platform: str,
    tier: str,
    format: str,
    low: float,
    mid: float,
    high: float,
    min_fee: float | None = None,
) -> None:
    """Override one rate-card cell (per 1000 followers) for a workspace."""
    if not 0 <= low <= mid <= high:
        raise ValidationError("rates must satisfy 0 <= low <= mid <= high")
    if format not in FORMATS:
        raise ValidationError(f"format must be one of {', '.join(FORMATS)}", field="format")
    tiers = [name for name, _ in get_settings().tiers]
    if tier not in tiers:
        # an override for a tier no creator is in is stored and never used
        raise ValidationError(f"tier {tier!r} is not one of {', '.join(tiers)}", field="tier")
    with store.transaction() as tx:
        tx.execute(
            "INSERT OR REPLACE INTO fee_rate_overrides (workspace_id, platform, tier, format, "
            "low_per_1k, mid_per_1k, high_per_1k, min_fee) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [workspace, platform, tier, format, low, mid, high, min_fee],
        )
        tx.execute(
            "INSERT INTO audit_log (workspace_id, actor, action, object_type, object_id, detail) "
            "VALUES (?, 'user', 'fee_rate.set', 'fee_rate', ?, ?)",
            [
                workspace,
                f"{platform}/{tier}/{format}",
                json.dumps({"low": low, "mid": mid, "high": high, "min_fee": min_fee}),
            ],
        )


def _platform(card: dict[str, Any], platform: str | None) -> dict[str, Any]:
    plats = card["platforms"]
    return dict(plats.get(platform or "*") or plats["*"])


def format_multiplier(card: dict[str, Any], platform: str | None, fmt: str) -> float:
    p = _platform(card, platform)
    fm = p.get("formats") or card["platforms"]["*"]["formats"]
    return float(fm.get(fmt, 1.0))


def engagement_factor(card: dict[str, Any], tier: str | None, er: float | None) -> float:
    ref = card["reference_engagement_rate"].get(tier or "nano")
    if not ref or er is None or not finite(er) or er <= 0:
        return 1.0
    lo, hi = card["engagement_factor_bounds"]
    return float(min(hi, max(lo, (er / ref) ** card["engagement_elasticity"])))


def _rates(card: dict[str, Any], platform: str | None, tier: str, fmt: str) -> list[float]:
    """Per-1k-follower (low, mid, high) rates of one cell, format multiplier applied."""
    p = _platform(card, platform)
    override = p.get("overrides", {}).get(tier, {}).get(fmt)
    if override is not None:
        return [float(x) for x in override]
    per = p.get("per_1k", {}).get(tier) or card["platforms"]["*"]["per_1k"][tier]
    m = format_multiplier(card, platform, fmt)
    return [float(x) * m for x in per]


def rate_card_fee(
    card: dict[str, Any],
    platform: str | None,
    tier: str | None,
    followers: float,
    er: float | None,
    fmt: str,
) -> tuple[float, float, float]:
    """(low, mid, high) rate-card fee for one deliverable."""
    t = tier or "nano"
    rates = _rates(card, platform, t, fmt)
    ef = engagement_factor(card, tier, er)
    floor = float(card["min_fee"].get(t, 0)) * format_multiplier(card, platform, fmt)
    k = max(float(followers), 0.0) / 1000.0 * ef
    lo, mid, hi = (max(floor * f, r * k) for f, r in zip((0.5, 1.0, 2.0), rates, strict=True))
    return lo, mid, hi


def _deal_units(card: dict[str, Any], platform: str | None, deliverables: Any) -> float:
    """Post-equivalents of a deal: deliverable counts weighted by the format multipliers."""
    d = deliverables
    if isinstance(d, str):
        try:
            d = json.loads(d)
        except ValueError:
            d = None
    if isinstance(d, dict):
        units = sum(
            float(v) * format_multiplier(card, platform, str(k))
            for k, v in d.items()
            if isinstance(v, int | float) and v > 0
        )
        return units if units > 0 else 1.0
    if isinstance(d, list):
        units = 0.0
        for item in d:
            if isinstance(item, str):
                units += format_multiplier(card, platform, item)
            elif isinstance(item, dict):
                fmt = str(item.get("format") or item.get("kind") or "post")
                units += float(item.get("count", 1)) * format_multiplier(card, platform, fmt)
        return units if units > 0 else 1.0
    return 1.0


def fit_deal_model(
    store: Store, workspace: str, card: dict[str, Any], min_deals: int = MIN_DEALS
) -> tuple[DealModel | None, int]:
    """Fit the deal regression; (None, n) when there are fewer than ``min_deals`` usable deals.

    Memoised per store write signature (any committed write moves it): a plan fits it for the
    candidate table and again for its own frame.
    """
    key = _deal_models.key(store, workspace, json.dumps(card, sort_keys=True), min_deals)
    hit = _deal_models.get(key)
    if hit is not None:
        return hit
    got = _fit_deal_model(store, workspace, card, min_deals)
    _deal_models.put(key, got)
    return got


_deal_models: DataMemo[tuple[DealModel | None, int]] = DataMemo(size=8)


def deal_model_arrays(got: tuple[DealModel | None, int]) -> dict[str, np.ndarray]:
    """A fitted (model, n) as plain arrays, for a cache of derived data to save."""
    m, n = got
    if m is None:
        return {"deal.n": np.array([n, 0], np.int64)}
    return {"deal.n": np.array([n, 1], np.int64), **m.to_arrays()}


def remember_deal_model(
    store: Store, workspace: str, z: dict[str, np.ndarray], min_deals: int = MIN_DEALS
) -> None:
    """Seed the memo of :func:`fit_deal_model` with a fit saved for the store's current write
    signature (closeknit.match.persist saves it with the candidate table), so a new process
    does not fit it again."""
    if "deal.n" not in z:
        return
    card = load_rate_card(store, workspace)
    key = _deal_models.key(store, workspace, json.dumps(card, sort_keys=True), min_deals)
    if key is None:
        return
    n, fitted = (int(x) for x in z["deal.n"])
    model = DealModel.from_arrays(z) if fitted else None
    _deal_models.put(key, (model, n))


def agreed_deals(store: Store, workspace: str, card: dict[str, Any]) -> list[Deal]:
    """The workspace's agreed fees as regression rows (fee per post-equivalent, with the
    creator's followers, ER, real share, country and niche); creators without a known follower
    count are left out."""
    deals = store.query(
        "SELECT cc.creator_id, cc.fee, cc.deliverables FROM campaign_creators cc "
        "WHERE cc.workspace_id = ? AND cc.fee > 0 AND cc.stage IN "
        "('contracted', 'content_live', 'paid')",
        [workspace],
    )
    if not deals:
        return []
    fr = creator_frame(store, workspace, [d["creator_id"] for d in deals]).set_index("creator_id")
    rows = []
    for d in deals:
        if d["creator_id"] not in fr.index:
            continue
        c = fr.loc[d["creator_id"]]
        f = c["followers"]
        if not finite(f) or f <= 0:
            continue
        units = _deal_units(card, c["platform"], d["deliverables"])
        rows.append(
            Deal(
                float(f),
                float(c["engagement_rate"]) if finite(c["engagement_rate"]) else None,
                float(c["real_share"]) if finite(c["real_share"]) else None,
                c["country"] if isinstance(c["country"], str) else None,
                c["niche"] if isinstance(c["niche"], str) else None,
                float(d["fee"]) / units,
            )
        )
    return rows


def t_quantile(dof: float) -> float:
    """The interval's Student t quantile on ``dof`` degrees of freedom."""
    # scipy.special's inverse Student t CDF is what stats.t.ppf computes, without importing
    # scipy.stats (~2 s of every discover/plan process on a loaded 2-core machine)
    from scipy.special import stdtrit

    return float(stdtrit(dof, 0.5 + INTERVAL / 2))


def _fit_deal_model(
    store: Store, workspace: str, card: dict[str, Any], min_deals: int
) -> tuple[DealModel | None, int]:
    rows = agreed_deals(store, workspace, card)
    n = len(rows)
    if n < max(min_deals, 5):
        return None, n
    return fit_deals(rows, t_quantile), n


def estimate_fees(
    store: Store,
    workspace: str,
    creator_ids: list[str] | None,
    *,
    formats: tuple[str, ...] = ("post", "reel", "story"),
    min_deals: int = MIN_DEALS,
    rate_card: Path | None = None,
    frame: pd.DataFrame | None = None,
) -> dict[str, CreatorFees]:
    """Fee range per creator and format; keys are creator ids (unknown ids are left out)."""
    for f in formats:
        if f not in FORMATS:
            raise ValidationError(f"unknown format {f!r}; use one of {', '.join(FORMATS)}")
    card = load_rate_card(store, workspace, rate_card)
    model, n_deals = fit_deal_model(store, workspace, card, min_deals)
    fr = frame if frame is not None else creator_frame(store, workspace, creator_ids)
    by_fmt = {fmt: _fee_arrays(card, model, fr, fmt) for fmt in formats}
    method = _method(model)
    # the creators whose count is the measured one (their profile hides it): said in the evidence
    snapshot = measured_followers(store, workspace, fr["creator_id"].tolist())
    out: dict[str, CreatorFees] = {}
    cols = zip(
        fr["creator_id"].tolist(),
        fr["platform"].tolist(),
        fr["tier"].tolist(),
        fr["followers"].tolist(),
        fr["engagement_rate"].tolist(),
        fr["country"].tolist(),
        fr["niche"].tolist(),
        fr["handle"].tolist(),
        strict=True,
    )
    for k, (cid, plat, tier, fol, er, country, niche, handle) in enumerate(cols):
        cf = CreatorFees(
            cid,
            plat,
            tier,
            int(fol) if finite(fol) else None,
            float(er) if finite(er) else None,
            evidence={"n_deals": n_deals, "min_deals": min_deals},
            handle=handle if isinstance(handle, str) else None,
        )
        out[cid] = cf
        if not finite(fol) or fol <= 0:
            cf.status = "insufficient_data"
            cf.evidence["reason"] = "follower count unknown"
            continue
        cf.evidence["followers_source"] = "snapshot" if cid in snapshot else "profile"
        for fmt, (lo, mid, hi) in by_fmt.items():
            cf.formats[fmt] = FeeRange(float(lo[k]), float(mid[k]), float(hi[k]), method)
        if model is not None:
            b = model.coef
            cf.evidence["followers_elasticity"] = round(float(b[1]), 4)
            cf.evidence["engagement_elasticity"] = round(float(b[2]), 4)
            cf.evidence["real_share_elasticity"] = round(float(b[3]), 4)
            cf.evidence["residual_sd_log"] = round(model.s, 4)
            cf.evidence["deals_left_out"] = model.n_left_out
            # how this creator's market and niche price against the deals' average
            c = country if isinstance(country, str) else None
            m = niche if isinstance(niche, str) else None
            eff = model.effects(c, m)
            cf.evidence["country"], cf.evidence["niche"] = c, m
            cf.evidence["country_multiplier"] = _r(eff["country"])
            cf.evidence["niche_multiplier"] = _r(eff["niche"])
    return out


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _floats(col: Any) -> np.ndarray:
    # a pandas column (nullable Int64 too: missing -> NaN) or a plain array
    if hasattr(col, "to_numpy"):
        return np.asarray(col.to_numpy(dtype=float))
    return np.asarray(col, dtype=float)


def _deal_fit(
    store: Store, workspace: str, min_deals: int
) -> tuple[dict[str, Any], DealModel | None]:
    card = load_rate_card(store, workspace)
    model, _ = fit_deal_model(store, workspace, card, min_deals)
    return card, model


def _method(model: DealModel | None) -> str:
    return f"deals_regression(n={model.n})" if model is not None else "rate_card"


def fee_method_words(method: str) -> str:
    """A fee method id (``rate_card``, ``deals_regression(n=140)``, as the results carry it) in
    words, for notes: "the workspace's fee model, fitted on 140 past deals"."""
    if method.startswith("deals_regression(n=") and method.endswith(")"):
        n = method[len("deals_regression(n=") : -1]
        return f"the workspace's fee model, fitted on {n} past deals"
    if method == "rate_card":
        return "the workspace's rate card (no fitted deals yet)"
    return method.replace("_", " ")


def fee_arrays(
    store: Store,
    workspace: str,
    frame: pd.DataFrame | Mapping[str, np.ndarray],
    fmt: str = "post",
    min_deals: int = MIN_DEALS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Vectorised (low, mid, high, method) fee arrays for a creator frame or its columns as
    arrays (``frame.creator_columns``: the planner's path)."""
    card, model = _deal_fit(store, workspace, min_deals)
    lo, mid, hi = _fee_arrays(card, model, frame, fmt)
    return lo, mid, hi, _method(model)


def fee_arrays_and_errors(
    store: Store,
    workspace: str,
    frame: pd.DataFrame | Mapping[str, np.ndarray],
    fmt: str = "post",
    min_deals: int = MIN_DEALS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str, np.ndarray | None]:
    """:func:`fee_arrays` and how those estimates err together (``DealModel.shared_factor``),
    for a plan's range of its total cost, from one rate card and fit; the factor is None on
    the rate card, whose ranges are rules of thumb with no model of their errors (its draws
    stay independent)."""
    card, model = _deal_fit(store, workspace, min_deals)
    lo, mid, hi = _fee_arrays(card, model, frame, fmt)
    shared = None
    if model is not None:
        real, country, niche = _deal_columns(frame)
        fol, er = (_floats(frame[c]) for c in ("followers", "engagement_rate"))
        m = model
        x, _ = design(fol, er, real, country, niche, m.er_fill, m.real_fill, m.countries, m.niches)
        shared = model.shared_factor(x, country, niche)
    return lo, mid, hi, _method(model), shared


def _deal_columns(
    frame: pd.DataFrame | Mapping[str, np.ndarray],
) -> tuple[np.ndarray, list[str | None], list[str | None]]:
    """The deal regression's own columns of a frame: real share, country, niche."""
    country = [c if isinstance(c, str) else None for c in frame["country"].tolist()]
    niche = [c if isinstance(c, str) else None for c in frame["niche"].tolist()]
    return _floats(frame["real_share"]), country, niche


def _fee_arrays(
    card: dict[str, Any],
    model: DealModel | None,
    frame: pd.DataFrame | Mapping[str, np.ndarray],
    fmt: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The one fee computation: the deal regression where fitted, else the rate card."""
    fol, er = (_floats(frame[c]) for c in ("followers", "engagement_rate"))
    n = len(fol)
    lo, mid, hi = np.zeros(n), np.zeros(n), np.zeros(n)
    plats = np.array([p or "*" for p in frame["platform"].tolist()], dtype=object)
    if model is not None:
        real, country, niche = _deal_columns(frame)
        lo, mid, hi = model.predict_arrays(fol, er, real, country, niche)
        for plat in set(plats.tolist()):
            m = format_multiplier(card, plat, fmt)
            idx = plats == plat
            lo[idx], mid[idx], hi[idx] = lo[idx] * m, mid[idx] * m, hi[idx] * m
        return lo, mid, hi
    tiers = np.array(
        [t if isinstance(t, str) and t else "nano" for t in frame["tier"].tolist()], dtype=object
    )
    # vectorised per (platform, tier) group: the same formula as rate_card_fee
    for plat in set(plats.tolist()):
        for tier in set(tiers[plats == plat].tolist()):
            idx = np.flatnonzero((plats == plat) & (tiers == tier))
            f, e = fol[idx], er[idx]
            floor = rate_card_fee(card, plat, tier, 0.0, None, fmt)
            ref = card["reference_engagement_rate"].get(tier)
            b_lo, b_hi = card["engagement_factor_bounds"]
            good = np.isfinite(e) & (e > 0)
            efac = np.ones(len(idx))
            if ref:
                efac[good] = np.clip((e[good] / ref) ** card["engagement_elasticity"], b_lo, b_hi)
            k = np.maximum(f, 0.0) / 1000.0 * efac
            rates = _rates(card, plat, tier, fmt)
            lo[idx] = np.maximum(floor[0], rates[0] * k)
            mid[idx] = np.maximum(floor[1], rates[1] * k)
            hi[idx] = np.maximum(floor[2], rates[2] * k)
    return lo, mid, hi
