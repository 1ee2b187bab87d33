"""Page rendering shared by every web page: templates, number and money formats, words for
internal names, and styled error pages (with the navigation) for every failure."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Undefined, UndefinedError, pass_context
from jinja2.runtime import Context
from jinja2.utils import missing
from markupsafe import Markup, escape
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from closeknit import figures
from closeknit.errors import CloseknitError, ValidationError, error_field, validation_message
from closeknit.figures import day
from closeknit.service import features as fsvc
from closeknit.service import settings as ssvc
from closeknit.service.accounts import Principal
from closeknit.service.plans import OVERLAP_CAP
from closeknit.web import charts

if TYPE_CHECKING:
    from closeknit.service.discover import MatchOut


class FieldCheckedUndefined(Undefined):
    """Lenient for the page's own optional variables, strict for a service result: a template
    asking a result model for a field it does not have (renamed, removed) fails loudly instead
    of rendering a blank."""

    __slots__ = ()

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None,
                 exc: type[Exception] = UndefinedError) -> None:  # fmt: skip
        if isinstance(obj, BaseModel) and name is not None:
            raise UndefinedError(f"{type(obj).__name__} has no field {name!r}")
        super().__init__(hint, obj, name, exc)  # type: ignore[arg-type]


templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.undefined = FieldCheckedUndefined
templates.env.globals["charts"] = charts
# the most of the smaller audience a pair of plan picks is counted to share (said once)
templates.env.globals["overlap_cap"] = OVERLAP_CAP


def num(v: Any, digits: int = 2) -> str:
    """A number for people: thousands separators, no scientific notation, '–' when unknown."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        if v != v:  # NaN
            return "–"
        if isinstance(v, int) or float(v).is_integer() and abs(v) >= 1:
            return f"{v:,.0f}"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if abs(v) >= 1:
            return f"{v:,.{digits}f}".rstrip("0").rstrip(".")
        return f"{v:.{digits + 1}f}".rstrip("0").rstrip(".") or "0"
    return str(v)


def count(v: Any) -> str:
    """A count of people or orders: a whole number with separators."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if f != f else f"{round(f):,}"


def pct(v: Any) -> str:
    """A 0-1 share as a percentage, one decimal as everywhere (``closeknit.figures.percent``)."""
    return figures.percent(_number(v))


def score(v: Any) -> str:
    """A 0-100 score, one decimal as everywhere: 99.875 is "99.9", never "100"."""
    return figures.score(_number(v))


def ratio(v: Any) -> str:
    """A ratio with "×", two decimals (``closeknit.figures.ratio``)."""
    return figures.ratio(_number(v))


def ratio_interval(lo: Any, hi: Any) -> str:
    """A ratio's interval to its value's precision: "7.13–38.60×"."""
    return figures.ratio_interval(_number(lo), _number(hi))


def counted(n: Any, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 creator", "3 creators"."""
    return figures.count(_number(n), noun, plural)


def _number(v: Any) -> Any:
    """A template value as a number for ``closeknit.figures`` (None when it is none)."""
    if isinstance(v, Undefined) or isinstance(v, str):
        try:
            return float(v) if isinstance(v, str) else None
        except ValueError:
            return None
    return v


def _symbol(ctx: Context, currency: str | None) -> str:
    return ssvc.symbol(currency) if currency else ctx.get("cur_symbol") or "$"


@pass_context
def money(ctx: Context, v: Any, currency: str | None = None) -> str:
    """An amount with the currency symbol (the given currency's, else the workspace's), two
    decimals as everywhere (``closeknit.figures.money``)."""
    return figures.money(_number(v), _symbol(ctx, currency))


@pass_context
def money_range(ctx: Context, lo: Any, hi: Any, currency: str | None = None) -> str:
    """Two amounts as a range, both ends by the money rule: "$45.46 – $184.20"."""
    return figures.money_range(_number(lo), _number(hi), _symbol(ctx, currency))


