"""What a person reads is words and figures by the display rules: no Python reprs (['a', 'b'],
None), no internal snake_case names (as_of, too_few_fit, content_live, margin_roas), no raw JSON;
and every command that says "--json or --csv has every column" has a --csv."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import Store, open_store

runner = CliRunner(env={"COLUMNS": "80", "CLOSEKNIT_EMBED_MODEL": "hash"})

# a Python list repr ("['link_spam', 'model']") or a quoted word ("'uk' -> GB")
REPR = re.compile(r"\['|'\]|'\w+' ->")


def _run(db: Path, *args: str) -> str:
    r = runner.invoke(app, [*args, "--db", str(db)])
    assert r.exit_code == 0, r.output[-3000:]
    return r.stdout


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames, text[:500]
    return rows


def _one(db: Path, sql: str) -> str:
    st = open_store(db, read_only=True)
    try:
        return str(st.query(sql)[0]["x"])
    finally:
        st.close()


def _fits(text: str) -> None:
    assert all(len(line) <= 80 for line in text.splitlines()), text
    assert "{" not in text and not REPR.search(text), text


@pytest.fixture(scope="module")
def thin_creator(small_world: Path) -> str:
    """A creator with fewer recent posts than the sponsorship window and bot comments."""
    return _one(
        small_world,
        "SELECT creator_id AS x FROM creator_features WHERE workspace_id = 'default' AND "
        "n_recent_posts < 30 AND n_bot_comments > 0 ORDER BY n_bot_comments DESC, creator_id "
        "LIMIT 1",
    )


def test_vet_prints_one_csv_row_with_the_main_figures_and_parts(
    small_world: Path, thin_creator: str
) -> None:
    """`vet` said "(--json or --csv has every column)" and refused --csv."""
    rep = json.loads(_run(small_world, "vet", thin_creator, "--json"))
    rows = _rows(_run(small_world, "vet", thin_creator, "--csv"))
    assert len(rows) == 1
    row = rows[0]
    assert row["creator_id"] == thin_creator and row["handle"] == rep["creator"]["handle"]
    assert float(row["engagement_rate"]) == pytest.approx(rep["engagement"]["engagement_rate"])
    assert int(row["n_recent_posts"]) == rep["sponsorship"]["n_recent_posts"]
    for key, sc in rep["scores"].items():
        assert float(row[f"{key}_score"]) == pytest.approx(sc["score"])
        for p in sc["parts"]:
            pts = row[f"{key}_{p['name']}_points"]
            assert (float(pts) if pts else None) == pytest.approx(p["points"])
            assert row[f"{key}_{p['name']}_rule"] == p["rule"]


def test_vet_reads_as_words_and_counts_the_posts_it_used(
    small_world: Path, thin_creator: str
) -> None:
    """It printed the bot examples' flags as a list repr, "the last 30 posts up to as_of"
    for a creator with 21 (the web: "the last 21"), and "as of 2026-…T23:59:50"."""
    rep = json.loads(_run(small_world, "vet", thin_creator, "--json"))
    s = rep["sponsorship"]
    assert s["n_recent_posts"] < 30 and rep["authenticity"]["bot_comments"]["evidence"]["examples"]
    out = _run(small_world, "vet", thin_creator)
    flat = " ".join(out.split())
    assert f"of the last {s['n_recent_posts']} posts" in flat, out
    assert "last 30" not in flat and "as_of" not in out and "T23:" not in out
    assert not REPR.search(out) and "_" not in out.replace(rep["creator"]["handle"], ""), out


def test_lift_and_currency_print_csv(small_world: Path) -> None:
    cid = _one(small_world, "SELECT min(campaign_id) AS x FROM campaigns")
    rep = json.loads(_run(small_world, "lift", cid, "--placebos", "0", "--json"))
    rows = _rows(_run(small_world, "lift", cid, "--placebos", "0", "--csv"))
    assert len(rows) == 1 and rows[0]["campaign_id"] == cid
    assert rows[0]["kind"] == rep["kind"] and float(rows[0]["spend"]) == pytest.approx(rep["spend"])
    if rep["incremental_revenue"] is not None:
        inc = rep["incremental_revenue"]
        assert float(rows[0]["incremental_revenue"]) == pytest.approx(inc["estimate"])
        assert float(rows[0]["incremental_revenue_lo"]) == pytest.approx(inc["lo"])
    cur = _rows(_run(small_world, "currency", "--csv"))
    assert cur == [{"workspace_id": "default", "currency": "USD", "symbol": "$"}]


def test_the_fee_card_is_a_table_and_a_csv_not_json(small_world: Path) -> None:
    """`fees --card` printed the card's JSON (a 385-character "_about" line), with --csv too."""
    card = json.loads(_run(small_world, "fees", "--card", "--json"))
    out = _run(small_world, "fees", "--card")
    _fits(out)
    assert "_about" not in out and "per_1k" not in out
    assert re.search(r"^ *platform +tier +format +low +mid +high", out, re.M), out
    assert re.search(r"^ *instagram +nano +post +5\.00 +10\.00 +20\.00 +25\.00", out, re.M), out
    rows = _rows(_run(small_world, "fees", "--card", "--csv"))
    n_formats = {p: len(v["formats"]) for p, v in card["platforms"].items()}
    n_tiers = {p: len(v["per_1k"]) for p, v in card["platforms"].items()}
    assert len(rows) == sum(n_formats[p] * n_tiers[p] for p in n_formats)
    reel = next(r for r in rows if (r["platform"], r["tier"], r["format"]) == ("instagram",
                "nano", "reel"))  # fmt: skip
    mult = card["platforms"]["instagram"]["formats"]["reel"]
    assert float(reel["mid_per_1k"]) == pytest.approx(
        card["platforms"]["instagram"]["per_1k"]["nano"][1] * mult
    )
    assert reel["source"] == "card" and float(reel["tier_min_fee"]) == card["min_fee"]["nano"]


