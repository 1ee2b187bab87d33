"""`--csv` on the table commands, and figures shown by one rule per kind (closeknit.figures), the
same as on the web."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit import figures
from closeknit.cli import app
from closeknit.store import open_store

runner = CliRunner()
BRIEF = "sustainable fashion for women 18-30 in the UK"
PLAN = ["plan", BRIEF, "--budget", "3000", "--min-relevance", "0", "--on-brief-share", "0"]


def _first_handles(db: Path, n: int) -> list[str]:
    from closeknit.store import open_store

    st = open_store(db, read_only=True)
    try:
        q = f"SELECT handle FROM creators ORDER BY followers DESC LIMIT {n}"
        return [f"@{r['handle']}" for r in st.query(q)]
    finally:
        st.close()


def _cli(db: Path | None, *args: str) -> str:
    where = ["--db", str(db)] if db is not None else []
    r = runner.invoke(app, [*args, *where], env={"CLOSEKNIT_EMBED_MODEL": "hash"})
    assert r.exit_code == 0, r.output[-3000:]
    return r.stdout


def _number(v: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", v) is not None


def _csv(db: Path | None, *args: str) -> list[dict[str, str]]:
    out = _cli(db, *args, "--csv")
    reader = csv.DictReader(io.StringIO(out))
    rows = list(reader)
    assert reader.fieldnames, out[:500]
    return rows


@pytest.mark.parametrize(
    "args",
    [
        ("plans", "list"),
        ("lists", "all"),
        ("campaign", "list"),
        ("workspaces", "list"),
        ("fetch", "state"),
    ],
)
def test_table_commands_print_csv(small_world: Path, args: tuple[str, ...]) -> None:
    r = runner.invoke(app, [*args, "--csv", "--db", str(small_world)])
    assert r.exit_code == 0, r.output[-3000:]
    if r.stdout.strip():  # a header, then one row per item of --json
        rows = list(csv.DictReader(io.StringIO(r.stdout)))
        as_json = json.loads(_cli(small_world, *args, "--json"))
        assert len(rows) == len(as_json)


def test_plan_fees_niches_and_models_print_every_column_as_csv(small_world: Path) -> None:
    picks = json.loads(_cli(small_world, *PLAN, "--json"))["picks"]
    rows = _csv(small_world, *PLAN)
    assert [r["creator_id"] for r in rows] == [p["creator_id"] for p in picks]
    assert {"handle", "fee_mid", "expected_revenue", "relevance"} <= set(rows[0])  # every column
    assert float(rows[0]["expected_revenue"]) == pytest.approx(picks[0]["expected_revenue"])
    # the fee range in cells of its own, not a JSON object a spreadsheet reads as text
    assert float(rows[0]["fee_mid"]) == pytest.approx(picks[0]["fee"]["mid"])
    assert not any(v.startswith(("{", "[")) for r in rows for v in r.values()), rows[0]

    h = _first_handles(small_world, 1)[0]
    fees = _csv(small_world, "fees", h)
    assert {"creator_id", "handle", "format", "low", "mid", "high"} <= set(fees[0])
    assert len(fees) == 3 and {r["handle"] for r in fees} == {h.removeprefix("@")}
    assert len(_csv(None, "niches", "list")) > 3
    assert {r["model"] for r in _csv(None, "models", "info")}


def test_money_and_scores_read_one_way_on_the_cli(small_world: Path) -> None:
    """`compare` showed a fee of 17.95 as 17.9 (float formatting) and `fees` mixed 29.49, 84
    and 33.6 in one column; an authenticity of 99.875 is 99.9 as on the web."""

    hs = _first_handles(small_world, 3)
    rows = json.loads(_cli(small_world, "compare", *hs, "--json"))
    out = _cli(small_world, "compare", *hs)
    for r in rows:
        if r["fee_mid"] is not None:
            assert figures.money(r["fee_mid"]) in out, (r["fee_mid"], out)
    fees = _cli(small_world, "fees", hs[0])
    cells = [ln.split() for ln in fees.splitlines() if re.search(r"\b(post|reel|story)\b", ln)]
    money = [c for ln in cells for c in ln if re.fullmatch(r"[\d,]+(\.\d+)?", c)]
    assert money and all(re.fullmatch(r"[\d,]+\.\d\d", c) for c in money), fees

    assert figures.money(17.95) == "17.95" and figures.score(99.875) == "99.9"
    assert figures.score(99.949) == "99.9" and figures.percent(0.0276) == "2.8%"
    assert figures.ratio_interval(7.13, 38.6) == "7.13–38.60×"


def test_fetch_state_says_when_nothing_is_saved(tmp_path: Path) -> None:
    """It printed a blank line (the --json version printed [])."""
    db = tmp_path / "e.duckdb"
    open_store(db, create=True).close()  # a new store has the default workspace
    out = _cli(db, "fetch", "state")
    assert "no saved resume marks in workspace 'default'" in out, repr(out)
    assert _cli(db, "fetch", "state", "youtube").startswith("no saved youtube resume marks")
    assert json.loads(_cli(db, "fetch", "state", "--json")) == []


def test_csv_key_columns_are_bare_and_joinable(small_world: Path) -> None:
    """The CSV-injection escape wrote every '@handle' as "'@handle" (fees' creator, the plan's
    overlap_with): a key column could not be joined to anything. Handles are written bare, so
    the escape never touches them; a free-text cell keeps its escape."""
    picks = json.loads(_cli(small_world, *PLAN, "--json"))["picks"]
    rows = _csv(small_world, *PLAN)
    cells = [v for r in rows for v in r.values()]
    assert not [c for c in cells if c.startswith(("'", "@"))], rows[0]
    handles = {p["creator_id"]: p["handle"] for p in picks}
    for r, p in zip(rows, picks, strict=True):
        want = [o.get("handle") or o["creator_id"] for o in p["overlap_with"]]
        got = [x.split(" (")[0] for x in r["overlap_with"].split("; ") if x]
        assert got == want, (got, want)
        assert r["handle"] == handles[r["creator_id"]]
    # the planner's sums cancel to floating-point noise (a diversity bonus of -2.4e-14)
    noise = [(k, v) for r in rows for k, v in r.items() if _number(v) and 0 < abs(float(v)) < 1e-12]
    assert not noise, noise
    h = _first_handles(small_world, 1)[0]
    assert not [c for r in _csv(small_world, "fees", h) for c in r.values() if c[:1] in "'@"]


def test_discover_csv_names_its_columns_as_the_json_does(small_world: Path) -> None:
    """The discover CSV said fee and authenticity where its JSON says fee_estimate and
    authenticity_score, and had no creator_id (a handle alone is ambiguous across platforms)."""
    res = json.loads(_cli(small_world, "discover", BRIEF, "--json"))["results"]
    rows = _csv(small_world, "discover", BRIEF)
    assert [r["creator_id"] for r in rows] == [m["creator_id"] for m in res]
    for r, m in zip(rows, res, strict=True):
        for col, v in r.items():
            key, _, sub = col.partition(".")
            assert key in m, col  # every column is a JSON field (a factor by its dotted path)
            want = m[key][sub] if sub else m[key]
            if isinstance(want, float):
                assert float(v) == pytest.approx(want), col
            elif want is None:
                assert v == "", col
            elif isinstance(want, bool):
                assert v == str(want).lower(), col
            else:
                assert v == str(want), col


def test_csv_numbers_carry_no_float_noise(capsys: pytest.CaptureFixture[str]) -> None:
    """The plan CSV's diversity_bonus read -2.4e-14 and 2.6e-14 where the planner's sums
    cancel; every other value is written unrounded, and free text keeps its formula escape."""
    from closeknit.cli.common import print_csv

    print_csv(
        [{"diversity_bonus": -2.4e-14, "fee": 660.7700000000001, "er": 5.5674e-07, "n": "=1+1"}]
    )
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    want = {"diversity_bonus": "0.0", "fee": "660.7700000000001", "er": "5.5674e-07"}
    assert row == {**want, "n": "'=1+1"}
