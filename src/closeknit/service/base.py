"""Input and result base models every service module builds on.

Inputs refuse unknown fields (a typo is an error, not a silently ignored filter) and values of
the wrong JSON type (``false`` or ``"12"`` is not a number, ``0`` is not a date): what the
schema calls invalid is refused, never coerced. Query strings are still read as their types
(``limit=20``), because the API validates each query parameter before it builds the model.
Results refuse unknown fields too, so a domain result that grows a key fails the tests until its
model says so.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import types
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    WithJsonSchema,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError

from closeknit.errors import invalid_request
from closeknit.jsonable import to_jsonable

DAY_PATTERN = r"^(?:19|2[0-9])[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
_ISO_DAY = re.compile(DAY_PATTERN)


def _iso_day(v: Any) -> Any:
    if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime):
        if 1900 <= v.year <= 2999:
            return v
    elif isinstance(v, str) and _ISO_DAY.fullmatch(v):
        return v
    raise ValueError("a date as YYYY-MM-DD, years 1900-2999")


# A calendar day given as ``YYYY-MM-DD`` (or a ``datetime.date``) between 1900 and 2999: never a
# number (pydantic would otherwise read ``0`` as 1970-01-01), a time, or year 1 (where date
# arithmetic overflows).
Day = Annotated[
    _dt.date,
    Strict(False),
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]


TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{6})?$"


def _iso(v: _dt.date) -> str:
    return v.isoformat()


def _naive_utc(v: _dt.datetime) -> _dt.datetime:
    return v.astimezone(_dt.UTC).replace(tzinfo=None) if v.tzinfo is not None else v


# The date and time types of a result (:class:`Out`). In Python they are ``datetime.datetime``
# and ``datetime.date`` (so ``to_frame()`` gives datetime64 columns and a notebook can subtract
# them); in JSON (``to_json()``, the REST API, ``--json``, CSV and file exports) the ISO-8601
# text they always had: ``2026-06-13T09:30:00.123456`` (seconds, and microseconds when there are
# any; no offset) and ``2026-06-13``. Timestamps are UTC: an aware one is converted to UTC and
# its offset dropped, so every timestamp of a result compares with every other.
Timestamp = Annotated[
    _dt.datetime,
    AfterValidator(_naive_utc),
    PlainSerializer(_iso, return_type=str, when_used="json"),
    # not ``format: date-time``: that is RFC 3339, which requires the offset these never had
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TIMESTAMP_PATTERN,
            "description": "ISO-8601 date and time in UTC, without an offset",
        }
    ),
]
Date = Annotated[
    _dt.date,
    PlainSerializer(_iso, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def any_case(words: Any, *, extra: tuple[str, ...] = (), blank: bool = False) -> str:
    """A JSON-Schema ``pattern`` matching any of ``words`` in any letter case, with spaces
    around (what the validators that strip and lower-case accept); ``extra`` adds raw regex
    alternatives and ``blank`` also allows ''."""

    def lit(c: str) -> str:
        if c.isalpha() and c.lower() != c.upper():
            return f"[{c.lower()}{c.upper()}]"
        return c if c.isalnum() or c == " " else "\\" + c

    alts = ["".join(lit(c) for c in w) for w in sorted(words, key=lambda x: (-len(x), x))]
    body = "|".join([*alts, *extra])
    return rf"^\s*(?:{body}){'?' if blank else ''}\s*$"


# A name people give a thing (a list, a campaign, a workspace): one line of text, no control
# characters ("x\u0000y" was stored as a list's name and came back in every export). Blank is
# each model's own rule.
def _one_line(v: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in v):
        raise ValueError("a name is one line of text, without control characters")
    return v


Name = Annotated[
    str,
    Field(min_length=1, max_length=200, description="one line of text"),
    AfterValidator(_one_line),
]


# A creator as people type one: '@handle', 'handle', 'platform:handle' or a creator id.
CreatorRef = Annotated[
    str,
    Field(
        min_length=1, max_length=200, pattern=r"[^\s@]", description="@handle or platform:handle"
    ),
]


# An absolute web address: http(s)://, a host with a dot, then any path. No brackets in the host
# (an unclosed IPv6 bracket is a crash in urlsplit, not a URL). The one definition: the schema
# pattern below and the validators that read form fields (``web_url``) both use it.
URL_RE = r"[hH][tT][tT][pP][sS]?://[A-Za-z0-9_~%!$&'()*+,;=:@\-]+(?:\.[A-Za-z0-9_~%!$&'()*+,;=:@\-]*)+(?:[/?#]\S*)?"
AbsoluteUrl = Annotated[
    str,
    Field(
        max_length=2000,
        # blank is allowed and means none (what an empty form field sends)
        pattern=rf"^\s*$|^\s*{URL_RE}\s*$",
        description="an absolute web address, e.g. https://shop.example/landing; blank for none",
    ),
]


def web_url(v: Any) -> Any:
    """A form's URL field: blank is none, anything else must be a full web address (the same
    rule as :data:`AbsoluteUrl`'s pattern, with a sentence a person can act on)."""
    if not isinstance(v, str):
        return v
    if not v.strip():
        return None
    v = v.strip()
    if not re.fullmatch(URL_RE, v):
        raise ValueError("the address must be a full web address such as https://shop.example/")
    return v


