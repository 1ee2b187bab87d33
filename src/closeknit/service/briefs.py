"""A brief as a caller gives it (text plus explicit filters) and the one place it is parsed.

Every interface builds a :class:`BriefIn`; :meth:`BriefIn.brief` reads the text with
:func:`closeknit.match.parse_brief` and lays the explicit filters over what the text says, so
"home workout, UK, 18-25" means country GB and age 18-25 wherever it is typed.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from pydantic import Field, field_validator

from closeknit.errors import ValidationError
from closeknit.match import Brief, parse_brief
from closeknit.match.brief import COUNTRY_WORDS
from closeknit.service.base import Deleted, In, Out
from closeknit.store import Store, audit

_FILTERS = (
    "platforms",
    "tiers",
    "countries",
    "languages",
    "audience_age",
    "audience_gender",
    "min_authenticity",
    "max_sponsored_rate",
    "competitors",
    "exclude",
    "budget",
)


def country_code(value: str) -> str:
    """ISO-2 for 'GB', 'gb', 'UK', 'United Kingdom'...; an unknown name is a ValidationError."""
    v = value.strip()
    if v.lower() in COUNTRY_WORDS:
        return COUNTRY_WORDS[v.lower()]
    if len(v) == 2 and v.isalpha():
        return v.upper()
    raise ValidationError(
        f"unknown country {value!r}; use an ISO code such as GB, US, DE", field="countries"
    )


TextFilter = Literal[
    "countries", "languages", "audience_age", "audience_gender", "platforms", "tiers", "budget"
]


class BriefIn(In):
    """Free text plus optional filters; an explicit filter wins over what the text says."""

    text: str = Field(default="", max_length=5000)
    platforms: list[str] | None = Field(default=None, max_length=10)
    tiers: list[str] | None = Field(default=None, max_length=10)
    countries: list[str] | None = Field(default=None, max_length=300)
    languages: list[str] | None = Field(default=None, max_length=100)
    audience_age: str | None = Field(default=None, max_length=20)
    audience_gender: str | None = Field(default=None, max_length=8)
    min_authenticity: float | None = Field(default=None, ge=0, le=100)
    max_sponsored_rate: float | None = Field(default=None, ge=0, le=1)
    competitors: list[str] | None = Field(default=None, max_length=200)
    exclude: list[str] | None = Field(default=None, max_length=2000)
    budget: float | None = Field(default=None, ge=0, le=1e9)
    ignore: list[TextFilter] | None = Field(
        default=None, description="what the text says to leave out, e.g. ['countries']"
    )

    @field_validator("platforms", "tiers", "languages", "competitors", "exclude")
    @classmethod
    def _strip(cls, v: list[str] | None) -> list[str] | None:
        items = [x.strip() for x in v or [] if x and x.strip()]
        return items or None

    @field_validator("platforms", "tiers", "languages")
    @classmethod
    def _lower(cls, v: list[str] | None) -> list[str] | None:
        return [x.lower() for x in v] if v else None

    @field_validator("countries")
    @classmethod
    def _countries(cls, v: list[str] | None) -> list[str] | None:
        items = [country_code(x) for x in v or [] if x and x.strip()]
        return list(dict.fromkeys(items)) or None

    @field_validator("audience_gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        return v.strip().upper() or None if v else None

    def filters(self) -> dict[str, Any]:
        """The explicit filters (those the caller set)."""
        return self.model_dump(include=set(_FILTERS), exclude_none=True)

    def brief(self) -> Brief:
        """The parsed, validated domain brief (minus what ``ignore`` leaves out)."""
        b = parse_brief(self.text, **self.filters())
        if not self.ignore:
            return b
        drop = set(self.ignore)
        words = {"countries": "country", "languages": "language", "audience_age": "audience age",
                 "audience_gender": "audience gender", "platforms": "platforms", "tiers": "tiers",
                 "budget": "budget"}  # fmt: skip
        cleared: dict[str, Any] = {
            k: ([] if isinstance(getattr(b, k), list) else None) for k in drop
        }
        parsed = [p for p in b.parsed if not any(p.startswith(words[k]) for k in drop)]
        return b.model_copy(update={**cleared, "parsed": parsed})


class BriefOut(Out):
    """A brief as understood: the filters in force and what was read from the text."""

    text: str
    platforms: list[str]
    tiers: list[str]
    countries: list[str]
    languages: list[str]
    audience_age: str | None
    audience_gender: str | None
    min_authenticity: float | None
    max_sponsored_rate: float | None
    competitors: list[str]
    exclude: list[str]
    budget: float | None
    parsed: list[str]


def parse(req: BriefIn) -> BriefOut:
    """What a brief means, without running it (shown as editable filters in the web)."""
    return BriefOut.of(req.brief())


class SavedBrief(Out):
    brief_id: str
    text: str
    filters: dict[str, Any]
    created_at: str | None


def _saved(row: dict[str, Any]) -> SavedBrief:
    f = row.get("filters") or "{}"
    return SavedBrief.of(
        {
            "brief_id": row["brief_id"],
            "text": row["text"],
            "filters": json.loads(f) if isinstance(f, str) else dict(f),
            "created_at": row.get("created_at"),
        }
    )


def list_briefs(store: Store, workspace: str) -> list[SavedBrief]:
    rows = store.query(
        "SELECT brief_id, text, filters, created_at FROM briefs WHERE workspace_id = ? "
        "ORDER BY created_at DESC, brief_id",
        [workspace],
    )
    return [_saved(r) for r in rows]


def get_brief(store: Store, workspace: str, brief_id: str) -> SavedBrief:
    from closeknit.errors import NotFound

    rows = store.query(
        "SELECT brief_id, text, filters, created_at FROM briefs WHERE workspace_id = ? "
        "AND brief_id = ?",
        [workspace, brief_id],
    )
    if not rows:
        raise NotFound(f"no brief {brief_id}", brief_id=brief_id)
    return _saved(rows[0])


def saved_brief_in(store: Store, workspace: str, brief_id: str) -> BriefIn:
    """A saved brief as the request it was saved from."""
    b = get_brief(store, workspace, brief_id)
    return BriefIn(text=b.text, **b.filters)


def create_brief(store: Store, workspace: str, req: BriefIn, *, actor: str) -> SavedBrief:
    """Save a brief (validated first: a brief that cannot run is not saved)."""
    if not req.text.strip():
        raise ValidationError("a brief needs text", field="text")
    req.brief()
    bid = "b_" + uuid.uuid4().hex[:12]
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO briefs (workspace_id, brief_id, text, filters) VALUES (?, ?, ?, ?)",
            [workspace, bid, req.text, json.dumps(req.filters())],
        )
        audit(tx, workspace, actor, "brief_create", "brief", bid)
    return get_brief(store, workspace, bid)


def delete_brief(store: Store, workspace: str, brief_id: str, *, actor: str) -> Deleted:
    get_brief(store, workspace, brief_id)
    with store.transaction() as tx:
        tx.execute(
            "DELETE FROM briefs WHERE workspace_id = ? AND brief_id = ?", [workspace, brief_id]
        )
        audit(tx, workspace, actor, "brief_delete", "brief", brief_id)
    return Deleted(id=brief_id)
