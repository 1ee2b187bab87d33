"""A brief as a caller gives it (text plus explicit filters) and the one place it is parsed.

Every interface builds a :class:`BriefIn`; :meth:`BriefIn.brief` reads the text with
:func:`closeknit.match.parse_brief` and lays the explicit filters over what the text says, so
"home workout, UK, 18-25" means country GB and age 18-25 wherever it is typed.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from closeknit import figures
from closeknit.connectors.languages import exact_code
from closeknit.errors import ValidationError
from closeknit.match import Brief, parse_brief
from closeknit.match.brief import (
    COUNTRY_WORDS,
    DOLLAR_CURRENCIES,
    LANGUAGE_NAMES,
    LANGUAGE_WORDS,
    PLATFORMS,
    TIERS,
    budget_symbol,
    high_low_age,
    written_in,
)
from closeknit.service.base import CreatorRef, Deleted, In, Out, Timestamp, any_case
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


def niche_id(value: str) -> str:
    """The taxonomy's id for a niche given by id or label, in any case ('home_workout', 'Home
    workout', 'home-workout'); an unknown one is refused, listing the niches (it left every
    creator out, without a word)."""
    from closeknit.match.taxonomy import NICHES

    key = re.sub(r"[\s_-]+", "_", value.strip().lower())
    for n in NICHES:
        if key in (n.id, re.sub(r"[\s_-]+", "_", n.label.lower())):
            return n.id
    raise ValueError(
        f"unknown niche {value.strip()!r}; the niches are " + ", ".join(n.label for n in NICHES)
    )


def language_code(value: str) -> str:
    """ISO 639-1 for 'en', 'EN', 'en-GB', 'English'; anything else is a ValidationError (the
    stored languages are two-letter codes, so 'English' or 'tlh' left every creator out)."""
    code = exact_code(value)
    if code is not None:
        return code
    raise ValidationError(
        f"unknown language {value!r}; use an ISO 639-1 code such as en, es, de, or a name "
        f"such as English",
        field="languages",
    )


# What the filters accept, as schema patterns (any letter case, spaces around), so that the
# REST schema refuses exactly what the brief would refuse.
Platform = Annotated[str, Field(pattern=any_case(PLATFORMS), description=" | ".join(PLATFORMS))]
Tier = Annotated[str, Field(pattern=any_case(TIERS), description=" | ".join(TIERS))]
Country = Annotated[
    str,
    Field(
        max_length=60,
        pattern=any_case(COUNTRY_WORDS, extra=("[A-Za-z]{2}",)),
        description="ISO 3166 alpha-2 code (GB) or a country name closeknit knows (UK, Germany)",
    ),
]
Language = Annotated[
    str,
    Field(
        max_length=40,
        pattern=any_case(LANGUAGE_WORDS, extra=("[A-Za-z]{2}(?:[-_][A-Za-z0-9]{2,8})?",)),
        description="ISO 639-1 code (en, or en-GB) or a language closeknit knows (English)",
    ),
]
_AGE = re.compile(r"^\s*(\d{1,2})\s*(?:-|–|—| to )\s*(\d{1,2})\s*$|^\s*(\d{1,2})\s*\+\s*$")


def _age_pattern() -> str:
    """What audience_age accepts, as one pattern: blank, 'NN+', or a range of one- or two-digit
    ages written low-high. JSON Schema cannot compare two numbers, but a pattern can list the
    pairs in order: for a first age of tens digit d, a second age of a higher tens digit, or of
    the same tens digit and a units digit no lower."""
    sep = r"\s*(?:-|–|—| to )\s*"
    pairs = [rf"0?\d{sep}[1-9]\d"] + [rf"0?{u}{sep}0?[{u}-9]" for u in range(10)]
    for d in range(1, 10):
        pairs += [rf"{d}\d{sep}[{d + 1}-9]\d"] if d < 9 else []
        pairs += [rf"{d}{u}{sep}{d}[{u}-9]" for u in range(10)]
    return rf"^\s*(?:{'|'.join(pairs)}|\d{{1,2}}\s*\+)?\s*$"


AGE_PATTERN = _age_pattern()
TextFilter = Literal[
    "countries", "languages", "audience_age", "audience_gender", "platforms", "tiers", "budget"
]


def _score_not_fraction(schema: dict[str, Any]) -> None:
    # what the validator below accepts, so that the schema tells the whole truth
    schema["anyOf"] = [
        {"type": "number", "minimum": 1, "maximum": 100},
        {"type": "number", "minimum": 0, "maximum": 0},
        {"type": "null"},
    ]


def _share_schema(schema: dict[str, Any]) -> None:
    # the bound the validator below keeps (with a hint) instead of the library's bare "<= 1"
    schema["anyOf"] = [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]


# what a filter may say for F and M besides the letters (a brief's text reads more: "ladies")
_GENDER_NAMES = {"women": "F", "woman": "F", "female": "F", "men": "M", "man": "M", "male": "M"}


class BriefIn(In):
    """Free text plus optional filters; an explicit filter wins over what the text says."""

    text: str = Field(default="", max_length=5000)
    platforms: list[Platform] | None = Field(default=None, max_length=10)
    tiers: list[Tier] | None = Field(default=None, max_length=10)
    countries: list[Country] | None = Field(default=None, max_length=300)
    languages: list[Language] | None = Field(default=None, max_length=100)
    audience_age: str | None = Field(
        default=None,
        max_length=20,
        pattern=AGE_PATTERN,
        description="an age range, low-high: '18-24', '18 to 25' or '65+' (blank: any; "
        "'25-18' is refused, not read as 18-25)",
    )
    audience_gender: str | None = Field(
        default=None,
        max_length=8,
        pattern=any_case(["F", "M", *_GENDER_NAMES], blank=True),
        description="F | M (or women | men)",
    )
    min_authenticity: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="lowest authenticity score kept, on its 0-100 scale (60 keeps 60 and above); "
        "0, or 1 to 100 (a fraction such as 0.9 is refused: it would keep everyone)",
        json_schema_extra=_score_not_fraction,
    )
    max_sponsored_rate: float | None = Field(
        default=None,
        ge=0,
        description="largest share of recent posts that are sponsored, 0-1 (0.3 = 30%)",
        json_schema_extra=_share_schema,
    )
    competitors: list[Annotated[str, Field(max_length=200)]] | None = Field(
        default=None, max_length=200
    )
    exclude: list[CreatorRef] | None = Field(default=None, max_length=2000)
    budget: float | None = Field(default=None, ge=0, le=1e9)
    ignore: list[TextFilter] | None = Field(
        default=None, description="what the text says to leave out, e.g. ['countries']"
    )

    @field_validator("audience_age", mode="before")
    @classmethod
    def _age_order(cls, v: Any) -> Any:
        # before the pattern (which refuses it too, in general words): a range given high-low
        # is refused saying so, never swapped (a typo would run another search)
        why = high_low_age(v) if isinstance(v, str) else None
        if why:
            raise ValueError(why)
        return v

    @field_validator("audience_age")
    @classmethod
    def _age(cls, v: str | None) -> str | None:
        # blank is no filter; one written form ("18 to 25" -> "18-25", "65 +" -> "65+")
        m = _AGE.match(v or "")
        if not v or not v.strip() or m is None:
            return None if not v or not v.strip() else v
        if m.group(3) is not None:
            return f"{int(m.group(3))}+"
        return f"{int(m.group(1))}-{int(m.group(2))}"

    @field_validator("platforms", "tiers", "languages", "competitors", "exclude")
    @classmethod
    def _strip(cls, v: list[str] | None) -> list[str] | None:
        items = [x.strip() for x in v or [] if x and x.strip()]
        return items or None

    @field_validator("platforms", "tiers", "languages")
    @classmethod
    def _lower(cls, v: list[str] | None) -> list[str] | None:
        return [x.lower() for x in v] if v else None

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: list[str] | None) -> list[str] | None:
        items = [language_code(x) for x in v or [] if x and x.strip()]
        return list(dict.fromkeys(items)) or None

    @field_validator("countries")
    @classmethod
    def _countries(cls, v: list[str] | None) -> list[str] | None:
        items = [country_code(x) for x in v or [] if x and x.strip()]
        return list(dict.fromkeys(items)) or None

    @field_validator("max_sponsored_rate")
    @classmethod
    def _sponsored_share(cls, v: float | None) -> float | None:
        # the CLI's other rates (--min-er, --min-audience-share) are percentages: say which
        # scale this one is on instead of a bare "less than or equal to 1"
        if v is not None and v > 1:
            hint = f": did you mean {v / 100:g}?" if v <= 100 else ""
            raise ValueError(f"the sponsored share is a fraction from 0 to 1 (0.3 = 30%){hint}")
        return v

    @field_validator("min_authenticity")
    @classmethod
    def _authenticity_scale(cls, v: float | None) -> float | None:
        # 0.9 on a 0-100 scale keeps everyone: a fraction typed for a score, not a filter
        if v is not None and 0 < v < 1:
            raise ValueError(
                f"authenticity is scored 0-100 (60 keeps creators scoring 60 and above): "
                f"did you mean {v * 100:g}?"
            )
        return v

    @field_validator("audience_gender")
    @classmethod
    def _gender(cls, v: str | None) -> str | None:
        if not v or not v.strip():
            return None
        return _GENDER_NAMES.get(v.strip().lower(), v.strip().upper())

    def filters(self) -> dict[str, Any]:
        """The explicit filters (those the caller set)."""
        return self.model_dump(include=set(_FILTERS), exclude_none=True)

    def brief(self) -> Brief:
        """The parsed, validated domain brief (minus what ``ignore`` leaves out)."""
        b = parse_brief(self.text, **self.filters())
        if not self.ignore:
            return b
        drop = set(self.ignore)
        # "countr": "country GB" and "countries DE, AT, CH (from "dach")" alike
        words = {"countries": "countr", "languages": "language", "audience_age": "audience age",
                 "audience_gender": "audience gender", "platforms": "platforms", "tiers": "tiers",
                 "budget": "budget"}  # fmt: skip
        cleared: dict[str, Any] = {
            k: ([] if isinstance(getattr(b, k), list) else None) for k in drop
        }
        parsed = [p for p in b.parsed if not any(p.startswith(words[k]) for k in drop)]
        return b.model_copy(update={**cleared, "parsed": parsed})


class Filters(In):
    """Narrowing filters on top of a brief; rates and shares are fractions (0.02 = 2%)."""

    min_followers: int | None = Field(default=None, ge=0, le=10**10)
    max_followers: int | None = Field(default=None, ge=0, le=10**10)
    # rates and shares: fractions; the bound is kept by the validator below, with a hint
    min_engagement_rate: float | None = Field(
        default=None,
        ge=0,
        description="fraction, e.g. 0.02 for 2%",
        json_schema_extra=_share_schema,
    )
    max_engagement_rate: float | None = Field(
        default=None,
        ge=0,
        description="fraction, e.g. 0.08 for 8%",
        json_schema_extra=_share_schema,
    )
    niches: list[str] | None = Field(default=None, max_length=50)
    keywords: list[str] | None = Field(
        default=None, max_length=20, description="words or #hashtags in captions (any of them)"
    )
    min_fee: float | None = Field(default=None, ge=0, le=1e8, description="one post, mid estimate")
    max_fee: float | None = Field(default=None, ge=0, le=1e8)
    min_country_share: float | None = Field(
        default=None,
        ge=0,
        description="share of the audience in the brief's countries",
        json_schema_extra=_share_schema,
    )
    min_age_share: float | None = Field(
        default=None,
        ge=0,
        description="share of the audience in the brief's age range",
        json_schema_extra=_share_schema,
    )
    min_gender_share: float | None = Field(
        default=None,
        ge=0,
        description="share of the audience of the brief's gender",
        json_schema_extra=_share_schema,
    )

    min_audience_share: float | None = Field(
        default=None,
        ge=0,
        description="the share each audience part the brief names (country, age, gender) needs",
        json_schema_extra=_share_schema,
    )

    @field_validator(
        "min_engagement_rate", "max_engagement_rate", "min_country_share", "min_age_share",
        "min_gender_share", "min_audience_share",
    )  # fmt: skip
    @classmethod
    def _fraction(cls, v: float | None, info: ValidationInfo) -> float | None:
        # the CLI's --min-er and the web's fields are percent: a 2 meant for 2% was refused
        # with a bare "less than or equal to 1" (as the sponsored share already says)
        if v is not None and v > 1:
            what = "an engagement rate" if "engagement" in str(info.field_name) else "a share"
            hint = f": did you mean {v / 100:g}?" if v <= 100 else ""
            raise ValueError(f"{what} is a fraction from 0 to 1 (0.02 = 2%){hint}")
        return v

    @field_validator("niches", "keywords")
    @classmethod
    def _clean(cls, v: list[str] | None, info: ValidationInfo) -> list[str] | None:
        items = [x.strip() for x in v or [] if x and x.strip()]
        if info.field_name == "niches":
            items = [niche_id(x) for x in items]
        return list(dict.fromkeys(items)) or None

    def narrowing(self) -> dict[str, Any]:
        """The narrowing filters that are set."""
        return self.model_dump(include=set(Filters.model_fields), exclude_none=True)

    def check_ranges(self) -> None:
        """A range whose smallest value is above its largest is an error, not an empty result."""
        # each bound as the filter is read (followers counted, a rate in percent, a fee in
        # money): it said "the smallest followers is above the largest", with neither number
        shown: dict[str, Callable[[Any], str]] = {
            "followers": lambda v: f"{round(v):,}",
            "engagement_rate": figures.percent,
            "fee": figures.money,
        }
        for name, fmt in shown.items():
            lo, hi = getattr(self, f"min_{name}"), getattr(self, f"max_{name}")
            if lo is not None and hi is not None and lo > hi:
                raise ValidationError(
                    f"the smallest {name.replace('_', ' ')} allowed ({fmt(lo)}) is above the "
                    f"largest ({fmt(hi)})",
                    field=f"min_{name}",
                )


class SavedBriefIn(BriefIn, Filters):
    """A brief with its narrowing filters: what a saved brief holds and runs as."""

    def saved_filters(self) -> dict[str, Any]:
        """Every filter that is set, the brief's and the narrowing ones, and what the text says
        that is left out (as stored)."""
        return {
            **self.filters(),
            **self.narrowing(),
            **({"ignore": self.ignore} if self.ignore else {}),
        }


class NewBriefIn(SavedBriefIn):
    """A brief to save: it needs text."""

    text: str = Field(min_length=1, max_length=5000, pattern=r"\S")

    @field_validator("text", mode="before")
    @classmethod
    def _not_blank(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            raise ValueError("a brief needs text")
        return v


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
    avoid_niches: list[str] = Field(
        default_factory=list, description="niches the text leaves out ('not gaming')"
    )
    budget: float | None
    budget_currency: str | None = Field(
        default=None, description="the currency the text wrote the budget in, where it said one"
    )
    parsed: list[str]


def currency_note(brief: Brief, workspace_currency: str) -> str | None:
    """What to say when the brief's text wrote its budget in another currency than the
    workspace's: it is read as that many of the workspace's ("budget 5000 EUR" was 5,000 USD,
    silently)."""
    cur = brief.budget_currency
    ws = workspace_currency.upper()
    if brief.budget is not None and not cur and budget_symbol(brief.text) == "$":
        if ws in DOLLAR_CURRENCIES:
            return None
        # "$" names no one currency, but it is none of these workspaces' ("under $50" in a
        # GBP workspace was read as £50, silently)
        return (
            f"the brief's budget is written in dollars: it is read as {brief.budget:,.2f} {ws}, "
            "the workspace's currency (no exchange rate is kept); give it in that currency"
        )
    if not cur or brief.budget is None or cur == ws:
        return None
    return (
        f"the brief's budget is written in {cur}: it is read as {brief.budget:,.2f} "
        f"{workspace_currency.upper()}, the workspace's currency (no exchange rate is kept); "
        "give it in that currency"
    )


def language_note(brief: Brief) -> str | None:
    """What to say when the brief is written in another language than English: its content
    is matched by its own words and an embedding trained on English, so a word it shares with
    English can match another topic ("crema solar" matched solar panels)."""
    lang = written_in(brief.text)
    if lang is None:
        return None
    name = LANGUAGE_NAMES.get(lang, "another language than English")
    return (
        f"the brief is written in {name}: its topic is matched by its words and by a model "
        "trained on English text, so a word it shares with English can match another topic; "
        "a brief in English matches content best (its audience filters are read either way)"
    )


#: parsed lines a user must see beside the results, not only in the JSON's parsed list and the
#: web's chips: words read but not applied, not read, replaced by an explicit filter, or
#: misspelt and read as a name ('country GB (read "Untied Kingdom" as "united kingdom")')
_SAID = (" not applied", " not read", ", replaced by ", " (read ")


def reading_notes(brief: Brief) -> list[str]:
    """The brief's parsed lines that change what it asks for without a filter showing it
    ('countries: "excluding Germany" not applied ...', 'country DE (from "germany"), replaced
    by the given countries FR'), as notes: the CLI's text and the web showed none of them."""
    return [f"the brief: {p}" for p in brief.parsed if any(k in p for k in _SAID)]


def parse(req: BriefIn) -> BriefOut:
    """What a brief means, without running it (shown as editable filters in the web)."""
    return BriefOut.of(req.brief())


class SavedFilters(Out):
    """The filters a brief was saved with (None: not set; the text decides)."""

    platforms: list[str] | None = None
    tiers: list[str] | None = None
    countries: list[str] | None = None
    languages: list[str] | None = None
    audience_age: str | None = None
    audience_gender: str | None = None
    min_authenticity: float | None = None
    max_sponsored_rate: float | None = None
    competitors: list[str] | None = None
    exclude: list[str] | None = None
    budget: float | None = None
    # the narrowing filters (Filters), saved beside the brief's own since they change the answer
    min_followers: int | None = None
    max_followers: int | None = None
    min_engagement_rate: float | None = None
    max_engagement_rate: float | None = None
    niches: list[str] | None = None
    keywords: list[str] | None = None
    min_fee: float | None = None
    max_fee: float | None = None
    min_country_share: float | None = None
    min_age_share: float | None = None
    min_gender_share: float | None = None
    min_audience_share: float | None = None
    # what the text says that the brief leaves out (a country the user cleared)
    ignore: list[str] | None = None


class SavedBrief(Out):
    brief_id: str
    text: str
    filters: SavedFilters
    created_at: Timestamp | None


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
    rows = store.query(
        "SELECT brief_id, text, filters, created_at FROM briefs WHERE workspace_id = ? "
        "AND brief_id = ?",
        [workspace, brief_id],
    )
    if not rows:
        from closeknit.errors import not_found

        known = [str(r["brief_id"]) for r in store.query(
            "SELECT brief_id FROM briefs WHERE workspace_id = ?", [workspace]
        )]  # fmt: skip
        raise not_found("brief", brief_id, known, brief_id=brief_id)
    return _saved(rows[0])


def saved_brief_in(store: Store, workspace: str, brief_id: str) -> SavedBriefIn:
    """A saved brief as the request it was saved from (its narrowing filters included)."""
    b = get_brief(store, workspace, brief_id)
    return SavedBriefIn(text=b.text, **b.filters.model_dump(exclude_none=True))


def create_brief(store: Store, workspace: str, req: NewBriefIn, *, actor: str) -> SavedBrief:
    """Save a brief (validated first: a brief that cannot run is not saved)."""
    if not req.text.strip():
        raise ValidationError("a brief needs text", field="text")
    req.brief()
    req.check_ranges()
    bid = "b_" + uuid.uuid4().hex[:12]
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO briefs (workspace_id, brief_id, text, filters) VALUES (?, ?, ?, ?)",
            [workspace, bid, req.text, json.dumps(req.saved_filters())],
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
