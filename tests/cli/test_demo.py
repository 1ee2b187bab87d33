"""`closeknit demo --json` runs the whole main job and emits valid JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import Store


@pytest.mark.slow
def test_demo_json_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    r = CliRunner().invoke(
        app, ["demo", "--db", str(db), "--creators", "150", "--seed", "3", "--json"]
    )
    assert r.exit_code == 0, r.output[-2000:]
    d = json.loads(r.stdout)
    assert [s["step"] for s in d["steps"]] == [
        "generate world",
        "import",
        "campaigns",
        "features",
        "niches",
        "index",
        "discover",
        "plan",
    ]
    assert all(s["seconds"] >= 0 and s["cpu_seconds"] >= 0 for s in d["steps"])
    assert d["counts"]["creators"] == 150 and d["counts"]["posts"] > 1000
    # every creator's vector was embedded beside the campaigns and features steps, and the
    # niches step took them all (tests/match/test_embed_ahead.py: the same vectors as alone)
    assert d["embedded_ahead"] == 150
    assert d["shortlist"] and all("factors" in x for x in d["shortlist"])
    assert d["plan"]["picks"] and d["plan"]["cost"]["mid"] <= d["budget"]
    # the brands' roster went in as a user's would: campaigns with codes, orders attributed
    assert d["campaigns"] and d["counts"]["campaigns"] == len(d["campaigns"])
    assert all(c["creators"] >= 1 and c["orders"] > 0 for c in d["campaigns"])
    # the world went through the real import path into the same file
    assert Path(d["world_dir"]).is_dir() and db.exists()


@pytest.mark.slow
def test_demo_logs_progress_with_counts_when_not_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    r = CliRunner().invoke(app, ["demo", "--db", str(db), "--creators", "120", "--seed", "5"])
    assert r.exit_code == 0, r.output[-2000:]
    lines = [x for x in r.stderr.splitlines() if x.startswith("closeknit demo: ")]
    text = "\n".join(lines)
    # a line when each step starts and ends, and counts where the step has them
    for name in (
        "generate world",
        "import",
        "campaigns",
        "features",
        "niches",
        "index",
        "discover",
        "plan",
    ):
        assert f"closeknit demo: {name}: done in " in text, text
    assert "closeknit demo: niches: 120/120 creators embedded" in text, text
    assert any(x.startswith("closeknit demo: import: ") and " files" in x for x in lines), text
    assert "\x1b[" not in r.stderr  # plain lines, no terminal control codes
    assert "shortlist for:" in r.stdout
    # the summary fits a terminal and reads money and returns by the display rules
    # (closeknit.figures: "2,093.00", "13.14×"; the tables had "2,093" and "13.14")
    assert max(len(x) for x in r.stdout.splitlines()) <= 80
    assert re.search(r"plan under budget \$5,000\.00 \(", r.stdout), r.stdout
    # the steps and counts in words and by the display rules (a "cpu_seconds" header, "818305")
    assert "cpu_seconds" not in r.stdout and "CPU seconds" in r.stdout
    assert re.search(r"^ *posts +\d{1,3},\d{3} *$", r.stdout, re.M), r.stdout
    # the shortlist as `closeknit discover` prints it: @creator and a 0-100 score (it read
    # "score 1.00" where discover said 99.6)
    short = r.stdout[r.stdout.index("shortlist for:") : r.stdout.index("plan under budget")]
    assert re.search(r"^ *creator +followers +ER +auth +fee +score", short, re.M), short
    assert re.search(r"^ *@\S+ .* \d{1,3}\.\d *$", short, re.M), short
    # the plan reads as `closeknit plan` prints it (it had a table of its own: handle, fit,
    # fee, "exp. revenue"): @creator first, fit, fee and what each pick adds kept at 80 columns
    plan = r.stdout[r.stdout.index("plan under budget") :]
    assert re.search(r"^ *creator +fit +fee +adds +followers +tier", plan, re.M), plan
    assert re.search(r"^ *@\S+ +\d+\.\d% ", plan, re.M), plan
    assert "exp. revenue" not in r.stdout
    assert re.search(r"\d\.\d\d× *$", r.stdout, re.M), r.stdout


def test_demo_loads_the_brands_files_not_the_truth(tmp_path: Path, store: Store) -> None:
    """The campaigns step reads the roster and lift files a brand has (the truth folder is
    gone), through the service calls a user's commands make, and a second run changes nothing."""
    import csv
    import shutil

    from closeknit.demo import DemoResult, load_campaigns
    from closeknit.service.lift import LiftRequest, estimate_lift
    from closeknit.world import generate

    w = tmp_path / "w"
    generate(w, 150, 4, shop_orders_per_day=1.0, comment_fraction=0.0, vendor_files=False)
    shutil.rmtree(w / "truth")
    with open(w / "campaigns" / "roster.csv", encoding="utf-8", newline="") as f:
        roster = list(csv.DictReader(f))
    assert roster and "effect" not in ",".join(roster[0])  # what a brand knows, no truth
    with store.transaction() as tx:  # the creators the roster names (the import step's job)
        tx.insert_rows(
            "creators",
            [{"workspace_id": "default", "creator_id": r["creator_id"], "platform": "instagram",
              "handle": r["handle"]} for r in {r["creator_id"]: r for r in roster}.values()],
        )  # fmt: skip
    for _ in range(2):
        res = DemoResult(db="", world_dir=str(w), creators=150, seed=4)
        load_campaigns(store, "default", w, res)
    ids = sorted({r["campaign_id"] for r in roster})
    assert [c.campaign_id for c in res.campaigns] == ids
    assert store.count("campaign_creators", "default") == len(roster)
    codes = {r["code"] for r in roster}
    got = store.query("SELECT discount_code AS c FROM campaign_creators")
    assert {r["c"] for r in got} == codes
    rep = estimate_lift(store, "default", LiftRequest(campaign_id=ids[0], placebos=0))
    assert rep.kind == "incremental" and rep.target == "design"


def test_the_demo_prints_its_plan_as_closeknit_plan_does(store: Store) -> None:
    """The demo printed its plan through a table of its own (handle, fit, fee, "exp. revenue"),
    a near twin of `closeknit plan`'s with other columns: one plan read two ways. It prints
    through `closeknit plan`'s renderer now; only the title differs, naming the budget."""
    from closeknit.cli import demo as cli_demo
    from closeknit.cli.common import console
    from closeknit.cli.plan import method_words, print_plan, status_words
    from closeknit.service import plans as psvc
    from tests.plan.synth import seed_creators

    seed_creators(store, 40)
    req = psvc.PlanIn(
        text="running and fitness", budget=20000, on_brief_share=0.0, min_relevance=0.0
    )
    plan = psvc.plan(store, "default", req)
    assert plan.picks
    with console.capture() as got:
        cli_demo._render_plan(plan, 20000)
    with console.capture() as want:
        print_plan(plan)
    demo, cmd = got.get().splitlines(), want.get().splitlines()
    how = f"{method_words(plan.method)}, {status_words(plan.status)}"
    assert demo[0] == cmd[0] and demo[0].startswith("the brief reads as: ")
    assert demo[1].strip() == f"plan under budget $20,000.00 ({how})"
    assert cmd[1].strip() == f"plan ({how})"
    demo, cmd = demo[1:], cmd[1:]
    assert demo[1:] == cmd[1:] and "exp. revenue" not in got.get()
    assert f"@{plan.picks[0].handle}" in got.get()
    assert max(len(x) for x in demo) <= 80