# Words for the names the domain uses internally (fields, methods, stages, statuses).
LABELS = {
    # the labelled follower populations the audience estimate compares a sample with
    **figures.SOURCE_NAMES,
    "audience_real_share": "Real and active followers (sampled)",
    "audience_not_fake": "Followers not fake (sampled)",
    "audience_real_active": "Real, active followers (sampled)",
    "organic_growth": "Organic follower growth",
    "human_comments": "Comments by people (not bots)",
    "no_pod": "No engagement-pod activity",
    "engagement_percentile": "Engagement rank among peers",
    "reply_rate": "Replies to followers",
    "comment_sentiment": "Tone of comments",
    "engagement_trend": "Engagement trend",
    "genuine_engagement": "Genuine engagement",
    "authenticity": "Authenticity",
    "authenticity_score": "Authenticity",
    "engagement_quality": "Engagement quality",
    "engagement_quality_score": "Engagement quality",
    "engagement_rate": "Engagement rate",
    "content": "Topic fit",
    "audience": "Audience fit",
    "engagement": "Engagement quality",
    "cost": "Value for money",
    "shortlisted": "Shortlisted",
    "contacted": "Contacted",
    "negotiating": "Negotiating",
    "contracted": "Contracted",
    "content_live": "Content live",
    "paid": "Paid",
    "declined": "Declined",
    "rate_card": "the workspace rate card",
    "sts": "time-series model of the shop's daily revenue",
    "holdout": "holdout comparison",
    "insufficient_data": "not enough data",
    "none_affordable": "none affordable",
    "ok": "ok",
    "not vetted": "not vetted yet",
    "draft": "Draft",
    "active": "Active",
    "live": "Live",
    "done": "Done",
    "archived": "Archived",
    "reach": "reach (engaged people who fit)",
    "conversions": "conversions",
    "followers_source": "shared followers",
    "F": "women",
    "M": "men",
    "U": "unknown",
    **figures.PLATFORM_NAMES,
    **figures.PLAN_METHODS,
}


def label(v: Any) -> str:
    """Words for an internal name ('content_live' -> 'Content live')."""
    if v is None:
        return "–"
    s = str(v)
    if s in LABELS:
        return LABELS[s]
    words = s.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# What ``clean`` still does, and for what. The notes of the domain (plan, discover, lift,
# ROAS, vetting) are written in words where they are made, with closeknit.figures for their
# figures, so every interface shows the same sentence and the pages show them as they are.
# Texts that still name internal fields are shown through ``clean``, and only those:
# * a domain error that names the field it refused ("end_date is before start_date",
#   "audience_age: the brief text's 30-18 …"), in ``error_view``: the name reads as words;
# * an import job's error and an audience file's rejected-row reason (job.html,
#   audience_score.html), which name fields of the import;
# * the rule of a vetting score part the page has no sentence for ("1 - pod_score",
#   web/vetting.py).
# A NotFound names the id as typed and is never cleaned (``error_view``): "no list l_nope".
# A value in quotes, a @handle, an id (platform:handle) or a URL is left as written.
_SNAKE = re.compile(r"(?<![@\w:/.#“'-])([a-z]+(?:_[a-z]+)+)(?![\w/.:-])")


def clean(text: Any) -> str:
    """An error message or a vetting rule for people: code marks dropped and snake_case field
    names as words (see above for the texts that still need it)."""
    s = str(text or "").replace("`", "")
    return _SNAKE.sub(lambda m: m.group(1).replace("_", " "), s)


_NAME = re.compile(r"[a-z]+(?:_[a-z]+)+")


def minute(v: Any) -> str:
    """A timestamp to the minute, ``2026-06-13 09:30`` ('' for none); a date as its day."""
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)[:16].replace("T", " ") if v else ""


