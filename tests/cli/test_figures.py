"""The CLI says a figure as the web does (closeknit.figures): shares and changes with one
decimal, counts with separators, niches by their names, and --csv as the service gives it."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from typer.testing import CliRunner

from closeknit import figures
from closeknit.cli import app
from closeknit.cli.common import change, niche_label, whole
from closeknit.service.fee_basis import FeeBasis
from closeknit.store import open_store

runner = CliRunner(env={"COLUMNS": "200", "CLOSEKNIT_EMBED_MODEL": "hash"})
BRIEF = "sustainable fashion for women 18-30 in the UK"


def _cli(db: Path, *args: str) -> str:
    r = runner.invoke(app, [*args, "--db", str(db)])
    assert r.exit_code == 0, r.output[-3000:]
    return r.stdout


def _handles(db: Path, n: int) -> list[str]:
    st = open_store(db, read_only=True)
    try:
        q = f"SELECT handle FROM creators ORDER BY followers DESC, handle LIMIT {n}"
        return [f"@{r['handle']}" for r in st.query(q)]
    finally:
        st.close()


def test_vet_says_shares_and_changes_with_one_decimal_and_peers_in_words(
    small_world: Path,
) -> None:
    """`vet` said "higher than 91% of 130 peers in platform×tier×niche: instagram / nano /
    home_workout" where its own table and the web said 90.8%, "trend +27%" beside the web's
    +27.1%, and "data for 40%" for 40.0%."""
    from closeknit.service.creators import peers_words

    checked = 0
    for h in _handles(small_world, 30):
        rep = json.loads(_cli(small_world, "vet", h, "--json"))
        e = rep["engagement"]
        if e["percentile"] is None or e["percentile"] >= 0.995 or e["trend"] is None:
            continue
        out = " ".join(_cli(small_world, "vet", h).split())
        peers = f"{e['cohort_size']:,} {peers_words(e['cohort'])}"
        assert f"higher than {figures.percent(e['percentile'])} of {peers}" in out, out
        assert f"trend {change(e['trend'])};" in out, out
        for sc in rep["scores"].values():
            assert f"(data for {figures.percent(sc['coverage'])} of it)" in out, out
        # every share and change it prints has its one decimal (not the "90% intervals")
        for m in re.finditer(r"([+-]?[\d,]+(?:\.\d+)?)%(?! interval)", out):
            assert re.fullmatch(r"[+-]?[\d,]+\.\d", m.group(1)), (m.group(0), out)
        # the peers in words, never the cohort's key and ids
        assert e["cohort"] not in out and "platform×" not in out, out
        checked += 1
        if checked == 3:
            break
    assert checked, "no vetted creator with a peer rank and a trend in the small world"


def test_the_figure_helpers_say_it_as_the_web() -> None:
    from closeknit.service.creators import peers_words

    assert change(0.2712) == "+27.1%" and change(-0.05) == "-5.0%" and change(0) == "+0.0%"
    assert change(None) == "" and whole(133328) == "133,328" and whole(None) == ""
    # a niche by its name (the web's label), the cohort in the web's words
    assert niche_label("home_workout") == "Home workout" and niche_label(None) == ""
    words = peers_words("platform×tier×niche: instagram / nano / home_workout")
    assert words == "nano Home workout creators on Instagram"
    assert peers_words("platform×tier: youtube / micro") == "YouTube micro creators"


def test_fees_name_the_niche_by_its_name() -> None:
    """`fees` said "niche home_workout x0.99 of the deals' average": the niche's name, in the
    sentence's case as discover's why says it ("home workout creator")."""
    from closeknit.cli.plan import fee_basis_line

    b = FeeBasis(n_deals=140, min_deals=30, followers_elasticity=0.94, engagement_elasticity=0.32,
                 real_share_elasticity=0.43, country="GB", country_multiplier=1.12,
                 niche="home_workout", niche_multiplier=0.99)  # fmt: skip
    line = fee_basis_line(b)
    assert "niche home workout x0.99" in line and "home_workout" not in line


def test_followers_have_separators_in_every_table(small_world: Path) -> None:
    """Followers printed as "133328" in the discover, compare and plan tables beside fees with
    separators; the web shows "133,328"."""
    hs = _handles(small_world, 3)
    rows = json.loads(_cli(small_world, "compare", *hs, "--json"))
    out = _cli(small_world, "compare", *hs)
    big = [r for r in rows if (r["followers"] or 0) >= 1000]
    assert big
    for r in big:
        assert f"{r['followers']:,}" in out, out
        assert not re.search(rf"\b{r['followers']}\b", out), out
    res = json.loads(_cli(small_world, "discover", BRIEF, "--sort", "followers", "--json"))
    out = _cli(small_world, "discover", BRIEF, "--sort", "followers")
    top = res["results"][0]["followers"]
    assert top >= 1000 and f"{top:,}" in out and not re.search(rf"\b{top}\b", out), out
    plan = ["plan", BRIEF, "--budget", "3000", "--min-relevance", "0", "--on-brief-share", "0"]
    got = json.loads(_cli(small_world, *plan, "--json"))
    out = _cli(small_world, *plan)
    for p in got["picks"]:
        if p["followers"] >= 1000:
            assert f"{p['followers']:,}" in out, out
            assert not re.search(rf"\b{p['followers']}\b", out), out


def test_discover_csv_writes_the_score_as_the_service_gives_it(small_world: Path) -> None:
    """`discover --csv` is documented as unrounded but wrote round(score, 3)."""
    res = json.loads(_cli(small_world, "discover", BRIEF, "--json"))
    rows = list(csv.DictReader(io.StringIO(_cli(small_world, "discover", BRIEF, "--csv"))))
    assert [float(r["score"]) for r in rows] == [m["score"] for m in res["results"]]
    assert any(round(m["score"], 3) != m["score"] for m in res["results"])


def test_a_percent_option_given_a_fraction_is_said(small_world: Path) -> None:
    """`--min-er 0.02` (the API's way of writing 2%) was read as 0.02% and filtered almost
    nothing, silently: it is still read as written, and stderr says how to write 2%."""
    r = runner.invoke(
        app, ["discover", BRIEF, "--min-er", "0.02", "--limit", "3", "--db", str(small_world)]
    )
    assert r.exit_code == 0, r.output[-2000:]
    assert "note: --min-er is a percentage: 0.02 is read as 0.02%; for 2% give 2" in r.stderr
    r = runner.invoke(
        app, ["discover", BRIEF, "--min-er", "2", "--limit", "3", "--db", str(small_world)]
    )
    assert r.exit_code == 0 and "is a percentage" not in r.stderr


def test_wrapped_lines_hang_under_their_first_line() -> None:
    """A why-line or note wrapped at 80 columns went on at column 0 and read as a new line."""
    from rich.cells import cell_len

    from closeknit.cli.common import wrapped

    text = (
        '@thecamillehair_gng: Strong topic match (haircare creator), e.g. "…braids 🔥 all '
        'about barber #hairstyle"; audience off brief: 6.5% men; engagement 2.4%'
    )
    lines = wrapped(text, 80)
    assert len(lines) == 2 and lines[1].startswith("  ") and not lines[1].startswith("   ")
    assert all(cell_len(x) <= 80 for x in lines)
    assert " ".join(x.strip() for x in lines) == text
    long = wrapped("see https://example.com/" + "x" * 120, 40)
    assert all(cell_len(x) <= 40 for x in long) and "".join(x.strip() for x in long[1:])
