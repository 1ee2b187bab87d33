"""The main job end to end on a synthetic world: generate → import → features → niches →
discover → plan. ``closeknit demo`` is a thin CLI over :func:`run_demo`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from closeknit.store import Store

DEMO_BRIEF = "sports clothing for home-workout fans, UK, 18-25"


@dataclass
class DemoResult:
    db: str
    world_dir: str
    creators: int
    seed: int
    steps: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    brief: str = DEMO_BRIEF
    budget: float = 5000.0
    shortlist: list[dict[str, Any]] = field(default_factory=list)
    plan: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "db": self.db,
            "world_dir": self.world_dir,
            "creators": self.creators,
            "seed": self.seed,
            "steps": self.steps,
            "counts": self.counts,
            "brief": self.brief,
            "budget": self.budget,
            "shortlist": self.shortlist,
            "plan": self.plan,
        }


Step = Callable[[str], None]


def run_demo(
    store: Store,
    *,
    workspace: str = "default",
    creators: int = 5000,
    seed: int = 42,
    world_dir: Path,
    brief: str = DEMO_BRIEF,
    budget: float = 5000.0,
    shortlist_size: int = 10,
    on_step: Step | None = None,
) -> DemoResult:
    """Run the whole pipeline into ``store``; returns what happened, with timings."""
    from closeknit.connectors.importer import import_world
    from closeknit.connectors.quarantine import count_errors
    from closeknit.features import build as build_features
    from closeknit.match.index import refresh as refresh_index
    from closeknit.match.niche import assign_niches
    from closeknit.service import discover as dsvc
    from closeknit.service import plans as psvc
    from closeknit.world import generate

    res = DemoResult(
        db=str(store.path),
        world_dir=str(world_dir),
        creators=creators,
        seed=seed,
        brief=brief,
        budget=budget,
    )

    def step(name: str, fn: Callable[[], Any]) -> Any:
        if on_step is not None:
            on_step(name)
        t0 = time.perf_counter()
        out = fn()
        res.steps.append({"step": name, "seconds": round(time.perf_counter() - t0, 3)})
        return out

    step("generate world", lambda: generate(world_dir, creators=creators, seed=seed))
    step("import", lambda: import_world(store, workspace, world_dir))
    step("features", lambda: build_features(store, workspace))
    step("niches", lambda: assign_niches(store, workspace))
    step("index", lambda: refresh_index(store, workspace))
    # the same service calls as `closeknit discover` and `closeknit plan`: the same answer
    found = step(
        "discover",
        lambda: dsvc.discover(store, workspace, dsvc.DiscoverIn(text=brief, limit=shortlist_size)),
    )
    res.shortlist = found.to_json()["results"]
    plan = step("plan", lambda: psvc.plan(store, workspace, psvc.PlanIn(text=brief, budget=budget)))
    res.plan = plan.to_json()
    for t in ("creators", "posts", "comments", "follower_snapshots", "audience_samples", "orders"):
        res.counts[t] = store.count(t, workspace)
    res.counts["quarantined"] = count_errors(store, workspace)  # not the warnings
    return res