def audit_value(v: Any) -> Markup:
    """One recorded value of the audit log, for people: numbers formatted (0 stays 0), a link
    as a link (its address and path shown, the whole of it in the link), an internal name (a
    stage, an import source) as words, anything else — handles, ids, codes — as recorded.
    ``clean`` rewrote the underscores inside links and handles, and dropped a 0."""
    if isinstance(v, bool | int | float):
        return Markup(escape(num(v)))
    s = str(v)
    if s.startswith(("http://", "https://")):
        parts = urlsplit(s)
        return Markup('<a href="{}" rel="noopener">{}</a>').format(s, f"{parts.netloc}{parts.path}")
    if s in LABELS or _NAME.fullmatch(s):
        return Markup(escape(label(s).lower()))
    return Markup(escape(s))


# Who did it, as the audit log's owner reads it: the recorded actor is "user:<e-mail>",
# "key:<key id>" (``Principal.actor``), or the tool that acted without a sign-in.
AUDIT_TOOLS = {"cli": "command line tool", "demo": "the demo set-up", "system": "closeknit itself"}


def audit_actor(actor: Any) -> str:
    """An audit row's actor in words: the user's e-mail, "an API key (…79ce)", the tool."""
    s = str(actor or "")
    if not s:
        return "–"
    kind, _, rest = s.partition(":")
    if kind == "user" and rest:
        return rest
    if kind == "key" and rest:
        return f"an API key (…{rest[-4:]})"
    return AUDIT_TOOLS.get(s, s)


# What was done, in words (an action without one here reads as its name in words).
AUDIT_ACTIONS = {
    "login": "Signed in",
    "login_failed": "Sign-in refused",
    "logout": "Signed out",
    "password_change": "Password changed",
    "export": "Exported",
    "import": "Imported a file",
    "key_create": "API key created",
    "key_revoke": "API key revoked",
    "role_change": "Member's role changed",
    "member_add": "Member added",
    "member_remove": "Member removed",
    "invite": "Invitation sent",
    "invite_revoke": "Invitation revoked",
    "workspace_create": "Workspace created",
    "list_create": "List created",
    "list_update": "List changed",
    "list_add": "Added to a list",
    "list_remove": "Removed from a list",
    "list_note": "List note written",
    "list_delete": "List deleted",
    "brief_create": "Brief saved",
    "brief_delete": "Brief deleted",
    "campaign.import": "Campaign roster imported",
    "campaign.update": "Campaign changed",
    "webhook_secret_set": "Shop webhook secret set",
    "webhook_secret_clear": "Shop webhook secret removed",
}


def audit_action(action: Any) -> str:
    return AUDIT_ACTIONS.get(str(action), label(str(action or "").replace(".", " ")))


# What it was done to: the kind in words, with a link where the page has one; an internal id
# (a list's, a user's, an import job's) is never shown, an API key by its last 4 characters.
AUDIT_OBJECTS = {
    "list": ("list", "/lists/{}"),
    "campaign": ("campaign", "/campaigns/{}"),
    "creator": ("creator", "/creators/{}"),
    "creators": ("creators", None),
    "plan": ("saved plan", "/plans/{}"),
    "brief": ("saved brief", None),
    "user": ("a member", None),
    "invitation": ("an invitation", None),
    "import_job": ("an import", None),
    "workspace": ("the workspace", None),
    "webhook": ("the shop webhook", None),
}


def audit_object(kind: Any, object_id: Any) -> Markup:
    if not kind:
        return Markup("")
    k, oid = str(kind), str(object_id or "")
    if k == "api_key":
        return Markup(escape(f"an API key (…{oid[-4:]})" if oid else "an API key"))
    words, url = AUDIT_OBJECTS.get(k, (label(k).lower(), None))
    if k == "campaign" and oid:
        return Markup('campaign <a href="{}">{}</a>').format(url.format(oid) if url else "", oid)
    if k == "creator" and oid:
        return Markup('creator <a href="{}">{}</a>').format(f"/creators/{oid}", handle_of(oid))
    if url and oid:
        return Markup('<a href="{}">{}</a>').format(url.format(oid), f"the {words}")
    return Markup(escape(words))


