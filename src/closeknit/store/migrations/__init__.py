"""Versioned migrations, run on open and safe to re-run.

Each domain owns one module here exposing ``MIGRATIONS: list[tuple[str, str]]`` of
``(id, sql)``. Ids are globally ordered strings with a per-domain prefix so that domains never
collide: core 0000-0099, connectors 0100-, features 0200-, match 0300-, track/plan 0400-,
lift 0500-, api/web 0600-. Applied ids are recorded in ``schema_migrations``; a file holding an
id this code does not know was written by a newer closeknit and is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from closeknit import __version__
from closeknit.errors import SchemaTooNewError
from closeknit.store.migrations import api, connectors, core, features, lift, match, track, web

if TYPE_CHECKING:
    from closeknit.store.db import Store

ALL: list[tuple[str, str]] = sorted(
    core.MIGRATIONS
    + connectors.MIGRATIONS
    + features.MIGRATIONS
    + match.MIGRATIONS
    + track.MIGRATIONS
    + lift.MIGRATIONS
    + api.MIGRATIONS
    + web.MIGRATIONS
)
SCHEMA_IDS: list[str] = [m[0] for m in ALL]
assert len(set(SCHEMA_IDS)) == len(SCHEMA_IDS), "duplicate migration id"


def migrate(store: Store) -> list[str]:
    """Apply missing migrations in order; return the ids applied now."""
    # derived=True: run on every open, it changes nothing once the table exists
    with store.transaction(derived=True) as tx:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " id VARCHAR PRIMARY KEY, applied_at TIMESTAMP DEFAULT current_timestamp,"
            " app_version VARCHAR)"
        )
    applied = {r["id"] for r in store.query("SELECT id FROM schema_migrations")}
    unknown = sorted(applied - set(SCHEMA_IDS))
    if unknown:
        raise SchemaTooNewError(
            f"{store.path} was written by a newer closeknit (unknown migrations: "
            f"{', '.join(unknown)}); upgrade closeknit {__version__} to open it",
            unknown=unknown,
        )
    done: list[str] = []
    for mid, sql in ALL:
        if mid in applied:
            continue
        with store.transaction() as tx:
            for stmt in _split(sql):
                tx.execute(stmt)
            tx.execute(
                "INSERT INTO schema_migrations (id, app_version) VALUES (?, ?)", [mid, __version__]
            )
        done.append(mid)
    return done


def _split(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";\n") if s.strip()]
