"""The CLI reads well at 80 columns: every line fits, numbers are rounded (never scientific
notation), headers are not cut, third-party banners stay out, and a refusal is one clear line
with a non-zero exit. Run as real processes so that what C libraries print is caught too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from closeknit.cli.common import cell

# a number written in scientific notation ("1.5e-05"), not the same letters inside a token
# (a random key such as "ck_…iQ2E-2-TAqg…" made this test fail by chance)
SCI = re.compile(r"(?<![\w-])[-+]?\d+\.?\d*e[+-]\d+(?![\w-])", re.I)


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="80", CLOSEKNIT_EMBED_MODEL="hash", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-c", "from closeknit.cli import main; main()", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def readable(out: str) -> None:
    for line in out.splitlines():
        assert len(line) <= 80, f"wider than 80 columns: {line!r}"
        assert not SCI.search(line), f"scientific notation: {line!r}"
    assert "HiGHS" not in out and "THIRD_PARTY" not in out
    assert "{'" not in out and '{"' not in out


@pytest.mark.parametrize(
    "args",
    [
        ("discover", "sustainable fashion for women 18-30 in the UK", "--limit", "8"),
        # no creator of the 100-creator world reaches the learned relevance floor for this brief
        (
            "plan",
            "sustainable fashion for women 18-30 in the UK",
            "--budget",
            "3000",
            "--min-relevance",
            "0",
            "--on-brief-share",
            "0",
        ),  # fmt: skip
        ("trends", "--since", "2026-06-01"),
        ("campaign", "list"),
        ("vet", "@__first__"),
        ("fees", "@__first__"),
        ("currency",),
    ],
)
def test_commands_fit_80_columns(small_world: Path, args: tuple[str, ...]) -> None:
    if "@__first__" in args:
        from closeknit.store import open_store

        st = open_store(small_world, read_only=True)
        h = st.query("SELECT handle FROM creators ORDER BY followers DESC LIMIT 1")[0]["handle"]
        st.close()
        args = tuple(a.replace("__first__", h) for a in args)
    r = run(small_world, *args)
    assert r.returncode == 0, r.stderr[-2000:]
    readable(r.stdout + r.stderr)
    lines = r.stdout.splitlines()
    headers = [lines[i - 1] for i, ln in enumerate(lines) if i and set(ln.strip()) == {"─"}]
    assert all("…" not in h for h in headers), headers


def test_a_budget_nothing_fits_is_one_clear_error(small_world: Path) -> None:
    r = run(small_world, "plan", "sustainable fashion", "--budget", "1", "--min-relevance", "0",
            "--on-brief-share", "0")  # fmt: skip
    assert r.returncode != 0
    assert r.stdout.strip() == ""
    msg = r.stderr.strip()
    assert "error" in msg and "budget" in msg and "cheapest" in msg, msg
    assert "HiGHS" not in msg and "Traceback" not in msg


def test_cells_round_and_never_use_scientific_notation() -> None:
    assert cell(1.61423e-05) == "0"
    assert cell(0.0123456) == "0.01"
    assert cell(0.004567) == "0.0046"
    assert cell(3.14159) == "3.14"
    assert cell(123.456) == "123"
    assert cell(1234567.8) == "1,234,568"
    assert cell(["a", "b"]) == "a, b"
    assert cell({"low": 1.0, "high": 2.5}) == "low 1, high 2.5"
    assert cell(None) == "" and cell(True) == "yes"


def test_a_column_of_fractions_keeps_one_number_of_decimals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from closeknit.cli.common import print_table

    print_table(
        [
            {"creator": "@a", "fit": 1.0, "fee": 34.1, "n": 3},
            {"creator": "@b", "fit": 0.97, "fee": 28.0, "n": 12},
            {"creator": "@c", "fit": None, "fee": 150.5, "n": 1},
        ]
    )
    out = capsys.readouterr().out
    assert "1.00" in out and "0.97" in out  # not '1' beside '0.97'
    # fee holds a value >= 100: its cells keep their own rounding ('28', not '28.0')
    assert "34.1" in out and "28.0" not in out


def test_a_table_as_wide_as_the_terminal_keeps_every_column() -> None:
    """Columns are dropped only when the table would not fit: the width was counted 4
    characters too wide, so an import's "quarantined" column went at 80 columns from a table 79
    wide."""
    from closeknit.cli.common import console, print_table

    rows = [{f"col{i}": "x" * 7 for i in range(8)}]  # 8 × 7 + 7 × 3 = 77 characters
    for width, left in ((77, False), (76, True)):
        old = console.width
        console.width = width
        try:
            with console.capture() as got:
                print_table(rows)
        finally:
            console.width = old
        text = got.get()
        assert ("not shown at this width" in text) is left, text
        assert max(len(x) for x in text.splitlines() if "not shown" not in x) <= width


def test_text_with_square_brackets_prints_as_typed(tmp_path: Path) -> None:
    """Printed text is data, never Rich markup: a campaign named "Summer [/sale] drop" made
    `campaign create`, and then every `campaign list` of the workspace, crash (MarkupError);
    "[b]" vanished and quoted patterns lost their brackets."""
    db = tmp_path / "b.duckdb"
    name = "Sale [/x] [b]y[/b]"  # short: a table cuts text past 28 characters
    made = run(db, "campaign", "create", name, "--budget", "100")
    assert made.returncode == 0, made.stderr[-2000:]
    listed = run(db, "campaign", "list")
    assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr[-2000:]
    assert name in listed.stdout
    cid = [ln.split()[0] for ln in listed.stdout.splitlines() if "Sale" in ln][0]
    shown = run(db, "campaign", "show", cid)
    assert shown.returncode == 0 and name in shown.stdout, shown.stderr[-2000:]
    lost = run(db, "vet", "@[/red]")
    assert lost.returncode != 0 and "@[/red]" in lost.stderr and "Traceback" not in lost.stderr


def test_a_secret_shown_once_is_shown_whole(tmp_path: Path) -> None:
    """`keys create` prints the key once; a record's values were cut at 28 characters, so the
    key (59) and the invitation link were lost unless --json was given."""
    db = tmp_path / "k.duckdb"
    made = run(db, "keys", "create")
    assert made.returncode == 0, made.stderr[-2000:]
    readable(made.stdout)
    assert re.search(r"\bck_[0-9a-f]{12}_[A-Za-z0-9_\-]{43}\b", made.stdout), made.stdout
    inv = run(db, "users", "invite", "someone@brand.test")
    assert inv.returncode == 0, inv.stderr[-2000:]
    readable(inv.stdout)
    assert re.search(r"/invite\?token=inv_[A-Za-z0-9_\-]{43}\b", inv.stdout), inv.stdout


def test_import_errors_show_the_reason_at_80_columns(tmp_path: Path) -> None:
    """The reason was the column left out at 80 columns, the one a user reads the list for."""
    f = tmp_path / "a-rather-long-file-name-for-snapshots.csv"
    f.write_text("platform,handle,date,followers\ninstagram,,2026-01-01,100\n"
                 "instagram,zed,notadate,abc\ninstagram,amy,2026-01-02,abc\n")  # fmt: skip
    db = tmp_path / "s.duckdb"
    run(db, "import", "snapshots", str(f))
    r = run(db, "import", "errors")
    assert r.returncode == 0, r.stderr[-2000:]
    readable(r.stdout)
    assert "reason" in r.stdout and "not shown at this width: reason" not in r.stdout
    assert "not a date" in " ".join(r.stdout.split())
    # each file heads its rows (its column went first at 80 columns), and a row that loaded
    # reads "kept" beside its warning, one that did not "refused"
    assert (
        f"file{f}" in "".join(r.stdout.split()) and "not shown at this width: file" not in r.stdout
    )
    flat = " ".join(r.stdout.split())
    assert re.search(r"\b2 refused handle\b", flat) and re.search(r"\b4 kept followers\b", flat)
    assert "snapshots" in flat  # the source as the command names it
    imp = run(db, "import", "snapshots", str(f))  # its own table names the source alike
    assert "snapshots" in imp.stdout


def test_compare_on_the_cli_as_on_the_api(small_world: Path) -> None:
    """Compare was on the API and the pages only; the CLI had no command for it."""
    from closeknit.service import creators as svc
    from closeknit.store import open_store

    st = open_store(small_world, read_only=True)
    try:
        hs = [r["handle"] for r in st.query("SELECT handle FROM creators ORDER BY handle LIMIT 3")]
        want = svc.compare(st, "default", svc.CompareIn(creators=[f"@{h}" for h in hs]))
    finally:
        st.close()
    r = run(small_world, "compare", *[f"@{h}" for h in hs])
    assert r.returncode == 0, r.stderr[-2000:]
    readable(r.stdout)
    assert all(f"@{h}" in r.stdout for h in hs)
    j = run(small_world, "compare", *[f"@{h}" for h in hs], "--json")
    import json

    assert json.loads(j.stdout) == [w.to_json() for w in want]


def test_vets_long_lines_wrap_under_themselves(small_world: Path, tmp_path: Path) -> None:
    """vet's notes and reasons wrapped at column 0, where the next line read as a new one."""
    import shutil

    from closeknit.store import open_store

    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    st = open_store(db)
    st.execute("UPDATE creator_features SET feature_set_version = '0.9.0'")  # a long note
    h = st.query("SELECT handle FROM creators ORDER BY followers DESC LIMIT 1")[0]["handle"]
    st.close()
    r = run(db, "vet", f"@{h}")
    assert r.returncode == 0, r.stderr[-2000:]
    readable(r.stdout)
    lines = r.stdout.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  note: the vetting data"))
    assert lines[at + 1].startswith(" " * 8) and lines[at + 1].strip(), lines[at : at + 3]