def sentence(text: Any) -> str:
    """Capitalised first letter and a full stop."""
    s = str(text or "").strip()
    if not s:
        return s
    s = s[0].upper() + s[1:]
    return s if s[-1] in ".!?" else s + "."


def handle_of(creator_id: Any) -> str:
    s = str(creator_id or "")
    return "@" + s.split(":", 1)[-1] if s else "–"


@lru_cache(maxsize=1)
def _niches() -> dict[str, str]:
    return {n.id: n.label for n in fsvc.niche_list()}


def niche_label(niche_id: Any) -> str:
    """A niche's name ('home_workout' -> 'Home workout')."""
    return _niches().get(str(niche_id), label(niche_id)) if niche_id else "–"


def niche_options() -> list[Any]:
    return sorted(fsvc.niche_list(), key=lambda n: n.label)


_BRIEF_KEYS = (
    "text", "parsed_for", "countries", "languages", "audience_age", "audience_gender", "tiers",
    "platforms", "niches", "min_followers", "max_followers", "min_er", "max_er", "keywords",
    "min_fee", "max_fee", "min_authenticity", "max_sponsored", "min_country_share", "min_age_share",
    "min_gender_share", "avoid", "exclude",
)  # fmt: skip


def factor_score(m: MatchOut, name: str, v: float) -> str:
    """One part of a match score, 0-100 by the score rule. The ranking rounds the factors to 4
    decimals, so the factor x 100 rounded again read "Authenticity 99.5" in the parts beside
    99.4/100 in the column (99.4488 -> 0.9945 -> 99.45 -> 99.5): the authenticity part is the
    result's own unrounded score, the column's figure; any other part is the factor x 100."""
    return score(m.authenticity_score if name == "authenticity" else v * 100)


# Discover's orders: the words of the Sort by menu and of the line above the results.
SORTS = {
    "score": ("Best match", "best match first"),
    "followers": ("Most followers", "most followers first"),
    "engagement": ("Highest engagement", "highest engagement first"),
    "authenticity": ("Most authentic", "most authentic first"),
    "fee": ("Lowest fee", "lowest fee first"),
}


