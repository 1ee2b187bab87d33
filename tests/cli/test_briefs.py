"""`closeknit briefs` and `--brief-id` on discover and plan: saved briefs were the REST API's only
(`/api/v1/briefs`); the CLI and the facade could neither save nor run one."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

import closeknit as ck
from closeknit.cli import app
from closeknit.service import discover as dsvc
from closeknit.service import plans as psvc

runner = CliRunner()
TEXT = "sustainable fashion and beauty"


def test_save_list_show_run_and_delete_a_brief(small_world: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    on = ["--db", str(db)]
    r = runner.invoke(
        app, ["briefs", "save", TEXT, "--country", "GB", "--age", "18-30", *on, "--json"]
    )
    assert r.exit_code == 0, r.output
    saved = json.loads(r.stdout)
    bid = saved["brief_id"]
    assert saved["filters"]["countries"] == ["GB"] and saved["filters"]["audience_age"] == "18-30"
    r = runner.invoke(app, ["briefs", "list", *on, "--csv"])
    assert r.exit_code == 0, r.output
    rows = {x["id"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    # the filters in the words the web uses too (closeknit.figures.filter_words)
    assert rows[bid]["brief"] == TEXT and rows[bid]["filters"] == "in GB · aged 18-30"
    r = runner.invoke(app, ["briefs", "show", bid, *on])
    assert r.exit_code == 0 and f"closeknit plan --brief-id {bid} --budget N" in r.stdout
    # run it: the same answer as the service (and so the API) gives for the saved brief
    r = runner.invoke(app, ["discover", "--brief-id", bid, "--limit", "10", *on, "--json"])
    assert r.exit_code == 0, r.output
    got = [m["creator_id"] for m in json.loads(r.stdout)["results"]]
    st = ck.open_store(db)
    try:
        want = dsvc.discover_saved(st, "default", bid, 10)
        plan = psvc.plan(st, "default", psvc.PlanIn(brief_id=bid, budget=3000, on_brief_share=0))
        also = ck.list_briefs(st, "default")
    finally:
        st.close()
    assert got == [m.creator_id for m in want.results] and got
    assert want.brief is not None and want.brief.countries == ["GB"]
    assert bid in {b.brief_id for b in also}
    r = runner.invoke(
        app, ["plan", "--brief-id", bid, "--budget", "3000", "--on-brief-share", "0", *on, "--json"]
    )
    assert r.exit_code == 0, r.output
    assert [p["creator_id"] for p in json.loads(r.stdout)["picks"]] == [
        p.creator_id for p in plan.picks
    ]
    # a brief's text beside a saved brief is refused, in words (no internal field names)
    r = runner.invoke(app, ["plan", TEXT, "--brief-id", bid, "--budget", "3000", *on])
    assert r.exit_code != 0 and "a saved brief or a brief's text, not both" in r.output
    r = runner.invoke(app, ["discover", TEXT, "--brief-id", bid, *on])
    assert r.exit_code != 0 and "not two" in r.output
    # an option beside a saved brief was dropped without a word: now it is refused, named
    r = runner.invoke(app, ["discover", "--brief-id", bid, "--country", "US", "--min-er", "2", *on])
    assert r.exit_code != 0 and "leave out --country, --min-er" in r.output, r.output
    # the creators a plan leaves out are the plan's, not the brief's: they still apply
    drop = plan.picks[0].creator_id
    r = runner.invoke(app, [
        "plan", "--brief-id", bid, "--budget", "3000", "--on-brief-share", "0",
        "--exclude", drop, *on, "--json",
    ])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert drop not in {p["creator_id"] for p in json.loads(r.stdout)["picks"]}
    r = runner.invoke(app, ["plan", "--brief-id", bid, "--budget", "3000", "--tier", "macro", *on])
    assert r.exit_code != 0 and "carries its own filters; leave out tiers" in r.output, r.output
    r = runner.invoke(app, ["briefs", "delete", bid, *on])
    assert r.exit_code == 0, r.output
    for cmd in (["briefs", "show", bid], ["discover", "--brief-id", bid]):
        r = runner.invoke(app, [*cmd, *on, "--json"])
        assert r.exit_code != 0 and json.loads(r.stdout)["error"]["type"] == "NotFound"


def test_the_facade_saves_a_brief_given_as_a_dict(small_world: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    st = ck.open_store(db)
    try:
        b = ck.save_brief(st, "default", {"text": TEXT, "tiers": ["nano"]}, actor="nb")
        assert ck.get_brief(st, "default", b.brief_id).filters.tiers == ["nano"]
        res = ck.discover_saved(st, "default", b.brief_id, 5)
        assert res.results and all(m.tier == "nano" for m in res.results)
        ck.delete_brief(st, "default", b.brief_id, actor="nb")
        assert b.brief_id not in {x.brief_id for x in ck.list_briefs(st, "default")}
    finally:
        st.close()


def test_a_saved_brief_keeps_its_narrowing_filters(small_world: Path, tmp_path: Path) -> None:
    """`briefs save` takes discover's reach, engagement, fee and keyword filters and the
    creators to leave out, and a run of the saved brief applies them (they could be set on the
    web's search and were dropped when it was saved)."""
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    on = ["--db", str(db)]
    st = ck.open_store(db)
    try:
        first = dsvc.discover(st, "default", dsvc.DiscoverIn(text=TEXT, limit=5)).results
    finally:
        st.close()
    floor = sorted(m.followers or 0 for m in first)[1]
    r = runner.invoke(app, [
        "briefs", "save", TEXT, "--min-followers", str(floor), "--max-er", "50",
        "--exclude", first[0].creator_id, *on, "--json",
    ])  # fmt: skip
    assert r.exit_code == 0, r.output
    saved = json.loads(r.stdout)
    f = saved["filters"]
    assert f["min_followers"] == floor and f["max_engagement_rate"] == 0.5
    assert f["exclude"] == [first[0].creator_id]
    r = runner.invoke(app, ["briefs", "show", saved["brief_id"], *on])
    shown = " ".join(r.stdout.split())  # wrapped at the terminal's width
    assert f"followers at least {floor:,}" in shown and "engagement at most 50.0%" in shown
    assert "leaving out 1 creator" in shown
    r = runner.invoke(app, ["discover", "--brief-id", saved["brief_id"], *on, "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["results"] and all(m["followers"] >= floor for m in out["results"])
    assert first[0].creator_id not in {m["creator_id"] for m in out["results"]}
    assert out["excluded"].get("followers", 0) > 0
    # the plan applies them too, and refuses its own beside them (they would be ambiguous)
    r = runner.invoke(app, [
        "plan", "--brief-id", saved["brief_id"], "--budget", "3000", "--on-brief-share", "0",
        *on, "--json",
    ])  # fmt: skip
    assert r.exit_code == 0, r.output
    picks = json.loads(r.stdout)["picks"]
    assert picks and all(p["followers"] >= floor for p in picks)
    assert first[0].creator_id not in {p["creator_id"] for p in picks}
    r = runner.invoke(app, [
        "plan", "--brief-id", saved["brief_id"], "--budget", "3000", "--min-followers", "1", *on,
    ])  # fmt: skip
    assert r.exit_code != 0 and "leave out min followers" in r.output, r.output
    # a range the wrong way round is refused when saved, not saved to give nothing
    r = runner.invoke(app, [
        "briefs", "save", TEXT, "--min-followers", "5000", "--max-followers", "10", *on,
    ])  # fmt: skip
    assert r.exit_code != 0
    assert "the smallest followers allowed (5,000) is above the largest (10)" in r.output
