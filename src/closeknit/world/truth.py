"""Read a world's ground truth (``truth/``) back as pandas DataFrames."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from closeknit.errors import NotFound

TRUTH_TABLES = (
    "creators",
    "growth_events",
    "bots",
    "pods",
    "overlap",
    "campaigns",
    "campaign_daily",
    "orders",
    "briefs",
    "accounts",
    "trends",
)


@dataclass
class Truth:
    """Ground truth of one generated world (see docs/world.md for every column)."""

    world: dict[str, Any]
    creators: pd.DataFrame
    growth_events: pd.DataFrame
    bots: pd.DataFrame
    pods: pd.DataFrame
    overlap: pd.DataFrame
    campaigns: pd.DataFrame
    campaign_daily: pd.DataFrame
    orders: pd.DataFrame
    briefs: pd.DataFrame
    accounts: pd.DataFrame
    trends: pd.DataFrame

    def relevant(self, brief_id: str) -> list[str]:
        """Creator ids truly relevant to a brief (niche match + audience fit)."""
        row = self.briefs.loc[self.briefs["brief_id"] == brief_id]
        if row.empty:
            raise NotFound(f"no brief {brief_id!r} in truth")
        cell = row.iloc[0]["relevant_creator_ids"]
        return [x for x in str(cell).split(";") if x and x != "nan"]

    def to_dict(self) -> dict[str, Any]:
        return {"world": self.world, "rows": {t: int(len(getattr(self, t))) for t in TRUTH_TABLES}}


def load_truth(world_dir: Path | str) -> Truth:
    """Load ``<world_dir>/truth/*.csv`` (raises NotFound when the folder is not a world)."""
    d = Path(world_dir) / "truth"
    if not (d / "world.json").exists():
        raise NotFound(f"{world_dir} is not a generated world (no truth/world.json)")
    frames: dict[str, pd.DataFrame] = {}
    for t in TRUTH_TABLES:
        p = d / f"{t}.csv"
        frames[t] = (
            pd.read_csv(p, keep_default_na=False, na_values=[""])
            if p.exists()
            else (pd.DataFrame())
        )
    return Truth(world=json.loads((d / "world.json").read_text()), **frames)