def brief_pairs(q: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for k in _BRIEF_KEYS:
        v = q.get(k)
        for x in v if isinstance(v, list) else [v]:
            if x not in (None, ""):
                out.append((k, str(x)))
    return out


def redirect_to(request: Request, url: str) -> Response:
    """After a form's POST: htmx follows an ``HX-Redirect`` header, a plain form a 303."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def plan_query(q: dict[str, Any]) -> str:
    """The brief and its filters as a query string for another page (Discover -> Plan)."""
    return urlencode(brief_pairs(q))


def sort_query(pairs: list[tuple[str, str]], key: str) -> str:
    return urlencode([*pairs, ("sort", key), ("go", "1")])


templates.env.globals.update(
    factor_score=factor_score,
    sorts=SORTS,
    niche_label=niche_label,
    niche_options=niche_options,
    plan_query=plan_query,
    brief_filter_words=figures.filter_words,
    sort_query=sort_query,
    brief_pairs=brief_pairs,
)
templates.env.filters["num"] = num
templates.env.filters["pct"] = pct
templates.env.filters["count"] = count
templates.env.filters["money"] = money
templates.env.filters["money_range"] = money_range
templates.env.filters["score"] = score
templates.env.filters["ratio"] = ratio
templates.env.filters["ratio_interval"] = ratio_interval
templates.env.filters["counted"] = counted
templates.env.filters["label"] = label
templates.env.filters["clean"] = clean
templates.env.filters["audit_value"] = audit_value
templates.env.filters["audit_actor"] = audit_actor
templates.env.filters["audit_action"] = audit_action
templates.env.globals["audit_object"] = audit_object
templates.env.globals["growth"] = figures.growth
templates.env.filters["day"] = day
templates.env.filters["minute"] = minute
templates.env.filters["handle"] = handle_of
templates.env.filters["sentence"] = sentence


def currency_of(request: Request, p: Principal | None) -> str:
    if p is None:
        return ssvc.DEFAULT_CURRENCY
    store = getattr(request.app.state, "store", None)
    if store is None:
        return ssvc.DEFAULT_CURRENCY
    try:
        return ssvc.currency(store, p.workspace_id)
    except CloseknitError:
        return ssvc.DEFAULT_CURRENCY


def symbol_of(request: Request, p: Principal | None) -> str:
    """The workspace currency's symbol, for amounts in messages."""
    return ssvc.symbol(currency_of(request, p))


def render(
    request: Request, name: str, p: Principal | None, amounts_in: str | None = None, **ctx: Any
) -> HTMLResponse:
    """The page ``name`` with the context every page has. ``amounts_in``: the currency of the
    page's amounts where it is not the workspace's (a saved plan's, made before the workspace's
    currency changed): ``money`` writes them with its symbol."""
    cur = currency_of(request, p)
    ctx.update(
        request=request,
        me=p,
        csrf=getattr(request.state, "csrf", ""),
        partial=bool(request.headers.get("hx-request")),
        currency=cur,
        cur_symbol=ssvc.symbol(amounts_in or cur),
        nav=ctx.get("nav") or _section(request.url.path),
    )
    return templates.TemplateResponse(request, name, ctx)


def _section(path: str) -> str:
    return path.strip("/").split("/", 1)[0] or "discover"


# What a person reads as the heading of an error (never a class name).
TITLES = {
    "NotFound": "Not found",
    "ValidationError": "Please check what you entered",
    "PermissionDenied": "Not allowed",
    "AuthError": "Please sign in",
    "Conflict": "That clashes with what is there",
    "Ambiguous": "More than one creator matches",
    "RateLimited": "Too many attempts",
    "MethodNotAllowed": "Not available",
    "PayloadTooLarge": "The file is too large",
    "SolverError": "The plan could not be made",
    "InternalError": "Something went wrong on our side",
}


def error_view(type_: str, message: str) -> dict[str, str]:
    """An error for a page: a NotFound says the id as it was typed ("no list l_nope"), any
    other error its field names in words (``clean``)."""
    shown = message if type_ == "NotFound" else clean(message)
    return {"type": type_, "title": TITLES.get(type_, "Something went wrong"), "message": shown}


def error_page(
    request: Request, p: Principal | None, e: CloseknitError, status: int | None = None
) -> HTMLResponse:
    """The error as a styled message (inside the page for htmx swaps, else a full page)."""
    return error_response(request, p, e.type, e.message, status or e.http_status)


def error_response(
    request: Request, p: Principal | None, type_: str, message: str, status: int
) -> HTMLResponse:
    hx = bool(request.headers.get("hx-request"))
    name = "partials/error.html" if hx else "error.html"
    resp = render(request, name, p, error=error_view(type_, message), status=status)
    resp.status_code = 200 if hx else status
    return resp


# Form fields by the words the forms use.
FIELDS = {
    "min_followers": "Followers at least",
    "max_followers": "Followers at most",
    "min_engagement_rate": "Engagement rate at least %",
    "max_engagement_rate": "Engagement rate at most %",
    "min_fee": "Fee per post at least",
    "max_fee": "Fee per post at most",
    "min_authenticity": "Authenticity at least",
    "max_sponsored_rate": "Sponsored posts at most %",
    "min_country_share": "Audience in the brief's countries %",
    "min_age_share": "Audience in the age range %",
    "min_gender_share": "Audience of the gender %",
    "countries": "Country",
    "audience_age": "Audience age",
    "audience_gender": "Audience gender",
    "text": "Brief",
    "budget": "Budget",
    "landing_url": "Landing page",
    "discount_percent": "Discount",
    "code_pattern": "Code pattern",
    "start_date": "Start date",
    "end_date": "End date",
    "currency": "Currency",
    "new": "New password",
    "current": "Current password",
    "name": "Name",
    "creators": "Creators",
    "lock": "Kept-in creators",
    "compare": "Compared with",
    "sort": "Sort by",
    "since": "From",
    "until": "To",
    "brand": "Brand",
}

# Fields the pages offer as a menu: a value off the menu is refused with the menu's own words
# (it said "input should be 'previous' or 'last_year'").
OPTIONS = {
    "compare": ("the period before", "the same period last year"),
    "sort": tuple(words.lower() for words, _ in SORTS.values()),
}


def field_label(field: str) -> str:
    return FIELDS.get(field) or label(field)


# Fields in money: a number in a refusal of one is an amount in the workspace currency.
MONEY_FIELDS = frozenset({"budget", "min_fee", "max_fee", "fee", "amount", "seeding_cost"})
# a number as the library writes it in a message ("1000000000", "0.5"), not part of a date,
# an id, a percentage or a value the message quotes as it was typed
_MSG_NUMBER = re.compile(r"(?<![\w.:/\-\"“'])-?\d+(?:\.\d+)?(?![\w:/%\-\"”']|\.\d)")
_BOUNDS = (("less than or equal to", "at most"), ("greater than or equal to", "at least"))


def message_numbers(msg: str, field: str, symbol: str) -> str:
    """A refusal's numbers as the pages show numbers, one rule for every form: separators
    ("1,000,000,000", it said "1000000000"), and an amount with the currency and two decimals
    where the field is money ("$1,000,000,000.00"); the library's "less than or equal to" as
    "at most"."""
    for theirs, ours in _BOUNDS:
        msg = msg.replace(theirs, ours)
    if field in MONEY_FIELDS:
        return _MSG_NUMBER.sub(lambda m: figures.money(float(m.group(0)), symbol), msg)
    return _MSG_NUMBER.sub(lambda m: num(float(m.group(0))), msg)


def refusal_words(err: Any, *, symbol: str) -> str:
    """One refusal of a form value, "Field: what to do", the field named in the form's words
    and its numbers formatted (``message_numbers``, money in ``symbol``); a value off a menu
    (``OPTIONS``) says the menu's options as the page labels them."""
    field = error_field(err) or ""
    if field in OPTIONS and err.get("type") == "literal_error":
        *first, last = OPTIONS[field]
        return f"{field_label(field)}: choose {', '.join(first)} or {last}"
    msg = message_numbers(validation_message(err), field, symbol)
    msg = msg[:1].lower() + msg[1:]
    return f"{field_label(field)}: {msg}" if field else msg


# Fields the forms take in percent (2 for 2%) and the services as fractions (0.02): a refusal
# of one says the percent range the form takes, never the service's 0-1.
PERCENT_FIELDS = frozenset(
    {
        "min_engagement_rate",
        "max_engagement_rate",
        "max_sponsored_rate",
        "min_country_share",
        "min_age_share",
        "min_gender_share",
    }
)


def form_words(message: str, words: dict[str, str]) -> str:
    """A service's refusal with the fields it names (``since``) in the words of the form's
    labels (``From``): the page's own names for what the service calls otherwise."""
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b")
    return pattern.sub(lambda m: words[m.group(1)], clean(message))


def input_error(e: PydanticValidationError, *, symbol: str) -> ValidationError:
    """A form the service models refused, as one sentence naming the field in words (an
    amount in the workspace currency's ``symbol``)."""
    err = e.errors()[0]
    field = error_field(err) or ""
    if field in PERCENT_FIELDS:
        inp = err.get("input")
        typed = f" ({figures.percent(inp)} was entered)" if isinstance(inp, int | float) else ""
        return ValidationError(
            f"{field_label(field)}: enter a percentage from 0 to 100{typed}", field=field
        )
    return ValidationError(refusal_words(err, symbol=symbol), field=field or None)
