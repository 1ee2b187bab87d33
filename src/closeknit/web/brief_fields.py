"""The brief and its narrowing filters as the Discover and Plan pages receive them: one model,
read from the query string (GET) or the form (POST), so the two pages cannot drift apart."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from closeknit.errors import CloseknitError
from closeknit.service import briefs as bsvc
from closeknit.web.forms import csv_list, opt_float, opt_int

Text = Annotated[str, Field(max_length=5000)]
Short = Annotated[str, Field(max_length=200)]
Many = Annotated[list[str], Field(max_length=20)]

FILTER_KEYS = (
    "min_followers", "max_followers", "min_er", "max_er", "niches", "keywords", "min_fee",
    "max_fee", "min_country_share", "min_age_share", "min_gender_share", "min_authenticity",
    "max_sponsored", "avoid",
)  # fmt: skip


class BriefFields(BaseModel):
    """What the user typed: the brief, the chips it was read as, and the filters (as typed:
    percent for rates and shares, the workspace currency for fees; blank means unset)."""

    # other fields of the same form (the CSRF token, the page's own controls) are not ours
    model_config = ConfigDict(extra="ignore")

    text: Text = ""
    parsed_for: Text | None = None
    countries: Short = ""
    languages: Short = ""
    audience_age: Short = ""
    audience_gender: Short = ""
    tiers: Many = []
    platforms: Many = []
    niches: Many = []
    min_followers: Short = ""
    max_followers: Short = ""
    min_er: Short = ""
    max_er: Short = ""
    keywords: Short = ""
    min_fee: Short = ""
    max_fee: Short = ""
    min_authenticity: Short = ""
    max_sponsored: Short = ""
    min_country_share: Short = ""
    min_age_share: Short = ""
    min_gender_share: Short = ""
    avoid: Short = ""
    # creators a saved brief leaves out (the page has no field for them: carried as they came)
    exclude: Annotated[list[str], Field(max_length=2000)] = []

    def filters_open(self) -> bool:
        """Whether any narrowing filter is set (the page opens the filter panel then)."""
        q = self.model_dump()
        return any(q.get(k) for k in FILTER_KEYS)

    def narrowing(self) -> dict[str, Any]:
        """The narrowing filters in the services' units (percent fields arrive as percent)."""
        return {
            "min_followers": opt_int(self.min_followers, "min_followers"),
            "max_followers": opt_int(self.max_followers, "max_followers"),
            "min_engagement_rate": opt_float(self.min_er, "min_engagement_rate", scale=0.01),
            "max_engagement_rate": opt_float(self.max_er, "max_engagement_rate", scale=0.01),
            "niches": csv_list(self.niches),
            "keywords": csv_list(self.keywords),
            "min_fee": opt_float(self.min_fee, "min_fee"),
            "max_fee": opt_float(self.max_fee, "max_fee"),
            "min_country_share": opt_float(self.min_country_share, "min_country_share", scale=0.01),
            "min_age_share": opt_float(self.min_age_share, "min_age_share", scale=0.01),
            "min_gender_share": opt_float(self.min_gender_share, "min_gender_share", scale=0.01),
            "min_authenticity": opt_float(self.min_authenticity, "min_authenticity"),
            "max_sponsored_rate": opt_float(self.max_sponsored, "max_sponsored_rate", scale=0.01),
            "competitors": csv_list(self.avoid),
        }

    def chip_filters(self) -> tuple[dict[str, Any], list[str]]:
        """Explicit filters from the chips, and what the text says that the user cleared.

        The chips show what the text was read as (``parsed_for`` is that text). When the text
        has changed since, the chips are stale and the text alone counts; otherwise each chip is
        an explicit filter, and a chip the user emptied leaves that part of the text out."""
        if self.parsed_for is not None and self.parsed_for.strip() != self.text.strip():
            return {}, []
        chips: dict[str, Any] = {
            "countries": csv_list(self.countries),
            "languages": csv_list(self.languages),
            "audience_age": self.audience_age.strip() or None,
            "audience_gender": self.audience_gender.strip() or None,
            "tiers": csv_list(self.tiers),
            "platforms": csv_list(self.platforms),
        }
        explicit = {k: v for k, v in chips.items() if v}
        ignore = [k for k, v in chips.items() if not v] if self.parsed_for is not None else []
        return explicit, ignore

    def brief_request(self) -> dict[str, Any]:
        """The brief and filter fields of a DiscoverIn / PlanIn."""
        explicit, ignore = self.chip_filters()
        return {
            "text": self.text,
            **explicit,
            "ignore": ignore or None,
            "exclude": self.exclude or None,
            **self.narrowing(),
        }

    def parsed(self) -> bsvc.BriefOut | None:
        """The brief as the services read it, for the chips (None when blank or unreadable:
        the chips then stay as typed and the search itself reports the error)."""
        if not self.text.strip():
            return None
        try:
            # the chips are the text and its filters only: an unreadable number in "more
            # filters" ("abc" followers) must not drop them (the next search then lost the
            # user's chip edits)
            explicit, ignore = self.chip_filters()
            asked = {"text": self.text, **explicit, "ignore": ignore or None,
                     "competitors": csv_list(self.avoid)}  # fmt: skip
            fields = {k: v for k, v in asked.items() if k in bsvc.BriefIn.model_fields}
            return bsvc.parse(bsvc.BriefIn.model_validate(fields))
        except (CloseknitError, PydanticValidationError):
            return None


