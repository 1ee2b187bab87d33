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


def _cpu_s() -> float:
    import os

    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(frozen=True)
class DemoProgress:
    """One progress event of :func:`run_demo`.

    ``done``/``total`` count ``unit`` within the step (``None`` where the step has no count);
    ``seconds`` is set, with ``finished``, when the step ends.
    """

    step: str
    done: int | None = None
    total: int | None = None
    unit: str = ""
    detail: str = ""
    finished: bool = False
    seconds: float | None = None


OnProgress = Callable[[DemoProgress], None]


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
    on_progress: OnProgress | None = None,
    workers: int | None = None,
) -> DemoResult:
    """Run the whole pipeline into ``store``; returns what happened, with timings.

    ``on_step`` hears each step's name as it starts; ``on_progress`` hears
    :class:`DemoProgress` events with counts (world shards, files and rows imported, creators
    embedded) and each step's end. ``workers``: processes for the world generator (default:
    up to 2; its output is the same whatever the number).
    """
    import os

    from closeknit.connectors.importer import import_world, world_plan
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

    def tell(ev: DemoProgress) -> None:
        if on_progress is not None:
            on_progress(ev)

    def step(name: str, fn: Callable[[], Any]) -> Any:
        if on_step is not None:
            on_step(name)
        tell(DemoProgress(name))
        t0, c0 = time.perf_counter(), _cpu_s()
        out = fn()
        secs = round(time.perf_counter() - t0, 3)
        # CPU seconds (all threads and finished child processes) beside the wall time: on a
        # shared machine the wall time says more about the other jobs than about this step
        res.steps.append({"step": name, "seconds": secs, "cpu_seconds": round(_cpu_s() - c0, 3)})
        tell(DemoProgress(name, finished=True, seconds=secs))
        return out

    def counter(name: str, unit: str) -> Callable[[int, int], None]:
        return lambda done, total: tell(DemoProgress(name, done, total, unit))

    n_workers = workers or max(1, min(2, os.cpu_count() or 1))
    step(
        "generate world",
        lambda: generate(
            world_dir,
            creators=creators,
            seed=seed,
            workers=n_workers,
            progress=counter("generate world", "shards"),
        ),
    )

    def do_import() -> Any:
        files = world_plan(world_dir)
        state = {"file": 0, "rows": 0}

        def on_file(source: str, path: Path) -> None:
            state["file"] += 1
            tell(DemoProgress("import", state["file"] - 1, len(files), "files", path.name))

        def on_rows(n: int) -> None:
            state["rows"] += n
            tell(
                DemoProgress(
                    "import", state["file"] - 1, len(files), "files", f"{state['rows']:,} rows"
                )
            )

        out = import_world(store, workspace, world_dir, on_progress=on_rows, on_file=on_file)
        tell(DemoProgress("import", len(files), len(files), "files", f"{state['rows']:,} rows"))
        return out

    step("import", do_import)
    step("features", lambda: build_features(store, workspace))
    step(
        "niches",
        lambda: assign_niches(store, workspace, on_progress=counter("niches", "creators embedded")),
    )
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
