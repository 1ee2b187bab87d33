"""The main job end to end on a synthetic world: generate → import → campaigns → features →
niches → discover → plan. ``closeknit demo`` is a thin CLI over :func:`run_demo`.

The campaigns step loads what the world's brands know of their own deals the way a user
would: the roster (``campaigns/roster.csv``, as ``closeknit campaign import``), the regional
sales (``lift/regional_sales.csv``, as ``closeknit lift-series``) and each campaign's geo
holdout (``lift/designs.csv``, as ``closeknit lift-holdout``) through the same service calls,
so ``closeknit report ID`` and ``closeknit lift ID`` work on the demo. Nothing is read from
the world's ``truth/`` folder."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from closeknit.errors import ValidationError
from closeknit.store import Store

if TYPE_CHECKING:
    from closeknit.service.discover import MatchOut
    from closeknit.service.plans import PlanOut

# the seed story: an anklets trend leads a jewellery brand to fitting micro creators; the brief
# says so ("nano and micro" is read as the tier filter), as the world's brief does in its
# filters, so the plan is set beside the best macro creator instead of taking one
DEMO_BRIEF = (
    "minimalist jewellery and anklets for women 18-30 in the UK and US, from nano and micro "
    "creators"
)
# the world's link orders arrive up to 45 days after the post (docs/track.md): a 60-day window
ROSTER_WINDOW_DAYS = 60


@dataclass(frozen=True)
class DemoStep:
    step: str
    seconds: float
    # CPU seconds (all threads and finished child processes) beside the wall time: on a
    # shared machine the wall time says more about the other jobs than about this step
    cpu_seconds: float


@dataclass(frozen=True)
class DemoCampaign:
    """A brand's past campaign as `closeknit report` sums it (attributed, not incremental)."""

    campaign_id: str
    name: str
    creators: int
    spend: float
    orders: int
    revenue: float
    roas: float | None


@dataclass
class DemoResult:
    """What the demo did. ``plan`` is None when no creator fits (``plan_note`` says why)."""

    db: str
    world_dir: str
    creators: int
    seed: int
    steps: list[DemoStep] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    brief: str = DEMO_BRIEF
    budget: float = 5000.0
    shortlist: list[MatchOut] = field(default_factory=list)
    plan: PlanOut | None = None
    plan_note: str | None = None
    campaigns: list[DemoCampaign] = field(default_factory=list)
    # creator documents embedded in the background (from the Instagram posts' import on)
    # and taken by the niches step
    embedded_ahead: int = 0

    def to_dict(self) -> dict[str, Any]:
        from closeknit.jsonable import to_jsonable

        # field by field: to_jsonable would call this method again on the dataclass itself
        out: dict[str, Any] = to_jsonable(
            {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        )
        return out


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
    embed_ahead: bool = True,
) -> DemoResult:
    """Run the whole pipeline into ``store``; returns what happened, with timings.

    ``on_step`` hears each step's name as it starts; ``on_progress`` hears
    :class:`DemoProgress` events with counts (world shards, files and rows imported, creators
    embedded) and each step's end. ``workers``: processes for the world generator (default:
    up to 2; its output is the same whatever the number). ``embed_ahead``: embed the
    creators' documents in the background from the moment the Instagram posts are imported,
    beside the rest of the import, the campaigns and the features steps
    (:class:`closeknit.match.vectors.EmbedAhead`; the stored results are the same either way).
    """
    import os

    from closeknit.connectors.importer import import_world, world_plan
    from closeknit.connectors.quarantine import count_errors
    from closeknit.features import build as build_features
    from closeknit.match.index import refresh as refresh_index
    from closeknit.match.niche import assign_niches
    from closeknit.match.vectors import EmbedAhead
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
        res.steps.append(DemoStep(name, secs, round(_cpu_s() - c0, 3)))
        tell(DemoProgress(name, finished=True, seconds=secs))
        return out

    def counter(name: str, unit: str) -> Callable[[int, int], None]:
        return lambda done, total: tell(DemoProgress(name, done, total, unit))

    n_workers = workers or max(1, min(2, os.cpu_count() or 1))
    # the embedder loads now, beside the generator (MiniLM: in its worker process, where a
    # cold ONNX graph cache is built); the documents are read once the Instagram posts are in
    ahead = EmbedAhead(store, workspace, start=False) if embed_ahead else None

    def do_import() -> Any:
        files = world_plan(world_dir)
        state = {"file": 0, "rows": 0, "ahead": 0}

        def on_file(source: str, path: Path) -> None:
            # the Instagram profiles and posts are in: their creators' documents are final
            # unless a later file changes them (then the niches step embeds them anew)
            if ahead is not None and not state["ahead"] and source != "instagram" and state["file"]:
                ahead.again()
                state["ahead"] = 1
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

    try:
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
        step("import", do_import)
        # the creators' documents are embedded beside the rest of the import, the campaigns
        # and the feature build (about one core each): on two cores these steps take about
        # their CPU time over two instead of its sum; the niches step takes the vectors by
        # document md5 (EmbedAhead). Now for the creators the rest of the import added.
        if ahead is not None:
            ahead.again()
        step("campaigns", lambda: load_campaigns(store, workspace, Path(world_dir), res))
        step("features", lambda: build_features(store, workspace))

        def do_niches() -> int:
            n = assign_niches(
                store, workspace, on_progress=counter("niches", "creators embedded"), ahead=ahead
            )
            if ahead is not None:
                # inside the step: the worker process's CPU (all of the embedding) is counted
                # in this step's CPU seconds once the worker has ended
                ahead.stop()
            return n

        step("niches", do_niches)
    finally:
        if ahead is not None:
            ahead.stop()  # what the niches step did not take is not needed (or it failed)
            res.embedded_ahead = ahead.taken
    step("index", lambda: refresh_index(store, workspace))
    # the same service calls as `closeknit discover` and `closeknit plan`: the same answer
    found = step(
        "discover",
        lambda: dsvc.discover(store, workspace, dsvc.DiscoverIn(text=brief, limit=shortlist_size)),
    )
    res.shortlist = list(found.results)

    def make_plan() -> None:
        try:
            res.plan = psvc.plan(store, workspace, psvc.PlanIn(text=brief, budget=budget))
        except ValidationError as e:
            # a small world may hold no creator who fits the brief: the plan says so and
            # spends nothing, as `closeknit plan` does, instead of ending the demo
            res.plan_note = e.message

    step("plan", make_plan)
    for t in ("creators", "posts", "comments", "follower_snapshots", "audience_samples", "orders"):
        res.counts[t] = store.count(t, workspace)
    res.counts["quarantined"] = count_errors(store, workspace)  # not the warnings
    res.counts["campaigns"] = len(res.campaigns)
    return res


