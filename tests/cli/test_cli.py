from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit import __version__
from closeknit.cli import app
from closeknit.store import open_store

runner = CliRunner()


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and __version__ in r.stdout


def test_demo_rejects_bad_input_with_one_line_error(tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb"), "--creators", "5"])
    assert r.exit_code != 0
    assert "--creators" in r.output and len(r.output.strip().splitlines()) == 1


def test_demo_bad_input_json_error_shape(tmp_path: Path) -> None:
    r = runner.invoke(app, ["demo", "--db", str(tmp_path / "d.duckdb"), "--budget", "-1", "--json"])
    assert r.exit_code != 0
    err = json.loads(r.stdout)["error"]
    assert err["type"] == "ConfigError" and "--budget" in err["message"]


def test_a_requested_output_file_gets_its_folder_or_a_clear_error(tmp_path: Path) -> None:
    """`report --html new/dir/r.html` and `lift --chart` into a missing folder were a
    FileNotFoundError traceback."""
    from closeknit.cli.common import write_output
    from closeknit.errors import ValidationError

    out = tmp_path / "new" / "dir" / "r.html"
    write_output(out, "<p>ok</p>")
    assert out.read_text() == "<p>ok</p>"
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ValidationError, match="cannot write .*a-file") as e:
        write_output(blocker / "r.html", "x")
    assert e.value.details["path"] == str(blocker / "r.html")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # the option as typed, not the service's field (max_sponsored_rate, audience_age, text)
        (["discover", "coffee", "--max-sponsored", "20"], "--max-sponsored: the sponsored share "
         "is a fraction from 0 to 1 (0.3 = 30%): did you mean 0.2?"),
        (["plan", "coffee", "--budget", "500", "--max-sponsored", "30"], "did you mean 0.3?"),
        # 0.9 on the 0-100 scale kept everyone, silently
        (["discover", "coffee", "--min-authenticity", "0.9"], "--min-authenticity: authenticity "
         "is scored 0-100 (60 keeps creators scoring 60 and above): did you mean 90?"),
        (["discover", "coffee", "--age", "abc"], "--age: should be an age range"),
        (["discover", "coffee", "--gender", "X"], "--gender: should be F or M"),
        (["discover", ""], "BRIEF: the brief is empty"),
        # NaN fails every bound: it was "Input should be less than or equal to 1000000000"
        (["plan", "coffee", "--budget", "nan"], "--budget: should be a number"),
        (["plan", "coffee", "--budget", "inf"], "--budget: should be a finite number"),
        # a tester's "countries: should be a country..." (the field, not --country, and not
        # the value), "--budget: Input should be greater than 0"
        (["discover", "coffee", "--country", "Atlantis"], '--country: should be a country: '
         'an ISO code (GB) or a name (United Kingdom), not "Atlantis"'),
        (["plan", "coffee", "--budget", "-5"], "--budget: should be greater than 0"),
    ],
)  # fmt: skip
def test_a_refused_value_names_the_option_as_typed(
    tmp_path: Path, args: list[str], said: str
) -> None:
    r = runner.invoke(app, [*args, "--db", str(tmp_path / "s.duckdb")])
    assert r.exit_code != 0
    assert said in " ".join(r.output.split()), r.output


def test_campaign_codes_say_what_was_kept_and_what_is_missing(tmp_path: Path) -> None:
    from tests.api.seeding import build_template

    a, _ = build_template(tmp_path / "t.duckdb")
    db = ["--db", str(tmp_path / "t.duckdb"), "--workspace", a.workspace]
    r = runner.invoke(app, ["campaign", "create", "Codes", *db, "--json"])
    cid = json.loads(r.stdout)["campaign_id"]
    r = runner.invoke(app, ["campaign", "codes", cid, *db])
    assert r.exit_code == 0 and "the campaign has no creators" in r.output
    runner.invoke(app, ["campaign", "add", cid, *a.creators[:2], *db])
    r = runner.invoke(app, ["campaign", "codes", cid, "--discount", "15", *db])
    assert "no landing URL" in " ".join(r.output.split()) and "kept the code" not in r.output
    r = runner.invoke(app, ["campaign", "codes", cid, "--discount", "30", *db])
    assert "2 of 2 creators kept the code they already had" in " ".join(r.output.split())