def test_a_workspace_rate_shows_in_the_card(tmp_path: Path) -> None:
    db = tmp_path / "f.duckdb"
    out = _run(db, "fees", "--set", "tiktok/micro/story=1,2,3")
    _fits(out)
    assert re.search(r"^ *tiktok +micro +story +1\.00 +2\.00 +3\.00 .* yes *$", out, re.M), out
    rows = _rows(_run(db, "fees", "--card", "--csv"))
    own = [r for r in rows if r["source"] == "override"]
    assert [(r["platform"], r["tier"], r["format"], r["mid_per_1k"]) for r in own] == [
        ("tiktok", "micro", "story", "2.0")
    ]


def test_discover_says_what_it_read_from_the_brief_in_words(small_world: Path) -> None:
    """The note read "country 'uk' -> GB; tiers ['nano', 'micro']"."""
    out = _run(
        small_world, "discover", "fashion from nano and micro creators in the UK", "--limit", "3"
    )
    assert "the brief reads as: in GB · nano, micro creators" in out, out
    assert not REPR.search(out), out


def test_plan_names_its_method_and_status_in_words(store: Store) -> None:
    """The title read "plan (milp, too_few_fit)", the forecast "milp, gap to bound"."""
    from closeknit.cli.common import console
    from closeknit.cli.plan import print_plan
    from closeknit.service import plans as psvc
    from tests.plan.synth import seed_creators

    seed_creators(store, 40)
    req = psvc.PlanIn(text="running and fitness", budget=20000, on_brief_share=0.0)
    plan = psvc.plan(store, "default", req)
    with console.capture() as got:
        print_plan(plan.model_copy(update={"status": "too_few_fit", "method": "milp"}))
    out = got.get()
    lines = out.splitlines()
    # what the brief was read as comes first, then the table's title
    assert lines[0].startswith("the brief reads as: "), out
    assert "(exact optimisation, too few creators fit)" in lines[1], out
    assert "milp" not in out and "too_few_fit" not in out and "gap to bound" not in out, out


def test_campaign_show_and_report_use_words(small_world: Path) -> None:
    """`campaign show` printed stage "content_live" and "budget" with nothing after it;
    `report` headed its columns "roas", "margin_roas", "cpa"."""
    cid = _one(
        small_world,
        "SELECT min(c.campaign_id) AS x FROM campaigns c JOIN campaign_creators m USING "
        "(workspace_id, campaign_id) WHERE c.budget IS NULL AND m.stage = 'content_live'",
    )
    out = _run(small_world, "campaign", "show", cid)
    assert "content live" in out and "content_live" not in out, out
    assert re.search(rf"\({re.escape(cid)}\) *$", out, re.M), out  # its settings, one a line
    assert re.search(r"^ *budget +not set *$", out, re.M), out
    out = _run(small_world, "report", cid)
    assert "margin_roas" not in out and not re.search(r"\b(roas|cpa)\b", out), out
    assert re.search(r"^ *creator +tier +spend +revenue +orders +ROAS", out, re.M), out
    assert "total: spend " in out and "; ROAS " in out


