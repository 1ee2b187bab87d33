"""Follower snapshots from CSV: ``platform,handle,date,followers,following``.

Headers are matched by synonyms (``username``/``account`` for handle, ``subscribers`` for
followers, ``day`` for date, ...); a ``creator_id`` column (``instagram:handle``) may replace
platform + handle. Counts may be abbreviated ("26.1K"); a count or date that cannot be read
sends the row to the quarantine naming the field. Runs set-based (see
:mod:`closeknit.connectors.bulk`) because a world has tens of millions of snapshot rows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from closeknit.connectors.bulk import (
    Check,
    JsonSpec,
    count_sql,
    count_value_sql,
    date_sql,
    load_file,
    missing_sql,
)
from closeknit.connectors.landing import ImportResult
from closeknit.store import Store

SYNONYMS = {
    "platform": ("platform", "network", "channel type", "site"),
    "handle": ("handle", "username", "user name", "account", "creator", "user", "name"),
    "creator_id": ("creator_id", "creator id"),
    "date": ("date", "day", "snapshot_date", "snapshot date", "as of", "as_of", "week"),
    "followers": ("followers", "follower_count", "followers count", "subscribers", "fans"),
    "following": ("following", "followees", "following_count", "follows"),
}


def rename(header: str) -> str:
    for canon, names in SYNONYMS.items():
        if header in names:
            return canon
    return header


def _num_check(field: str) -> Check:
    # a count is optional: unreadable, it is left empty with a warning (the row loads)
    x = f"r.{field}"
    return Check(
        field,
        f"(NOT {missing_sql(x)} AND ({count_sql(x)} IS NULL OR {count_sql(x)} < 0))",
        f"{field} is not a count",
        value=x,
        keep_row=True,
    )


_CID = (
    "lower(coalesce(NULLIF(trim(r.creator_id), ''), "
    "coalesce(NULLIF(lower(trim(r.platform)), ''), 'instagram') || ':' || "
    "ltrim(trim(r.handle), '@')))"
)

SPEC = JsonSpec(
    source="snapshots",
    kind="snapshot",
    structure=(
        '{"platform":"VARCHAR","handle":"VARCHAR","creator_id":"VARCHAR","date":"VARCHAR",'
        '"followers":"VARCHAR","following":"VARCHAR"}'
    ),
    checks=(
        Check(
            "handle",
            f"{missing_sql('r.handle')} AND {missing_sql('r.creator_id')}",
            "no handle or creator_id",
        ),
        Check("date", f"{date_sql('r.date')} IS NULL", "date is missing or not a date", "r.date"),
        _num_check("followers"),
        _num_check("following"),
    ),
    tables=(
        (
            "follower_snapshots",
            f"""SELECT _seq, {_CID} AS creator_id, {date_sql("r.date")} AS date,
                {count_value_sql("r.followers")} AS followers,
                {count_value_sql("r.following")} AS following,
                'snapshots' AS source
              FROM _bk_ok""",
        ),
    ),
)


def import_snapshots(
    store: Store,
    workspace: str,
    path: Path,
    *,
    on_progress: Callable[[int], None] | None = None,
    encoding: str | None = None,
) -> ImportResult:
    return load_file(
        store,
        workspace,
        path,
        SPEC,
        csv_rename=rename,
        on_progress=on_progress,
        encoding=encoding,
    )
