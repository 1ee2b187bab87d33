"""Shared CLI plumbing: options, output (--json / --csv / Rich table), one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError as PydanticValidationError
from rich import box
from rich.console import Console
from rich.markup import escape as esc
from rich.table import Table
from rich.text import Text
from typer._click.globals import get_current_context

from closeknit import figures
from closeknit.errors import CloseknitError, StoreMissing, ValidationError, error_field, refusal
from closeknit.jsonable import to_jsonable
from closeknit.report.tables import csv_text
from closeknit.settings import check_workspace_id, get_settings
from closeknit.store import Store, open_store


class _Console(Console):
    """Rich's console with markup off unless a call asks for it (``markup=True``, with the data
    in it passed through ``esc``): printed text is data — campaign names, list notes, brief
    text, quoted cells — and a "[" in it must print as typed, never be read as markup (a
    campaign named "Summer [/sale] drop" made every later `campaign list` crash)."""

    def print(self, *objects: Any, markup: bool | None = False, **kw: Any) -> None:
        super().print(*objects, markup=markup, **kw)


console = _Console(stderr=False)
err_console = _Console(stderr=True)

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="DuckDB file (default ./closeknit.duckdb or $CLOSEKNIT_DB); a missing one is "
        "made only by commands that bring data in or set a server up",
    ),
]
WorkspaceOpt = Annotated[
    str | None, typer.Option("--workspace", "-w", help="workspace (default $CLOSEKNIT_WORKSPACE)")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable JSON on stdout")]
CsvOpt = Annotated[
    bool, typer.Option("--csv", help="CSV on stdout: the table with every column, unrounded")
]

# The brief's filters: the same options on `discover` and `plan` (issue 15: one brief, one set).
PlatformOpt = Annotated[list[str] | None, typer.Option("--platform")]
TierOpt = Annotated[list[str] | None, typer.Option("--tier")]
CountryOpt = Annotated[
    list[str] | None, typer.Option("--country", help="ISO-2 or name, e.g. GB or UK")
]
LanguageOpt = Annotated[list[str] | None, typer.Option("--language")]
AgeOpt = Annotated[str | None, typer.Option("--age", help="audience age, e.g. 18-24")]
GenderOpt = Annotated[str | None, typer.Option("--gender", help="audience gender F|M")]
MinAuthenticityOpt = Annotated[
    float | None, typer.Option("--min-authenticity", help="authenticity score 0-100, e.g. 60")
]
MaxSponsoredOpt = Annotated[
    float | None,
    typer.Option("--max-sponsored", help="share of recent posts sponsored, 0-1 (0.3 = 30%)"),
]
AvoidOpt = Annotated[list[str] | None, typer.Option("--avoid", help="competitor brands")]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", help="creator to leave out (repeat)")
]


# discover's narrowing filters (service.discover.Filters), which the plan takes too
MinFollowersOpt = Annotated[int | None, typer.Option("--min-followers")]
MaxFollowersOpt = Annotated[int | None, typer.Option("--max-followers")]
MinErOpt = Annotated[
    float | None, typer.Option("--min-er", help="engagement rate, percent (2 = 2%)")
]
MaxErOpt = Annotated[float | None, typer.Option("--max-er", help="percent")]
NicheOpt = Annotated[list[str] | None, typer.Option("--niche", help="niche id (repeat)")]
KeywordOpt = Annotated[
    list[str] | None, typer.Option("--keyword", help="caption word or #hashtag (repeat)")
]
MinFeeOpt = Annotated[float | None, typer.Option("--min-fee", help="one post")]
MaxFeeOpt = Annotated[float | None, typer.Option("--max-fee", help="one post")]
MinAudienceShareOpt = Annotated[
    float | None,
    typer.Option(
        "--min-audience-share",
        help="percent of the audience in the brief's country, age and gender, each",
    ),
]


def narrowing_filters(
    min_followers: int | None,
    max_followers: int | None,
    min_er: float | None,
    max_er: float | None,
    niche: list[str] | None,
    keyword: list[str] | None,
    min_fee: float | None,
    max_fee: float | None,
    min_audience_share: float | None,
) -> dict[str, Any]:
    """The narrowing filter options as the fields of ``service.discover.Filters`` (percent
    options as fractions). A percent option given what looks like a fraction (``--min-er
    0.02``, the API's way of writing 2%) is read as written, and said on stderr: it filtered
    almost nothing, silently."""
    for opt, v, typical in (
        ("--min-er", min_er, 0.1),
        ("--max-er", max_er, 0.1),
        ("--min-audience-share", min_audience_share, 1.0),
    ):
        if v is not None and 0 < v < typical:
            err_console.print(
                f"note: {opt} is a percentage: {v:g} is read as {v:g}%; for {v * 100:g}% give "
                f"{v * 100:g}",
                highlight=False,
            )
    return {
        "min_followers": min_followers,
        "max_followers": max_followers,
        "min_engagement_rate": None if min_er is None else min_er / 100,
        "max_engagement_rate": None if max_er is None else max_er / 100,
        "niches": split_values(niche),
        "keywords": split_values(keyword),
        "min_fee": min_fee,
        "max_fee": max_fee,
        "min_audience_share": None if min_audience_share is None else min_audience_share / 100,
    }


def split_values(values: list[str] | None) -> list[str] | None:
    """Repeated and comma-separated option values as one list (None when empty)."""
    out = [v.strip() for x in values or [] for v in x.split(",") if v.strip()]
    return out or None


def brief_filters(
    platform: list[str] | None,
    tier: list[str] | None,
    country: list[str] | None,
    language: list[str] | None,
    age: str | None,
    gender: str | None,
    min_authenticity: float | None,
    max_sponsored: float | None,
    avoid: list[str] | None,
) -> dict[str, Any]:
    """The brief filter options as the fields of ``service.briefs.BriefIn``."""
    return {
        "platforms": split_values(platform),
        "tiers": split_values(tier),
        "countries": split_values(country),
        "languages": split_values(language),
        "audience_age": age,
        "audience_gender": gender,
        "min_authenticity": min_authenticity,
        "max_sponsored_rate": max_sponsored,
        "competitors": split_values(avoid),
    }


# the running command's workspace and open store (click's per-invocation meta): whichever of
# workspace_of and store_for comes second checks that the store has the workspace
_WORKSPACE = "closeknit.workspace"
_STORE = "closeknit.store"


def workspace_of(ws: str | None, *, may_create: bool = False) -> str:
    """The command's ``--workspace`` (default ``$CLOSEKNIT_WORKSPACE``, else ``default``): a
    workspace id of a workspace the store has (checked once the command's store is open), as
    on the Python API. ``may_create``: the command makes it on first use (the account commands
    and the demo)."""
    wid = check_workspace_id(ws or get_settings().workspace, "--workspace")
    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[_WORKSPACE] = (wid, may_create)
        st = ctx.meta.get(_STORE)
        if st is not None:
            _check_workspace(st, wid, may_create)
    return wid


def _check_workspace(st: Store, wid: str, may_create: bool) -> None:
    from closeknit.service.workspaces import ensure_workspace, require_workspace

    if may_create and not st.read_only:
        ensure_workspace(st, wid)
    else:
        require_workspace(st, wid)


@contextmanager
def store_for(
    db: Path | None, *, read_only: bool = False, may_create: bool = False
) -> Iterator[Store]:
    """The command's store. Only a command that brings data in or sets a server up
    (``may_create``: imports, the demo, live fetches, accounts) makes a missing one: a mistyped
    ``--db`` made an empty store (and its folders) and discover said "this workspace has no
    creators yet", as if the data were gone."""
    path = Path(db) if db is not None else get_settings().db
    if not may_create and str(path) != ":memory:" and not path.exists():
        raise StoreMissing(
            f"no store at {path}: check --db (or $CLOSEKNIT_DB); `closeknit import` brings "
            "your data into a new one, `closeknit demo` makes a sample world",
            path=str(path),
        )
    st = open_store(db, read_only=read_only, create=may_create)
    ctx = get_current_context(silent=True)
    try:
        if ctx is not None:
            ctx.meta[_STORE] = st
            if _WORKSPACE in ctx.meta:
                _check_workspace(st, *ctx.meta[_WORKSPACE])
        yield st
    finally:
        if ctx is not None and ctx.meta.get(_STORE) is st:
            del ctx.meta[_STORE]
        st.close()


def wrapped(text: str, width: int, indent: int = 2) -> list[str]:
    """``text`` in lines of at most ``width`` terminal cells, words kept whole, every line
    after the first indented by ``indent`` (a hanging indent: a wrapped why-line or note read
    as a new one at column 0). A word longer than a line is cut."""
    from rich.cells import cell_len

    lines: list[str] = []
    lead = len(text) - len(text.lstrip(" "))  # the first line keeps its own indent
    cur = " " * lead if lead else ""
    pad = " " * indent
    for word in text.split():
        room = width - (indent if lines else 0)
        if cur.strip() and cell_len(cur) + 1 + cell_len(word) > room:
            lines.append(cur)
            cur = ""
            room = width - indent
        while cell_len(word) > room:  # a link or a long hashtag: cut where it must
            k = len(word)
            while k > 1 and cell_len(word[:k]) > room - (cell_len(cur) + 1 if cur else 0):
                k -= 1
            lines.append((cur + " " if cur else "") + word[:k])
            cur, word = "", word[k:]
            room = width - indent
        cur = f"{cur} {word}" if cur.strip() else cur + word
    if cur:
        lines.append(cur)
    return [ln if i == 0 else pad + ln for i, ln in enumerate(lines)]


def say(text: str, *, indent: int = 2, style: str | None = None) -> None:
    """Print ``text`` wrapped to the terminal with a hanging indent (:func:`wrapped`); the
    text is data, never markup."""
    for line in wrapped(text, console.width, indent):
        console.print(Text(line, style=style or ""), soft_wrap=True)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False) + "\n")