def test_trends_show_growth_by_the_ratio_rule(small_world: Path) -> None:
    """The table had "8.6x" where the web has "8.63×"; --csv keeps the number unrounded."""
    args = ("trends", "--since", "2026-06-01", "--min-creators", "1")
    res = json.loads(_run(small_world, *args, "--json"))
    assert res["trends"], res
    out = _run(small_world, *args)
    t = res["trends"][0]
    from closeknit import figures

    said = figures.growth(t["lift"], t["posts_before"])
    assert re.search(rf"#{re.escape(t['hashtag'])} +{re.escape(said)} ", out), out
    assert not re.search(r"\d\.\dx\b", out), out
    # a tag with no post before is new, not a smoothed "85.50×"
    for x in res["trends"]:
        if x["posts_before"] == 0:
            assert re.search(rf"#{re.escape(x['hashtag'])} +new \(0 before\)", out), out
    # ranked by z, which the table shows (it hid it, so 5.95x sat above 130.84x unexplained),
    # and the early riders outlast the counts at 80 columns
    assert "surest rise (z) first" in " ".join(out.split()), out
    head = next(line for line in out.splitlines() if line.startswith("hashtag"))
    assert " z " in head and "first riders" in head, out
    rows = _rows(_run(small_world, *args, "--csv"))
    assert float(rows[0]["growth"]) == pytest.approx(t["lift"])


def test_users_add_leaves_out_a_password_it_did_not_make(tmp_path: Path) -> None:
    db = tmp_path / "u.duckdb"
    r = runner.invoke(
        app,
        ["users", "add", "a@example.com", "--db", str(db)],
        env={"CLOSEKNIT_USER_PASSWORD": "a-Long-pass-123!xyz"},
    )
    assert r.exit_code == 0, r.output
    assert "password" not in r.stdout and "a@example.com" in r.stdout, r.stdout
    r = runner.invoke(app, ["users", "add", "b@example.com", "--db", str(db), "--json"])
    made = json.loads(r.stdout)["one_time_password"]
    r = runner.invoke(app, ["users", "add", "c@example.com", "--db", str(db)])
    assert r.exit_code == 0 and "one-time password (shown once)" in r.stdout, r.output
    assert made


def test_discover_says_what_each_authenticity_score_lacks_under_its_table() -> None:
    """The table's authenticity column read "100.0" for creators whose fake followers nobody
    measured, said only in the first five rows' why lines: a line per caveat names them all."""
    from types import SimpleNamespace

    from closeknit.cli.discover import caveat_lines
    from closeknit.service.flags import UNCHECKED_WORDS, UNSAMPLED_WORDS

    pod = "possibly inflated by an engagement pod"
    rows = [
        SimpleNamespace(handle=f"c{i}", authenticity_caveat=cav, engagement_inflated=pod)
        for i, cav in enumerate([None, UNSAMPLED_WORDS] + [UNCHECKED_WORDS] * 7)
    ]
    assert caveat_lines(rows) == [  # type: ignore[arg-type]
        f"the authenticity of @c1: {UNSAMPLED_WORDS}",
        f"the authenticity of @c2, @c3, @c4, @c5, @c6 and 2 more: {UNCHECKED_WORDS}",
        # the rows past the five whose why lines say their engagement
        *(f"@c{i}: engagement {pod}" for i in range(5, 9)),
    ]
    assert not any("engagement" in x for x in caveat_lines(rows[:5]))  # type: ignore[arg-type]
    assert caveat_lines(rows[:1]) == []  # type: ignore[arg-type]


def test_a_rider_whose_followers_look_fake_is_said(small_world: Path, tmp_path: Path) -> None:
    """A rising tag's first rider was 49% fake (truth and vetting agreed) and was listed as
    plainly as the others: the rider carries what discover's why line says, on the CLI too."""
    import shutil

    from closeknit.store import open_store

    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    args = ("trends", "--since", "2026-06-01", "--min-creators", "1")
    res = json.loads(_run(db, *args, "--json"))
    first = res["trends"][0]["early_riders"][0]
    st = open_store(db)
    st.execute(
        "UPDATE creator_features SET audience_fake_share = CASE WHEN creator_id = ? THEN 0.45 "
        "ELSE 0.05 END",
        [first["creator_id"]],
    )
    st.close()
    res = json.loads(_run(db, *args, "--json"))
    said = {r["creator_id"]: r["audience_caveat"] for t in res["trends"] for r in t["early_riders"]}
    assert said[first["creator_id"]] == "45.0% of sampled followers look fake"
    assert {v for k, v in said.items() if k != first["creator_id"]} <= {None}
    assert f"@{first['handle']}: 45.0% of sampled followers look fake" in _run(db, *args)
    # and on the web's trends page, beside the rider
    from fastapi.testclient import TestClient

    from closeknit.server import create_app
    from closeknit.service import accounts

    st = open_store(db)
    # every rider flagged: the page's own window and defaults list their own tags
    st.execute("UPDATE creator_features SET audience_fake_share = 0.45")
    try:
        accounts.create_user(st, "o@t.test", "a long enough password", workspace="default",
                             role="owner")  # fmt: skip
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": "o@t.test", "password": "a long enough password"})
        page = c.get("/trends").text
        caveat = 'data-audience-caveat="1">45.0% of sampled followers look fake</span>'
        assert page.count(caveat) >= 1, page[-2000:]
    finally:
        st.close()