class In(BaseModel):
    """A request: what a caller may ask for, validated where it is built.

    Built directly (``PlanIn(budget=-1)``), a refusal is :class:`closeknit.errors.InvalidRequest`:
    closeknit's ValidationError naming the field, and pydantic's ValidationError too. The
    interfaces' own ``model_validate`` and FastAPI's request parsing do not pass through
    ``__init__`` (it is marked as pydantic's base ``__init__``), so they are unchanged.
    """

    # Python's regex engine: patterns then mean what ``str.strip()`` and the validators mean
    # (and what the schema-driven tests generate from).
    model_config = ConfigDict(extra="forbid", strict=True, regex_engine="python-re")

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except PydanticValidationError as e:
            raise invalid_request(e) from None

    # pydantic then validates through its own core, not through this __init__ (model_validate
    # and nested models keep raising pydantic's error, which the interfaces word themselves)
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @model_validator(mode="before")
    @classmethod
    def _sequences_as_lists(cls, data: Any) -> Any:
        """A list field given a tuple, a pandas Series or a numpy array (a notebook's
        ``df["handle"]``) takes the list it holds, as the facade's list arguments do: strict
        validation refused them ("Input should be a valid list") in ``CompareIn(creators=s)``.
        Text stays refused (one handle read as a list of letters), and JSON, whose arrays are
        lists, is unchanged."""
        if not isinstance(data, dict):
            return data
        names = _list_field_names(cls)
        out = None
        for k, v in data.items():
            if k not in names or isinstance(v, list | str | bytes | dict):
                continue
            items = v.tolist() if callable(getattr(v, "tolist", None)) else v
            if isinstance(items, list | tuple):
                out = dict(data) if out is None else out
                out[k] = list(items)
        return data if out is None else out


@functools.cache
def _list_field_names(model: type[BaseModel]) -> frozenset[str]:
    """The names (and aliases) of ``model``'s fields that hold a list (``list[X]``, also
    optional or annotated)."""
    from typing import get_origin

    out: set[str] = set()
    for k, f in model.model_fields.items():
        if get_origin(_scalar(f.annotation)) is list:
            out.add(k)
            if f.alias:
                out.add(f.alias)
    return frozenset(out)


