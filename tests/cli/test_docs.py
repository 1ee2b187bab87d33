"""Docs checked by tests: the CLI reference must match the commands."""

from __future__ import annotations

from closeknit.cli.docgen import render
from tests.conftest import REPO


def test_cli_reference_is_current() -> None:
    doc = (REPO / "docs" / "cli.md").read_text()
    assert doc == render(), "docs/cli.md is stale: run python -m closeknit.cli.docgen > docs/cli.md"


def test_every_command_has_json_flag() -> None:
    from typing import Any

    import typer.main

    from closeknit.cli import app

    exempt = {"serve"}  # a long-running server prints no result

    def walk(cmd: Any, path: list[str]) -> list[str]:
        if hasattr(cmd, "commands"):
            return [x for n, c in cmd.commands.items() for x in walk(c, [*path, n])]
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        return [] if "--json" in opts or path[-1] in exempt else [" ".join(path)]

    missing = walk(typer.main.get_command(app), [])
    assert not missing, f"commands without --json: {missing}"


# Commands with --json and no --csv, by why: their output is one object (the record a command
# made or changed, one report), a file or a text, not a table. A command that prints a table
# has --csv (the table with every column), like sqlite-utils.
NO_CSV = {
    # the one record made or changed
    "lists create": "the list made",
    "briefs save": "the brief saved",
    "briefs show": "one saved brief",
    "briefs delete": "the brief deleted",
    "lists add": "the list changed (lists show --csv has its rows)",
    "campaign create": "the campaign made",
    "campaign update": "the campaign changed",
    "campaign stage": "the one deal moved",
    "campaign deal": "the one deal changed",
    "campaign spend": "the one spend booked",
    "campaign import": "an import summary (counts)",
    "users add": "the user made",
    "users invite": "the invitation made",
    "keys create": "the key made (shown once)",
    "workspaces create": "the workspace made",
    "webhooks set-secret": "the setting changed",
    "webhooks clear-secret": "the setting changed",
    "erase": "what was erased (counts)",
    "niches assign": "a build summary (counts)",
    "index": "a build summary",
    "features build": "a build summary",
    "features export": "the files written",
    "features attach": "the views made",
    "models train": "the artifacts written",
    "world generate": "the files written",
    "lift-series": "an import summary (counts)",
    # one report: a record with its evidence, not rows
    "lift-design": "one design",
    "lift-holdout": "one comparison of two arms",
    "lift-validate": "one validation report",
    "audience score": "one follower export's estimate",
    "demo": "a summary of every step",
    "bench": "a benchmark report (markdown)",
    # a file or a text
    "export-creator": "a JSON file",
    "campaign outreach": "an e-mail's text",
}
NO_CSV_GROUPS = {
    "import": "an import summary (counts); `import errors` has --csv",
    "fetch": "a fetch summary; `fetch state` has --csv",
}


def test_every_table_command_has_csv() -> None:
    """`--json`/`--csv` on every command that prints a table: `fees`, `report`, `plan`, `plans`,
    `lists all`, `campaign list|show`, `niches list` and `models info` printed tables (some
    saying "--json or --csv has every column") and refused --csv."""
    from typing import Any

    import typer.main

    from closeknit.cli import app

    root = typer.main.get_command(app)
    root.load_all()  # type: ignore[attr-defined]

    def walk(cmd: Any, path: list[str]) -> list[tuple[str, set[str]]]:
        if hasattr(cmd, "commands"):
            return [x for n, c in cmd.commands.items() for x in walk(c, [*path, n])]
        return [(" ".join(path), {o for p in cmd.params for o in getattr(p, "opts", [])})]

    commands = dict(walk(root, []))
    missing = [
        name
        for name, opts in commands.items()
        if "--json" in opts
        and "--csv" not in opts
        and name not in NO_CSV
        and not (name.split()[0] in NO_CSV_GROUPS and name.split()[-1] not in ("errors", "state"))
    ]
    assert not missing, f"commands printing tables without --csv: {missing}"
    # the allow-list names commands that exist and still lack --csv
    stale = [n for n in NO_CSV if n not in commands or "--csv" in commands[n]]
    assert not stale, f"NO_CSV names commands that are gone or have --csv: {stale}"
    for name in ("fees", "report", "plan", "plans list", "plans show", "lists all",
                 "campaign list", "campaign show", "niches list", "models info", "fetch state",
                 "workspaces list"):  # fmt: skip
        assert "--csv" in commands[name], name


def test_every_commands_summary_is_one_line() -> None:
    """A command's summary in `closeknit --help` is its docstring's first paragraph: one that
    ran over two lines printed with a break in mid-sentence ("(--csv: its\\n creators")."""
    from typing import Any

    import typer.main

    from closeknit.cli import app

    root = typer.main.get_command(app)
    root.load_all()  # type: ignore[attr-defined]

    def walk(cmd: Any, path: list[str]) -> list[tuple[str, str]]:
        own = [(" ".join(path), (cmd.help or "").split("\n\n")[0])] if path else []
        if hasattr(cmd, "commands"):
            return own + [x for n, c in cmd.commands.items() for x in walk(c, [*path, n])]
        return own

    broken = [(n, h) for n, h in walk(root, []) if "\n" in h.strip()]
    assert not broken, broken


def test_help_screens_say_values_in_words() -> None:
    """Typer 0.29 printed the Python annotation as an option's value ("--platform
    <list[str]>", "--broad <bool>" beside a flag that takes none): every help screen says
    TEXT, NUMBER, INTEGER, PATH or the choices, and nothing beside a flag."""
    import re
    from typing import Any

    import typer.main
    from typer.testing import CliRunner

    from closeknit.cli import app

    root = typer.main.get_command(app)
    root.load_all()  # type: ignore[attr-defined]

    def paths(cmd: Any, path: list[str]) -> list[list[str]]:
        if hasattr(cmd, "commands"):
            return [path] + [x for n, c in cmd.commands.items() for x in paths(c, [*path, n])]
        return [path]

    runner = CliRunner()
    bad = {}
    for path in paths(root, []):
        out = runner.invoke(app, [*path, "--help"], terminal_width=200).output
        found = re.findall(r"<(?:list\[)?(?:str|int|float|bool|path)[^>]*>", out)
        if found:
            bad[" ".join(path)] = sorted(set(found))
        flags = re.findall(r"│\s+--(?:help|json)\s+(\S+)", out)
        if any(f not in ("Show", "machine-readable") for f in flags):
            bad[" ".join(path) + " (flag)"] = flags
    assert not bad, bad
    sample = runner.invoke(app, ["discover", "--help"], terminal_width=200).output
    assert re.search(r"--platform\s+TEXT", sample) and re.search(r"--limit\s+INTEGER", sample)
    assert re.search(r"--sort\s+score\|followers", sample) and "[BRIEF]" in sample
