"""World parameters: one frozen config, passed to every shard worker."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

REFERENCE_DATE = dt.datetime(2026, 10, 31, tzinfo=dt.UTC)
TIERS = ("nano", "micro", "macro", "mega")
TIER_EDGES = (1_000, 10_000, 100_000, 1_000_000)
# Published Instagram per-post (likes+comments)/followers medians (HypeAuditor 2026, DESIGN.md);
# macro interpolated between micro and mega.
TIER_ER = (0.0178, 0.0054, 0.0042, 0.0033)
FILE_BUFFER = 1 << 20  # write buffer of the big per-shard files


@dataclass(frozen=True)
class WorldConfig:
    creators: int
    seed: int
    shard_size: int = 10_000
    reference_ts: int = int(REFERENCE_DATE.timestamp())
    days: int = 365
    youtube_share: float = 0.15
    comment_fraction: float = 1.0  # share of posts whose comment edges are written
    max_comment_edges: int = 15
    audience_fraction: float = 1.0  # share of creators with an audience sample
    audience_sample: int = 60
    demographics_fraction: float = 1.0
    fraud_share: float = 0.12  # creators with bought (fake) followers
    spike_share: float = 0.6  # of those, share whose purchase is one visible spike
    bot_target_share: float = 0.08  # creators whose comments are flooded by bots
    pod_share: float = 0.04  # creators that are members of an engagement pod
    overlap_max_creators: int = 20_000  # overlap truth is computed over the first N creators
    vendor_files: bool = True
    vendor_max_rows: int | None = None  # top-N creators a month in the vendor export
    shop_orders_per_day: float = 8.0  # baseline orders a day for a mid-size brand
    n_briefs: int = 24
    # response parameters over closeknit.world.response.ResponseParams' defaults
    response: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_shards(self) -> int:
        return max(1, -(-self.creators // self.shard_size))

    def shard_bounds(self, shard: int) -> tuple[int, int]:
        lo = shard * self.shard_size
        return lo, min(self.creators, lo + self.shard_size)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_config(creators: int, seed: int, **opts: Any) -> WorldConfig:
    """Scale-aware defaults: at large scale write comments/audience for a subset only."""
    base: dict[str, Any] = {}
    if creators > 100_000:
        base.update(
            comment_fraction=0.1,
            audience_fraction=0.1,
            demographics_fraction=0.3,
            vendor_max_rows=100_000,
        )
    base.update({k: v for k, v in opts.items() if v is not None})
    known = set(WorldConfig.__dataclass_fields__)
    extra = {k: v for k, v in base.items() if k not in known}
    kw = {k: v for k, v in base.items() if k in known}
    return WorldConfig(creators=creators, seed=seed, extra=extra, **kw)