# a CSV's numbers are unrounded, but floating-point noise is not a number anyone wrote: a
# value within CSV_ZERO of zero (a diversity bonus of -2.4e-14 where the planner's sums
# cancel) is written 0.0, the same in every CSV the CLI prints; every other value as it is
CSV_ZERO = 1e-12


def csv_number(v: Any) -> Any:
    """A CSV cell's value with float noise around zero cleared (:data:`CSV_ZERO`)."""
    if isinstance(v, float) and abs(v) < CSV_ZERO:
        return 0.0
    return v


def print_csv(rows: Sequence[dict[str, Any]]) -> None:
    sys.stdout.write(csv_text([{k: csv_number(v) for k, v in r.items()} for r in rows]))


# The display rules of closeknit.figures, as terminal cells (unknown is blank): one rule per kind
# of figure, the same as the web's (a fee of 17.95 is "17.95" in every table, an authenticity of
# 99.875 "99.9" as on the pages).
def money(v: Any) -> str:
    """An amount, two decimals (the workspace's currency: ``closeknit currency``)."""
    return figures.money(v, missing="")


def score(v: Any) -> str:
    """A 0-100 score, one decimal."""
    return figures.score(v, missing="")


def percent(v: Any) -> str:
    """A 0-1 share as a percentage, one decimal."""
    return figures.percent(v, missing="")