def _read_csv(path: Path) -> list[dict[str, Any]]:
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_campaigns(
    store: Store, workspace: str, world_dir: Path, res: DemoResult | None = None
) -> list[str]:
    """The brands' own files, through the calls `campaign import`, `lift-series` and
    `lift-holdout` make; then each campaign's attributed ROAS (`closeknit report`) into
    ``res``. Returns the campaign ids (none when the world has no roster)."""
    from closeknit.service import campaigns as csvc
    from closeknit.service import lift as lsvc
    from closeknit.service import reports as rsvc

    roster = world_dir / "campaigns" / "roster.csv"
    if not roster.exists():
        return []
    ids = sorted({r["campaign_id"] for r in _read_csv(roster)})
    have = {c.campaign_id for c in csvc.list_campaigns(store, workspace)}
    if not set(ids) <= have:  # a second demo into the same file keeps the first import
        csvc.import_roster(
            store,
            workspace,
            csvc.RosterIn(path=str(roster), window_days=ROSTER_WINDOW_DAYS),
            actor="demo",
        )
    sales = world_dir / "lift" / "regional_sales.csv"
    if sales.exists():
        lsvc.import_series(store, workspace, _read_csv(sales), file=str(sales), first_line=2)
    designs = world_dir / "lift" / "designs.csv"
    if designs.exists():
        rows = _read_csv(designs)
        for cid in sorted({r["campaign_id"] for r in rows} & set(ids)):
            lsvc.import_holdout(store, workspace, cid, rows, file=str(designs), first_line=2)
    for cid in ids:
        # the report attributes the campaign's orders: the history the planner's conversion
        # model learns from (plan/conversion.py), so it runs with or without ``res``
        rep = rsvc.roas_report(store, workspace, cid)
        if res is None:
            continue
        t = rep.totals
        res.campaigns.append(
            DemoCampaign(
                campaign_id=cid,
                name=rep.campaign.name,
                creators=t.n_creators,
                spend=t.spend,
                orders=t.orders,
                revenue=t.revenue,
                roas=t.roas,
            )
        )
    return ids
