"""Named errors under one base, with one JSON shape shared by the CLI and the REST API.

Shape: ``{"error": {"type": "NotFound", "message": "...", "details": {...}}}``.
Messages must never contain secrets; :func:`redact` is applied to every message.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pydantic_core import ValidationError as PydanticValidationError

# a request line is logged percent-encoded ("token%3Dinv_…", "Bearer%20ck_…", "/%40ck_…"):
# the separators and the start of a credential are matched in either form
_SECRET_PATTERNS = [
    re.compile(r"(access_token|token|key|secret|password|signature)(=|%3D)([^&\s\"']+)", re.I),
    re.compile(r"(Bearer(?:\s+|%20|\+))([A-Za-z0-9._\-~+/=]+)", re.I),
]
_START = r"(?:(?<![A-Za-z0-9])|(?<=%[0-9A-Fa-f]{2}))"
# closeknit's own credentials wherever they appear (a key pasted into a path or a handle):
# an API key ``ck_<key id>_<secret>`` keeps its id (shown in key listings), an invitation
# token ``inv_<secret>`` keeps nothing
_OWN_CREDENTIALS = [
    re.compile(_START + r"(ck_[0-9a-f]{6,}_)[A-Za-z0-9_\-]{16,}"),
    re.compile(_START + r"(inv_)[A-Za-z0-9_\-]{16,}"),
]


def redact(text: str) -> str:
    """Replace anything that looks like a credential in ``text`` with ``***``."""
    text = _SECRET_PATTERNS[0].sub(lambda m: m.group(1) + m.group(2) + "***", text)
    text = _SECRET_PATTERNS[1].sub(lambda m: m.group(1) + "***", text)
    for pat in _OWN_CREDENTIALS:
        text = pat.sub(lambda m: m.group(1) + "***", text)
    return text


def redact_details(details: Any) -> Any:
    """``redact`` over every string of an error's details (they echo what the caller sent)."""
    if isinstance(details, str):
        return redact(details)
    if isinstance(details, dict):
        return {k: redact_details(v) for k, v in details.items()}
    if isinstance(details, list | tuple):
        return [redact_details(v) for v in details]
    return details


# What a value matching a field's pattern looks like, in words: pydantic's own message quotes
# the regular expression (thousands of characters for a country)
_PATTERN_WORDS = {
    "countries": "a country: an ISO code (GB) or a name (United Kingdom)",
    "country": "a country: an ISO code (GB) or a name (United Kingdom)",
    "languages": "a language: an ISO 639-1 code (en) or a name (English)",
    "language": "a language: an ISO 639-1 code (en) or a name (English)",
    "tiers": "a tier: nano, micro, macro or mega",
    "tier": "a tier: nano, micro, macro or mega",
    "platforms": "a platform: instagram, youtube or tiktok",
    "platform": "a platform: instagram, youtube or tiktok",
    "audience_gender": "F or M (or women or men)",
    "gender": "F or M (or women or men)",
    "audience_age": "an age range such as 18-24 or 35+",
    "age": "an age range such as 18-24 or 35+",
    "email": "an e-mail address",
    "workspace": "lower-case letters, digits, '-' and '_', starting with a letter or digit",
    "currency": "a currency code such as GBP",
}


def error_field(err: Any) -> str | None:
    """The field an input model's refusal is about: the last name in its location (a list
    item's index is not a field: ``countries`` not ``0``)."""
    names = [str(x) for x in err.get("loc", ()) if isinstance(x, str)]
    names = [n for n in names if n not in ("body", "query", "path", "form")]
    return names[-1] if names else None


def validation_message(err: Any) -> str:
    """One refusal of an input model in words: the library's "Value error, " prefix dropped,
    and a pattern mismatch said as what the value should be, never as the pattern itself."""
    # the library's "Value error, " prefix dropped, and its "Input should be ..." said of the
    # field the message names ("--budget: Input should be greater than 0")
    msg = str(err.get("msg", "")).removeprefix("Value error, ")
    if msg.startswith("Input should be "):
        msg = msg.removeprefix("Input ")
    inp = err.get("input")
    if isinstance(inp, float) and not math.isfinite(inp):
        # NaN fails every bound, so the library names the bound it checked first
        return "should be a number" if math.isnan(inp) else "should be a finite number"
    if err.get("type") == "string_pattern_mismatch":
        what = _PATTERN_WORDS.get(error_field(err) or "")
        msg = f"should be {what}" if what else "is not in the expected form"
        if isinstance(inp, str) and 0 < len(inp.strip()) <= 60:  # the value it refused
            msg += f', not "{inp.strip()}"'
    return msg