def test_vets_sections_never_restart_a_line_at_column_zero(small_world: Path) -> None:
    """A tester read "higher than 53.3% of 107 nano Photography ⏎creators on Instagram" and a
    bot comment's flags at column 0, the continuation read as a new line; "bot comments —
    (2 of 2)" above two bot examples; "replies: not judged (… : not judged)"; "112 → 1.3%"
    with no word for 112."""
    from closeknit.store import open_store

    st = open_store(small_world, read_only=True)
    try:
        hs = [r["handle"] for r in st.query(
            "SELECT c.handle FROM creators c JOIN creator_features f USING (workspace_id, "
            "creator_id) ORDER BY f.n_bot_comments DESC NULLS LAST, c.handle LIMIT 6"
        )]  # fmt: skip
    finally:
        st.close()
    sections = ("Engagement", "Two-way stream", "Authenticity", "Sponsorship")
    for h in hs:
        r = run(small_world, "vet", f"@{h}")
        assert r.returncode == 0, r.stderr[-2000:]
        readable(r.stdout)
        lines = r.stdout.splitlines()
        start = next(i for i, ln in enumerate(lines) if ln == "Engagement")
        for ln in lines[start:]:
            assert not ln or ln in sections or ln.startswith("  "), (h, ln)
        out = " ".join(r.stdout.split())
        assert "not judged (" not in out or ": not judged)" not in out, out
        assert "bot comments — (" not in out
        assert re.search(r"\d interactions? → ", out), out
