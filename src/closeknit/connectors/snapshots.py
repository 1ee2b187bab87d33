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
    count_reason_sql,
    date_sql,
    missing_sql,
    whole_count_sql,
)
from closeknit.connectors.csvfast import load_csv
from closeknit.connectors.csvio import read_head, renamer
from closeknit.connectors.identity import creator_columns
from closeknit.connectors.landing import ImportResult
from closeknit.errors import ValidationError
from closeknit.store import Store

# compared by csvio.header_key ("Follower Count" = "follower_count" = "followerCount")
SYNONYMS = {
    "platform": ("platform", "network", "channel type", "site"),
    "handle": ("handle", "username", "user name", "account", "creator", "user", "name",
               "profile", "owner username"),
    "creator_id": ("creator id",),
    "date": ("date", "day", "snapshot date", "as of", "week", "month", "timestamp",
             "recorded at", "captured at", "date time"),
    "followers": ("followers", "follower count", "followers count", "subscribers",
                  "subscriber count", "subscribers count", "fans", "fans count",
                  "total followers", "audience size"),
    "following": ("following", "followees", "following count", "follows", "follows count",
                  "followee count"),
}  # fmt: skip
rename = renamer(SYNONYMS)


def _num_check(field: str) -> Check:
    # a count is optional: unreadable, it is left empty with a warning (the row loads)
    return Check(
        field,
        f"(NOT d.{field}_missing AND (d.{field} IS NULL OR d.{field} < 0))",
        f"{field} is not a count",
        value=f"r.{field}",
        keep_row=True,
        reason_sql=count_reason_sql(field, f"r.{field}"),  # '5.7': "not a whole number"
    )


def _value(field: str) -> str:
    """SQL: the count, NULL when blank or unreadable (negative included): count_value_sql."""
    return f"CASE WHEN NOT d.{field}_missing AND d.{field} >= 0 THEN d.{field} END"


# the creator, read as every importer reads it (connectors.identity)
_CREATOR = creator_columns()

SPEC = JsonSpec(
    source="snapshots",
    kind="snapshot",
    structure=(
        '{"platform":"VARCHAR","handle":"VARCHAR","creator_id":"VARCHAR","date":"VARCHAR",'
        '"followers":"VARCHAR","following":"VARCHAR"}'
    ),
    # each cell is read once per row (into the struct d), for the checks and the rows alike
    derive=(
        *_CREATOR.derive,
        ("date", date_sql("r.date", order="date")),
        *((f, whole_count_sql(f"r.{f}")) for f in ("followers", "following")),
        *((f"{f}_missing", missing_sql(f"r.{f}")) for f in ("followers", "following")),
    ),
    checks=(
        *_CREATOR.checks,
        Check("date", "d.date IS NULL", "date is missing or not a date", "r.date"),
        _num_check("followers"),
        _num_check("following"),
    ),
    # a US file's '03/04/2025' is March 4 when another row has '03/13/2025' (values.DateOrder)
    date_columns=(("date", "r.date"),),
    # two rows for one creator and day are one snapshot: merged, and said (it was silent)
    repeats=(
        "follower_snapshots",
        "creator_id || ' on ' || CAST(date AS VARCHAR)",
        "date",
        "creator and day",
    ),
    tables=(
        (
            "follower_snapshots",
            f"""SELECT _seq, {_CREATOR.creator_id} AS creator_id, d.date AS date,
                {_value("followers")} AS followers, {_value("following")} AS following,
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
    path = Path(path)
    if path.is_file() and path.suffix.lower() in (".csv", ".tsv", ".txt"):
        found = read_head(path, encoding=encoding).headers
        if "followers" not in {rename(h) for h in found}:
            # every row would load as a snapshot with no follower count
            raise ValidationError(
                f"{path}: no followers column (columns found: {', '.join(found)}); name one "
                f"{' / '.join(SYNONYMS['followers'][:4])}",
                path=str(path),
            )
    return load_csv(
        store, workspace, path, SPEC, rename=rename, on_progress=on_progress, encoding=encoding
    )