def test_a_stage_in_a_campaign_that_does_not_exist_says_so(tmp_path: Path) -> None:
    """It said "@x is not in campaign 'nosuch'", as if the campaign existed."""
    from tests.api.seeding import build_template

    a, _ = build_template(tmp_path / "t.duckdb")
    db = ["--db", str(tmp_path / "t.duckdb"), "--workspace", a.workspace]
    r = runner.invoke(app, ["campaign", "stage", "nosuch", a.creators[0], "contacted", *db])
    assert r.exit_code != 0 and "no campaign nosuch" in r.output
    r = runner.invoke(app, ["import", "errors", "--limit", "0", *db])
    assert r.exit_code != 0 and "--limit" in r.output


def test_lift_of_a_campaign_without_a_start_date_says_so_as_the_api_does(tmp_path: Path) -> None:
    """The CLI printed an own-revenue report of zeros where the API, the pages and the Python
    API answered InsufficientData naming the start date; --start still estimates."""
    from tests.api.seeding import build_template

    a, _ = build_template(tmp_path / "t.duckdb")
    db = ["--db", str(tmp_path / "t.duckdb"), "--workspace", a.workspace]
    r = runner.invoke(app, ["campaign", "create", "Undated", *db, "--json"])
    cid = json.loads(r.stdout)["campaign_id"]
    r = runner.invoke(app, ["lift", cid, *db, "--json"])
    assert r.exit_code != 0
    err = json.loads(r.stdout)["error"]
    assert err["type"] == "InsufficientData" and "start_date" in err["message"]
    r = runner.invoke(app, ["lift", cid, "--start", "2026-05-01", *db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["kind"] == "own_revenue"


def test_a_workspace_name_that_is_no_id_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path / "s", create=True).close()
    r = runner.invoke(app, ["lists", "all", "--workspace", "My Brand", "--db", str(tmp_path / "s")])
    assert r.exit_code != 0 and "is not a workspace id" in r.output


def test_an_unknown_workspace_is_refused_until_it_is_created(tmp_path: Path) -> None:
    """`--workspace typo-brand` wrote rows under a workspace no key or page could open; as on
    the Python API it is refused by name, with the known ones and how to create it."""
    db = ["--db", str(tmp_path / "s.duckdb")]
    open_store(tmp_path / "s.duckdb", create=True).close()
    r = runner.invoke(app, ["lists", "create", "Shortlist", "-w", "typo-brand", *db, "--json"])
    assert r.exit_code != 0
    err = json.loads(r.stdout)["error"]
    assert err["type"] == "NotFound" and err["details"]["known"] == ["default"]
    assert "closeknit workspaces create typo-brand" in err["message"]
    # the check holds whichever comes first: the workspace option or the store
    r = runner.invoke(app, ["fees", "--card", "-w", "defualt", *db])
    assert r.exit_code != 0 and "did you mean default" in r.output
    r = runner.invoke(app, ["workspaces", "list", *db, "--json"])
    assert [w["workspace_id"] for w in json.loads(r.stdout)] == ["default"]
    # created, it works; the account commands still make theirs on first use
    r = runner.invoke(app, ["workspaces", "create", "typo-brand", "--name", "Typo", *db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["name"] == "Typo", r.output
    r = runner.invoke(app, ["lists", "create", "Shortlist", "-w", "typo-brand", *db, "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["keys", "create", "-w", "agency", *db, "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["workspaces", "list", *db, "--json"])
    assert [w["workspace_id"] for w in json.loads(r.stdout)] == ["agency", "default", "typo-brand"]
    r = runner.invoke(app, ["workspaces", "create", "typo-brand", *db])
    assert r.exit_code != 0 and r.output.startswith("error: ") and "typo-brand" in r.output
    assert "Conflict" not in r.output  # words for the reader, the class name only in --json


def test_plan_takes_discovers_narrowing_filters(small_world: Path) -> None:
    # the API's and the web's plan took discover's narrowing filters (followers, engagement,
    # niche, keyword, fee, audience share); `closeknit plan` had none of them
    from closeknit.service import plans as svc
    from closeknit.store import open_store

    st = open_store(small_world)
    try:
        ctry = st.query(
            "SELECT bucket FROM audience_demographics WHERE workspace_id = 'default' AND "
            "dimension = 'country' AND share >= 0.33 AND share < 0.45 GROUP BY bucket "
            "ORDER BY count(*) DESC, bucket LIMIT 1"
        )[0]["bucket"]
        want = svc.plan(
            st,
            "default",
            svc.PlanIn(
                text="sustainable fashion and beauty",
                budget=3000,
                countries=[ctry],
                min_audience_share=0.3,
                min_followers=2000,
                on_brief_share=0,
            ),
        )
    finally:
        st.close()
    args = ["plan", "sustainable fashion and beauty", "--budget", "3000", "--country", ctry]
    args += ["--min-audience-share", "30", "--min-followers", "2000", "--on-brief-share", "0"]
    r = runner.invoke(app, [*args, "--db", str(small_world), "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert [p["creator_id"] for p in got["picks"]] == [p.creator_id for p in want.picks]
    assert got["picks"] and all(p["followers"] >= 2000 for p in got["picks"])


def test_plan_keeps_creators_in_and_plans_over_a_list(small_world: Path, tmp_path: Path) -> None:
    """The API and the web keep creators in (lock) and plan over a saved list; the CLI could
    do neither."""
    import shutil

    from closeknit.service import lists
    from closeknit.store import open_store

    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    brief = ["plan", "sustainable fashion and beauty", "--budget", "3000", "--db", str(db)]
    r = runner.invoke(app, [*brief, "--json"])
    assert r.exit_code == 0, r.output
    first = [p["creator_id"] for p in json.loads(r.stdout)["picks"]]
    st = open_store(db)
    try:
        keep = st.query(
            "SELECT creator_id FROM creators WHERE workspace_id = 'default' AND followers > 0 "
            "AND creator_id NOT IN (SELECT unnest(?)) ORDER BY creator_id LIMIT 1",
            [first],
        )[0]["creator_id"]
        ids = [keep, *first[:2]]
        lst = lists.create_list(st, "default", lists.ListIn(name="cli shortlist"), actor="test")
        lists.add_to_list(st, "default", lst.list_id, lists.AddToListIn(creators=ids), actor="test")
    finally:
        st.close()
    r = runner.invoke(app, [*brief, "--keep", keep, "--json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["locked"] == [keep]
    assert [p["creator_id"] for p in got["picks"] if p["locked"]] == [keep]
    r = runner.invoke(app, [*brief, "--keep", keep])
    assert r.exit_code == 0 and "kept in as you asked" in r.stdout, r.output
    marked = [
        ln.split()[0] for ln in r.stdout.splitlines() if ln.startswith("@") and " kept " in ln
    ]
    assert marked == ["@" + keep.split(":", 1)[1]], r.stdout
    r = runner.invoke(app, [*brief, "--list", lst.list_id, "--json"])
    assert r.exit_code == 0, r.output
    assert {p["creator_id"] for p in json.loads(r.stdout)["picks"]} <= set(ids)
    r = runner.invoke(app, [*brief, "--list", "no-such-list"])
    assert r.exit_code != 0 and r.output.startswith("error: ") and "no-such-list" in r.output


def test_a_mistyped_db_is_refused_by_commands_that_only_read(tmp_path: Path) -> None:
    """`discover --db nothere/x.duckdb` made the folder and an empty store, then said "this
    workspace has no creators yet", as if the data were gone."""
    typo = tmp_path / "nothere" / "x.duckdb"
    for args in (["discover", "vegan snacks"], ["vet", "@anna"], ["plans", "list"],
                 ["campaign", "list"], ["fees", "--card"], ["currency"],
                 ["workspaces", "list"], ["export-creator", "@anna"]):  # fmt: skip
        r = runner.invoke(app, [*args, "--db", str(typo), "--json"])
        assert r.exit_code != 0, args
        err = json.loads(r.stdout)["error"]
        assert err["type"] == "StoreMissing" and f"no store at {typo}" in err["message"], args
        assert not typo.parent.exists(), args
    # commands that bring data in or make something of the user's make it
    r = runner.invoke(app, ["campaign", "create", "First", "--db", str(typo), "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["campaign", "list", "--db", str(typo), "--json"])
    assert r.exit_code == 0 and "First" in r.stdout
