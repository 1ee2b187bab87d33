"""A follower export attached to one creator: ``closeknit import audience FILE --creator @anna``.

The file is read by the reader ``closeknit audience score`` uses
(:func:`closeknit.connectors.audience.read_profiles`: CSV, JSON lines, an Excel sheet, gzip /
bzip2 / xz; flag words, profile wrappers, one row per account), so one export gives the same
shares whether it is scored on its own or imported and vetted with its creator. Before, only
the ``{"creator", "relation", "profile"}`` JSON lines of the set-based import could be attached
to a creator, and a follower export in any other shape had to be converted first.

Rows land in ``audience_samples`` under the creator in one transaction
(:func:`closeknit.connectors.landing.load`): importing the same export again changes nothing,
rows whose handle or count cannot be read go to the quarantine (file, line, field), and a flag
left unknown because its cell could not be read is listed as a warning (the row is kept).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from closeknit.connectors.audience import NO_HANDLE, PROFILE_FIELDS, handle_column, read_profiles
from closeknit.connectors.landing import ImportResult, Record, Rejected, canonical_json, load
from closeknit.errors import ValidationError
from closeknit.store import Store
from closeknit.store.creators import resolve_creator_id

SOURCE = "audience"
RELATIONS = ("follower", "commenter")


def import_follower_export(
    store: Store,
    workspace: str,
    path: Path,
    *,
    creator: str,
    relation: str | None = None,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one follower (or commenter) export as ``creator``'s audience sample.

    ``creator`` names a creator of the workspace (``@anna``, ``instagram:anna``, a profile
    link); ``mapping`` is export column -> field, as ``audience score --map`` takes it."""
    rel = (relation or "follower").strip().lower()
    if rel not in RELATIONS:
        raise ValidationError(
            f"relation must be follower or commenter, not {relation!r}", field="relation"
        )
    creator_id = resolve_creator_id(store, workspace, creator)
    pf = read_profiles(Path(path), fmt=fmt, mapping=mapping)
    # refused as `audience score` refuses it (a creator's sample keeps one row per account,
    # known by its handle); rows without a handle are in pf.rejected already
    handle_col = handle_column(pf)
    now = _dt.datetime.now(_dt.UTC).replace(tzinfo=None)

    def items() -> Iterator[Record | Rejected]:
        for row, line in zip(pf.rows, pf.lines, strict=True):
            if not row.get("handle"):  # the reader set such rows aside: never a NULL handle
                yield Rejected(NO_HANDLE, pf.path, line, handle_col)
                continue
            # the profile columns only: the labelled datasets' derived columns (bio_length...)
            # are read by `audience score`; a creator's sample keeps profiles
            sample = {c: row.get(c) for c in PROFILE_FIELDS}
            # the hash ignores when it was imported: the same export again is a duplicate
            payload = canonical_json({"creator": creator_id, "relation": rel, "profile": sample})
            out: dict[str, Any] = {
                **sample,
                "creator_id": creator_id,
                "relation": rel,
                "sampled_at": now,
                "source": "follower_export",
            }
            yield Record(
                "audience_sample", payload, {"audience_samples": [out]}, file=pf.path, line=line
            )
        yield from pf.rejected

    return load(
        store,
        items(),
        source=SOURCE,
        workspace=workspace,
        path=pf.path,
        on_progress=on_progress,
        bulk=True,
        notes=pf.notes,
    )