class Out(BaseModel):
    """A result: what every interface renders (the REST API's ``response_model``)."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, domain: Any) -> Any:
        """This model from a domain result (anything :func:`to_jsonable` understands)."""
        return cls.model_validate(to_jsonable(domain))

    def to_json(self) -> dict[str, Any]:
        """The JSON form every interface prints or sends."""
        out: dict[str, Any] = self.model_dump(mode="json")
        return out

    def __repr__(self) -> str:
        # a notebook shows the result, not thirty thousand characters of it on one line:
        # scalars as they are, a list as its length, a nested result as its name
        parts = []
        for name in type(self).model_fields:
            v = getattr(self, name)
            if isinstance(v, list | tuple):
                shown = f"[{len(v)} item{'s' if len(v) != 1 else ''}]"
            elif isinstance(v, dict):
                shown = f"{{{len(v)} key{'s' if len(v) != 1 else ''}}}"
            elif isinstance(v, BaseModel):
                shown = f"{type(v).__name__}(…)"
            elif isinstance(v, str) and len(v) > 60:
                shown = repr(v[:57] + "…")
            else:
                shown = repr(v)
            parts.append(f"{name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def to_frame(self, field: str | None = None) -> Any:
        """A list field of this result (``results``, ``picks``, ``creators``...: the first list
        of objects unless ``field`` names one) as a pandas DataFrame, nested values flattened
        with dotted column names, for a notebook. No rows is an empty frame with the rows'
        columns (a search that matched nobody). A list of values (``notes``) is one column
        named as the field."""
        import pandas as pd

        data = self.to_json()
        rows = _row_fields(type(self))
        names = [field] if field else [
            k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)
        ] or rows[:1]  # fmt: skip
        if not names or names[0] not in data or not isinstance(data[names[0]], list):
            from closeknit.errors import ValidationError

            raise ValidationError(
                f"{type(self).__name__} has no list of rows to show as a frame", field="field"
            )
        f = type(self).model_fields.get(names[0])
        row_model = _list_item_model(f.annotation) if f is not None else None
        items = data[names[0]]
        if not items and names[0] in rows:
            assert row_model is not None
            out = pd.DataFrame(columns=_columns(row_model))
        elif row_model is None and not (items and all(isinstance(x, dict) for x in items)):
            # a list of values (a plan's notes, a list's handles): one column named as the
            # field (pandas' json_normalize raised a bare TypeError on strings)
            out = pd.DataFrame({names[0]: items})
        else:
            out = pd.json_normalize(items)
        return _with_datetimes(out, [row_model] if row_model else [])


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    """The model of ``list[Model]`` (or ``list[Model] | None``), else None."""
    from typing import get_args, get_origin

    if get_origin(annotation) is not list:
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            return None
        annotation = args[0]
    if get_origin(annotation) is not list:
        return None
    (item,) = get_args(annotation) or (None,)
    return item if isinstance(item, type) and issubclass(item, BaseModel) else None


def _scalar(annotation: Any) -> Any:
    """``X`` of ``X``, ``X | None`` and ``Annotated[X, ...]`` (else the annotation itself)."""
    from typing import Union, get_args, get_origin

    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
            continue
        if get_origin(annotation) in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation


def _column_kinds(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """The columns (dotted, as ``pd.json_normalize`` names them) of ``model``'s rows that hold a
    date or timestamp, a float, an integer or a boolean, nested results included."""
    out: dict[str, str] = {}
    for k, f in model.model_fields.items():
        t = _scalar(f.annotation)
        if not isinstance(t, type):
            continue
        if issubclass(t, _dt.date):
            out[prefix + k] = "date"
        elif issubclass(t, bool):  # before int: a bool is an int
            out[prefix + k] = "bool"
        elif issubclass(t, int):
            out[prefix + k] = "int"
        elif issubclass(t, float):
            out[prefix + k] = "float"
        elif issubclass(t, BaseModel):
            out.update(_column_kinds(t, f"{prefix}{k}."))
    return out


# pandas dtypes that hold a missing value without turning the column into Python objects
_DTYPES = {"float": "float64", "int": "Int64", "bool": "boolean"}


def _with_datetimes(df: Any, models: list[type[BaseModel]]) -> Any:
    """``df`` with the columns the row ``models`` type as dates and timestamps as datetime64
    (the JSON text they were flattened from is ISO-8601), and numbers and booleans in their
    dtypes even when every value is missing (a column of None was an object column)."""
    import pandas as pd

    kinds: dict[str, str] = {}
    for m in models:
        for c, kind in _column_kinds(m).items():
            kinds.setdefault(c, kind)
    for c, kind in kinds.items():
        if c not in df.columns:
            continue
        if kind != "date":
            try:
                df[c] = df[c].astype(_DTYPES[kind])
            except (TypeError, ValueError):  # a value of another kind: left as it came
                pass
            continue
        try:
            df[c] = pd.to_datetime(df[c], format="ISO8601")
        except pd.errors.OutOfBoundsDatetime:  # pandas < 3 (nanoseconds) and year > 2262
            import numpy as np

            df[c] = pd.Series(
                np.array(df[c].where(df[c].notna(), None).tolist(), dtype="datetime64[us]"),
                index=df.index,
            )
    return df


def _row_fields(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` that hold rows (lists of results), in order."""
    return [k for k, f in model.model_fields.items() if _list_item_model(f.annotation)]


def _columns(model: type[BaseModel], prefix: str = "") -> list[str]:
    """The columns ``pd.json_normalize`` gives rows of ``model``: nested results dotted."""
    out: list[str] = []
    for k, f in model.model_fields.items():
        t = f.annotation
        if isinstance(t, type) and issubclass(t, BaseModel):
            out += _columns(t, f"{prefix}{k}.")
        else:
            out.append(prefix + k)
    return out


def frame(rows: Any) -> Any:
    """Results as one pandas DataFrame: a list of them (what ``list_plans``, ``list_lists``,
    ``compare``, ``fees``... answer), one row each, nested values flattened with dotted
    column names; or one result, as its :meth:`Out.to_frame`."""
    import pandas as pd

    from closeknit.errors import ValidationError

    if isinstance(rows, Out):
        return rows.to_frame()
    if not isinstance(rows, list | tuple) or not all(isinstance(r, BaseModel) for r in rows):
        raise ValidationError(
            f"to_frame: rows should be a closeknit result or a list of them, not "
            f"{type(rows).__name__}",
            field="rows",
        )
    if not rows:
        return pd.DataFrame()
    return _with_datetimes(
        pd.json_normalize([r.model_dump(mode="json") for r in rows]),
        list(dict.fromkeys(type(r) for r in rows)),
    )


class RowIssue(Out):
    """A row an import refused (quarantined) or loaded with a warning: where, and why."""

    file: str | None = Field(default=None, description="the file's name, where known")
    line: int | None = Field(default=None, description="the line in the file (1 = header)")
    field: str | None = Field(default=None, description="the column or field at fault")
    reason: str


T = TypeVar("T")


class Page(Out, Generic[T]):
    """One page of a longer list; ``total`` counts every match."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Deleted(Out):
    """What a delete reports."""

    id: str
    deleted: bool = True
