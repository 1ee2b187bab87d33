"""The portable SQL half of the feature build: files under ``features/sql`` rendered and run.

Each ``sql/*.sql`` file is one SELECT producing one row per creator in ``feature_scope``, written
in the DuckDB dialect with only functions that sqlglot transpiles to Spark SQL, so a Spark build
can run the same files. ``sql/inputs/*.sql`` feed the Python graph/ML steps. Parameters are
``{name}`` placeholders replaced here by SQL literals (never by raw user text).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from closeknit.errors import CloseknitError

if TYPE_CHECKING:
    import pandas as pd

    from closeknit.store import Store

#: the per-creator aggregate files, in the order the build merges them
AGGREGATES: tuple[str, ...] = (
    "activity",
    "engagement",
    "sponsorship",
    "replies",
    "comment_counts",
    "growth",
    "audience",
)

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class FeatureSqlError(CloseknitError):
    """A feature SQL file is missing or has a placeholder nobody filled."""


@cache
def sql_text(name: str) -> str:
    """The raw text of ``sql/<name>.sql`` (``inputs/x`` for graph inputs)."""
    path = resources.files("closeknit.features") / "sql" / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise FeatureSqlError(f"no feature SQL file {name}.sql") from e


def literal(value: Any) -> str:
    """A value as a SQL literal (strings quoted, timestamps typed)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.replace(tzinfo=None).isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, Raw):
        return value.sql
    return "'" + str(value).replace("'", "''") + "'"


class Raw:
    """A SQL fragment inserted as is (only ever built by this package)."""

    def __init__(self, sql: str) -> None:
        self.sql = sql


def scope_sql(workspace: str) -> Raw:
    """The sub-select naming the creators a build computes (table ``feature_scope``)."""
    return Raw(f"(SELECT creator_id FROM feature_scope WHERE workspace_id = {literal(workspace)})")


def render(name: str, params: dict[str, Any]) -> str:
    """``sql/<name>.sql`` with every ``{placeholder}`` replaced by the literal of its value."""
    text = sql_text(name)
    missing: set[str] = set()

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in params:
            missing.add(key)
            return m.group(0)
        return literal(params[key])

    # placeholders only outside comments, so the file's own prose may name them
    lines = []
    for line in text.splitlines():
        code, sep, comment = line.partition("--")
        lines.append(_PLACEHOLDER.sub(sub, code) + sep + comment)
    if missing:
        raise FeatureSqlError(f"{name}.sql: no value for {', '.join(sorted(missing))}")
    return "\n".join(lines)


def run(store: Store, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """Render and run one SQL file; the result as a pandas DataFrame."""
    return store.df(render(name, params))
