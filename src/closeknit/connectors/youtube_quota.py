"""YouTube Data API quota: units per call (YouTube "Quota Calculator": every ``*.list`` call
costs 1 unit, ``search.list`` 100), the quota day (it resets at midnight Pacific), the units
today's runs already used (kept as a state mark), :func:`plan_cost` (an upper bound of a run's
cost, checked before it starts against the daily budget less what today's runs used) and
:class:`Meter` (a run's spend, a hard limit while it runs)."""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from closeknit.connectors.http import QuotaExceeded
from closeknit.connectors.state import get_mark
from closeknit.store import Store

CONNECTOR = "youtube"  # the connector name of the state marks
DEFAULT_DAILY_BUDGET = 10_000  # the default quota of a Google Cloud project
COST = {
    "channels.list": 1,
    "playlistItems.list": 1,
    "videos.list": 1,
    "commentThreads.list": 1,
    "comments.list": 1,
    "search.list": 100,
}
_PACIFIC = ZoneInfo("America/Los_Angeles")  # the quota day resets at midnight Pacific


@dataclass
class QuotaPlan:
    """Upper bound of the units a run will spend, against what is left of today's budget."""

    calls: dict[str, int]
    units: int
    budget: int
    used_today: int
    day: str

    @property
    def left(self) -> int:
        return self.budget - self.used_today

    @property
    def fits(self) -> bool:
        return self.units <= self.left

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "units": self.units,
            "budget": self.budget,
            "used_today": self.used_today,
            "left": self.left,
            "fits": self.fits,
            "day": self.day,
        }


def quota_day(now: _dt.datetime | None = None) -> str:
    """The quota day (Pacific time) of ``now`` (UTC)."""
    now = now or _dt.datetime.now(_dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=_dt.UTC)
    return now.astimezone(_PACIFIC).date().isoformat()


def used_units(store: Store, workspace: str, day: str) -> int:
    mark = get_mark(store, workspace, CONNECTOR, f"quota:{day}")
    return int((mark or {}).get("units", 0))


def plan_cost(
    n_channels: int,
    *,
    max_videos: int,
    comment_pages: int = 1,
    via: Literal["uploads", "search"] = "uploads",
    budget: int = DEFAULT_DAILY_BUDGET,
    used_today: int = 0,
    day: str = "",
) -> QuotaPlan:
    """Upper bound of a run's calls and units (every page full, every video with comments)."""
    pages = math.ceil(max_videos / 50) if max_videos > 0 else 0
    calls = {
        "channels.list": n_channels,
        "playlistItems.list": n_channels * pages if via == "uploads" else 0,
        "search.list": n_channels * pages if via == "search" else 0,
        "videos.list": n_channels * pages,
        "commentThreads.list": n_channels * max_videos * comment_pages,
    }
    units = sum(COST[k] * v for k, v in calls.items())
    return QuotaPlan(calls=calls, units=units, budget=budget, used_today=used_today, day=day)


@dataclass
class Meter:
    """Units spent by this run; refuses a call that would go past ``limit``."""

    limit: int
    units: int = 0
    by_call: dict[str, int] = field(default_factory=dict)

    def charge(self, call: str) -> None:
        # pages can be short or empty, so a run may need more calls than planned: this
        # guard keeps the budget a hard limit (the run stops resumably instead)
        if self.units + COST[call] > self.limit:
            raise QuotaExceeded(
                f"stopping before {call}: this run has spent {self.units} units and the "
                f"budget has {self.limit - self.units} left. Rerun on the next quota day "
                "(or with a larger budget): it resumes where it stopped"
            )
        self.units += COST[call]
        self.by_call[call] = self.by_call.get(call, 0) + 1