def ratio(v: Any) -> str:
    """A ratio with "×", two decimals."""
    return figures.ratio(v, missing="")


def whole(v: Any) -> str:
    """A count (followers, posts) as a whole number with separators, as the web shows it
    ("133,328", never "133328")."""
    d = figures.half_up(v, 0)
    return "" if d is None else f"{int(d):,}"


def change(v: Any) -> str:
    """A relative change as a signed percentage, one decimal as every share ("+27.1%"), as the
    web's vetting says it."""
    p = figures.percent(v, missing="")
    return f"+{p}" if p and v >= 0 else p


@lru_cache(maxsize=1)
def _niches() -> dict[str, str]:
    from closeknit.service import features as fsvc

    return {n.id: n.label for n in fsvc.niche_list()}


def niche_label(niche: str | None) -> str:
    """A niche's name as the web shows it ("Home workout" for home_workout); blank for none."""
    if not niche:
        return ""
    words = niche.replace("_", " ")
    return _niches().get(niche, words[:1].upper() + words[1:])


Formats = Mapping[str, Callable[[Any], str]]

TEXT_MAX = 28  # a text cell longer than this is cut with "…" (the full value is in --json/--csv)


def cell(v: Any) -> str:
    """A value for a terminal table: rounded numbers (never scientific notation), lists joined
    with commas, records as 'key value' pairs, nothing for unknown."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return ""
        a = abs(v)
        if a >= 1000:
            return f"{v:,.0f}"
        if a >= 100:
            return f"{v:.0f}"
        if a >= 10:
            return f"{v:.1f}".rstrip("0").rstrip(".")
        if a >= 0.01 or a == 0:
            return f"{v:.2f}".rstrip("0").rstrip(".")
        return f"{v:.4f}".rstrip("0").rstrip(".") or "0"
    j = to_jsonable(v)
    if isinstance(j, list):
        return ", ".join(cell(x) for x in j)
    if isinstance(j, dict):
        return ", ".join(f"{k.replace('_', ' ')} {cell(x)}" for k, x in j.items())
    return str(j)


def _fit(cols: list[str], widths: dict[str, int], width: int, keep: int) -> list[str]:
    """The columns that fit ``width`` (Rich's simple box without edges: 3 characters between
    two columns, none outside; it counted 3 around each and one more, so a table 4 characters
    narrower than the terminal lost a column), dropping from the end; the first ``keep``
    columns always stay."""
    shown = list(cols)
    while len(shown) > keep and sum(widths[c] for c in shown) + 3 * (len(shown) - 1) > width:
        shown.pop()
    return shown


def print_table(
    rows: Sequence[dict[str, Any]],
    title: str | None = None,
    *,
    priority: Sequence[str] | None = None,
    cut: bool = True,
    formats: Formats | None = None,
    empty: str | None = None,
) -> None:
    """Rows as a table that fits the terminal (80 columns when it is not one): numbers rounded,
    long text cut, and the columns that do not fit left out (in reverse ``priority``, else from
    the right) with a note naming them. ``cut=False`` wraps long text instead of cutting it
    (a record's values: a key or a link shown once must be shown whole). ``formats``: a
    column's display rule (``money``, ``score``, ``percent``, ``ratio``) in place of the generic
    rounding. ``empty``: the sentence printed when there are no rows."""
    if not rows and empty:
        console.print(empty)
        return
    fmt = dict(formats or {})
    cols: list[str] = []
    for r in rows:
        for k in r:
            if k not in cols:
                cols.append(k)
    if priority:
        cols = [c for c in priority if c in cols] + [c for c in cols if c not in priority]
    text = [
        {c: fmt[c](r.get(c)) if c in fmt and r.get(c) is not None else cell(r.get(c)) for c in cols}
        for r in rows
    ]
    for c in cols:
        if c not in fmt:
            _align_decimals(c, rows, text)
    for r in text:
        for c in cols:
            if cut and len(r[c]) > TEXT_MAX:
                r[c] = r[c][: TEXT_MAX - 1] + "…"
    widths = {c: max([len(c), *(len(r[c]) for r in text)]) for c in cols}
    width = max(40, console.width)
    if not cut:  # wrapped text takes what is left of the width, not its whole length
        for c in cols[1:]:
            widths[c] = min(widths[c], TEXT_MAX)
    shown = _fit(cols, widths, width, keep=1)
    table = Table(
        title=None if title is None else Text(title),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
    )
    for c in shown:
        numeric = all(_numeric(r.get(c)) for r in rows if r.get(c) is not None)
        table.add_column(
            Text(c),
            justify="right" if numeric else "left",
            no_wrap=cut,
            overflow="ellipsis" if cut else "fold",
        )
    for r in text:
        table.add_row(*[Text(r[c]) for c in shown])  # cells are data, never markup
    console.print(table)
    left = [c for c in cols if c not in shown]
    if left:
        say(
            f"not shown at this width: {', '.join(left)} (--json or --csv has every column)",
            style="dim",
        )


def _align_decimals(col: str, rows: Sequence[dict[str, Any]], text: list[dict[str, str]]) -> None:
    """A column of small fractional numbers shows one number of decimals ('1.00' beside
    '0.97', not '1'), so it reads as one scale."""
    vals = [r.get(col) for r in rows]
    nums = [v for v in vals if v is not None]
    if not nums or not all(isinstance(v, float) and v == v and abs(v) < 100 for v in nums):
        return
    places = max(len(t[col].partition(".")[2]) for t in text if t[col])
    if not places:
        return
    for v, t in zip(vals, text, strict=True):
        if v is not None and t[col]:
            t[col] = f"{v:.{places}f}"


def _numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def print_record(d: dict[str, Any], title: str | None = None) -> None:
    """One result as 'field  value' lines (what fits 80 columns for a wide record)."""
    rows = []
    for k, v in to_jsonable(d).items():
        if isinstance(v, dict) and v and all(not isinstance(x, dict | list) for x in v.values()):
            rows += [{"field": f"{k} {kk}".replace("_", " "), "value": x} for kk, x in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            rows.append({"field": k.replace("_", " "), "value": f"{len(v)} rows (see --json)"})
        else:
            rows.append({"field": k.replace("_", " "), "value": v})
    print_table(rows, title=title, cut=False)


def emit(
    data: Any,
    *,
    as_json: bool = False,
    as_csv: bool = False,
    rows: Sequence[dict[str, Any]] | None = None,
    render: Callable[[], None] | None = None,
    title: str | None = None,
    priority: Sequence[str] | None = None,
    formats: Formats | None = None,
    empty: str | None = None,
    table: Sequence[dict[str, Any]] | None = None,
) -> None:
    """Print ``data`` as JSON, ``rows`` as CSV, or a human rendering (``render`` or a table).

    ``data`` is a service result (or a list of them): ``--json`` prints exactly what the REST
    API returns for the same request. ``--csv`` prints ``rows`` (unrounded, every column; the
    result's own rows when ``rows`` is None). ``table``: the terminal's rows only (a few
    columns shaped for 80 columns), where ``--csv`` keeps the result's own. ``formats`` and
    ``empty``: as ``print_table``."""
    if as_json:
        print_json(data)
        return
    if render is not None and not as_csv:
        render()
        return
    if table is not None and not as_csv:
        rows = table
    if rows is None:
        plain = to_jsonable(data)
        if isinstance(plain, dict) and not as_csv:
            print_record(plain, title=title)
            return
        rows = plain if isinstance(plain, list) else [plain]
    if as_csv:
        print_csv(rows)
    else:
        print_table(list(rows), title=title, priority=priority, formats=formats, empty=empty)


def write_output(path: Path, text: str) -> None:
    """Write a file the user asked for (``--html``, ``--chart``, ``--out``): its folder is made
    when missing, and a path that cannot be written is a clear error naming it, not a
    traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise ValidationError(
            f"cannot write {path}: {e.strerror or e}", field="path", path=str(path)
        ) from None


def fail(exc: CloseknitError, as_json: bool = False) -> None:
    """Report ``exc`` as one line (or the JSON error shape, with its type) and exit non-zero.

    The line says what went wrong in words; the exception's class name is for programs
    (``--json``), not for the person reading the terminal."""
    if as_json:
        print_json(exc.to_dict())
    else:
        err_console.print(
            f"[red]error[/red]: {esc(exc.message)}",
            highlight=False,
            soft_wrap=True,
            markup=True,
        )
    raise typer.Exit(exc.exit_code if exc.exit_code else 1)


@contextmanager
def cli_errors(as_json: bool = False) -> Iterator[None]:
    """Turn a CloseknitError (or input refused by a service model) raised inside the block into
    fail()'s one-line error and exit."""
    try:
        yield
    except PydanticValidationError as exc:
        # first: a request model built here (closeknit.errors.InvalidRequest is both) is
        # worded with the command's option name
        fail(input_error(exc), as_json)
    except CloseknitError as exc:
        fail(exc, as_json)


def input_error(exc: PydanticValidationError) -> ValidationError:
    """A service model's refusal as one clear error naming the option."""
    err = exc.errors()[0]
    field = error_field(err)
    return refusal(err, option_of(field) if field else None)


# a service field whose command-line option has another name
_OPTION_NAMES = {
    "text": "brief",
    "max_sponsored_rate": "max_sponsored",
    "audience_gender": "gender",
    "audience_age": "age",
    "competitors": "avoid",
    "discount_percent": "discount",
    "window_days": "window",
    "attribution_window_days": "window",
    "landing_url": "landing_url",
    "start_date": "start",
    "end_date": "end",
}


def option_of(field: str) -> str:
    """The running command's option (``--max-sponsored``) or argument (``BRIEF``) for a service
    field (``max_sponsored_rate``); the field itself where the command has none."""
    # typer carries its own copy of click: its context, not the click package's
    ctx = get_current_context(silent=True)
    if ctx is None:
        return field
    # a list field is named in the plural, its option in the singular ("countries": --country)
    one = field[:-3] + "y" if field.endswith("ies") else field.removesuffix("s")
    names = {field, _OPTION_NAMES.get(field, field), one}
    for p in ctx.command.params:
        if p.name in names:
            if p.param_type_name == "option":
                return max(p.opts, key=len)
            return str(p.name).upper()
    return field