class CloseknitError(Exception):
    """Base class of every error closeknit raises on purpose."""

    http_status: int = 400
    exit_code: int = 1

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(redact(message))
        self.message = redact(message)
        self.details = redact_details(details)

    @property
    def type(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"type": self.type, "message": self.message, "details": self.details}}


class ConfigError(CloseknitError):
    """Settings or arguments that cannot work."""


class StoreError(CloseknitError):
    """The database file cannot be used."""

    http_status = 500


class SchemaTooNewError(StoreError):
    """The file was written by a newer closeknit than this one."""


class StoreMissing(StoreError):
    """No store at the path a command that only reads was given (a mistyped ``--db``)."""

    http_status = 404


class NotFound(CloseknitError):
    """An object does not exist (or is not visible to the caller's workspace)."""

    http_status = 404


def not_found(kind: str, given: str, known: list[str], **details: Any) -> NotFound:
    """``NotFound`` for an id of a workspace's saved ``kind`` (plan, list, brief): "no saved
    plan 1f2e in this workspace; did you mean 1f2e3d?", the closest known ids in
    ``details["suggestions"]`` (a list's and a brief's said only "no list X")."""
    import difflib

    close = difflib.get_close_matches(given.strip(), known, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return NotFound(f"no {kind} {given.strip()} in this workspace{hint}", suggestions=close,
                    **details)  # fmt: skip


class ValidationError(CloseknitError):
    """Input that does not fit; names the file, row and field where it can."""

    http_status = 422


class Ambiguous(ValidationError):
    """A name matches several objects; ``details["matches"]`` lists them, so the caller can pick."""


class ImportError_(CloseknitError):
    """An import could not run at all (good rows of a run are never half-written)."""


class ConnectorError(CloseknitError):
    """A live source failed in a way retrying will not fix."""

    http_status = 502


class AuthError(CloseknitError):
    """Missing or wrong credentials."""

    http_status = 401


class PermissionDenied(CloseknitError):
    """Authenticated, but the role does not allow it."""

    http_status = 403


class Conflict(CloseknitError):
    """The change conflicts with the current state."""

    http_status = 409


class InsufficientData(CloseknitError):
    """Too little data to give an honest number. A state of the stored data, not a fault of the
    request (which may be perfectly valid): 409, like any conflict with the current state."""

    http_status = 409


class SolverError(CloseknitError):
    """An optimizer or estimator failed."""

    http_status = 500


class RateLimited(CloseknitError):
    """Too many attempts; retry later."""

    http_status = 429


class ServiceUnavailable(CloseknitError):
    """A part of closeknit this call needs is not installed or not built yet."""

    http_status = 503


class MethodNotAllowed(CloseknitError):
    """The route exists but not with this HTTP method."""

    http_status = 405


class InternalError(CloseknitError):
    """An unexpected failure (details are logged, not returned)."""

    http_status = 500


class LoginRequired(CloseknitError):
    """A web page was asked for without a session: the browser is sent to the login page."""

    http_status = 401


def refusal(err: Any, label: str | None = None) -> ValidationError:
    """One refusal of an input model (a pydantic error dict) as the ValidationError every
    interface raises: "field: what it should be", the field in the details. ``label`` is how
    the caller names the field (a CLI option such as ``--max-sponsored``)."""
    field = error_field(err)
    msg = validation_message(err)
    shown = label or field
    return ValidationError(f"{shown}: {msg}" if shown else msg, field=field)


class InvalidRequest(PydanticValidationError, ValidationError):  # type: ignore[misc]
    """A request model (``closeknit.PlanIn(...)``) built with values it refuses: closeknit's
    :class:`ValidationError` (message ``"field: what it should be"``, ``details["field"]``,
    type ``ValidationError`` in the JSON shape) and still pydantic's own ``ValidationError``
    (``.errors()``), so code written against either catches it. Made by :func:`invalid_request`
    only."""

    message: str
    details: dict[str, Any]

    @property
    def type(self) -> str:
        return "ValidationError"

    def __str__(self) -> str:
        # the product's sentence (pydantic's own quotes a field's whole regular expression)
        return self.message


def invalid_request(exc: PydanticValidationError) -> InvalidRequest:
    """``exc`` (a request model's refusal) as an :class:`InvalidRequest` carrying the same
    errors, worded as :func:`refusal` words the first."""
    errors = exc.errors()
    out = InvalidRequest.from_exception_data(exc.title, errors)  # type: ignore[arg-type]
    first = refusal(errors[0]) if errors else ValidationError(f"{exc.title}: input does not fit")
    out.message, out.details = first.message, first.details
    return out
