"""Fee estimate used for cost-effectiveness until a fitted fee model is available.

If ``closeknit.plan.estimate_fees`` exists it is used. Otherwise a RATE-CARD ESTIMATE (labelled
as such in every result): the rule of thumb published by influencer-marketing vendors of about
$10 per 1,000 followers for an Instagram post, $20 per 1,000 subscribers for a YouTube video and
$5 per 1,000 followers on TikTok (Influencer Marketing Hub, "Influencer rates" guides), with a
floor of $25. It is a guess at list price, not a quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from closeknit.store import Store

PER_THOUSAND = {"instagram": 10.0, "youtube": 20.0, "tiktok": 5.0}
FLOOR = 25.0
RATE_CARD = "rate_card_v1"


def rate_card_fee(platform: str | None, followers: int | None) -> float | None:
    if not followers:
        return None
    return max(FLOOR, PER_THOUSAND.get(platform or "", 10.0) * followers / 1000.0)


def estimate(
    store: Store, workspace: str, creators: Sequence[dict[str, Any]]
) -> dict[str, tuple[float | None, str]]:
    """creator_id -> (fee, source) for rows carrying creator_id, platform, followers."""
    ids = [c["creator_id"] for c in creators]
    out: dict[str, tuple[float | None, str]] = {}
    try:
        from closeknit.plan import estimate_fees  # type: ignore[attr-defined]

        fitted = estimate_fees(store, workspace, ids)
        for cid, v in fitted.items():
            fee = v.get("fee") if isinstance(v, dict) else getattr(v, "fee", v)
            if isinstance(fee, int | float):
                out[cid] = (float(fee), "plan.estimate_fees")
    except Exception:  # noqa: BLE001 - the fee model is optional; fall back to the rate card
        pass
    for c in creators:
        if c["creator_id"] not in out:
            out[c["creator_id"]] = (rate_card_fee(c.get("platform"), c.get("followers")), RATE_CARD)
    return out