def _num(v: float | None, scale: float = 1.0) -> str:
    """A saved number as the form shows it (percent fields times 100), blank when unset."""
    return "" if v is None else f"{v * scale:g}"


def from_saved(b: bsvc.SavedBrief) -> BriefFields:
    """A saved brief as the form's fields: its text, its filters as explicit chips (as if the
    text had been read and the chips set so) and the trust filters in the form's units."""
    f = b.filters
    # one share for every audience part the brief names (the API's min_audience_share) is the
    # form's per-part shares for the parts this brief names
    both = f.min_audience_share
    # the chips show the brief as read (what its text says, what it set, less what it left
    # out): an empty chip beside the text it was read from means "cleared"
    named = bsvc.SavedBriefIn(text=b.text, **f.model_dump(exclude_none=True)).brief()
    each = {
        "country": f.min_country_share if f.min_country_share is not None
        else (both if named.countries else None),
        "age": f.min_age_share if f.min_age_share is not None
        else (both if named.audience_age else None),
        "gender": f.min_gender_share if f.min_gender_share is not None
        else (both if named.audience_gender else None),
    }  # fmt: skip
    return BriefFields(
        text=b.text,
        parsed_for=b.text,
        countries=", ".join(named.countries),
        languages=", ".join(named.languages),
        audience_age=named.audience_age or "",
        audience_gender=named.audience_gender or "",
        tiers=list(named.tiers),
        platforms=list(named.platforms),
        # the tighter of the two fee ceilings (the brief's own and the narrowing one)
        max_fee=_num(min((x for x in (f.budget, f.max_fee) if x is not None), default=None)),
        min_fee=_num(f.min_fee),
        min_followers=_num(f.min_followers),
        max_followers=_num(f.max_followers),
        min_er=_num(f.min_engagement_rate, 100.0),
        max_er=_num(f.max_engagement_rate, 100.0),
        niches=list(f.niches or []),
        keywords=", ".join(f.keywords or []),
        min_country_share=_num(each["country"], 100.0),
        min_age_share=_num(each["age"], 100.0),
        min_gender_share=_num(each["gender"], 100.0),
        min_authenticity=_num(f.min_authenticity),
        max_sponsored=_num(f.max_sponsored_rate, 100.0),
        avoid=", ".join(f.competitors or []),
        exclude=list(f.exclude or []),
    )


def to_saved(brief: bsvc.BriefOut, narrowing: dict[str, Any], ignore: list[str]) -> bsvc.NewBriefIn:
    """The brief as it ran (its text and every filter in force, the narrowing ones given in
    the services' units) as a brief to save."""
    return bsvc.NewBriefIn.model_validate(
        {
            **{k: v for k, v in narrowing.items() if k in bsvc.Filters.model_fields},
            "ignore": ignore or None,
            "exclude": brief.exclude or None,
            "text": brief.text,
            "platforms": brief.platforms or None,
            "tiers": brief.tiers or None,
            "countries": brief.countries or None,
            "languages": brief.languages or None,
            "audience_age": brief.audience_age,
            "audience_gender": brief.audience_gender,
            "min_authenticity": brief.min_authenticity,
            "max_sponsored_rate": brief.max_sponsored_rate,
            "competitors": brief.competitors or None,
        }
    )
