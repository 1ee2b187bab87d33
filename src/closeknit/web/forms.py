"""Reading form and query values the way people type them: lists split on commas, blank means
unset, percentages typed as percent (2 for 2%) turned into the fractions the services take."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from closeknit.errors import ValidationError
from closeknit.web.render import field_label


def csv_list(*values: str | list[str] | None) -> list[str] | None:
    """Items from comma-separated strings and/or repeated fields; None when empty."""
    out: list[str] = []
    for v in values:
        for x in v if isinstance(v, list) else [v or ""]:
            out += [p.strip() for p in str(x).split(",") if p.strip()]
    return list(dict.fromkeys(out)) or None


def opt_float(v: str | None, field: str, *, scale: float = 1.0) -> float | None:
    """A number or None for a blank field; ``scale`` 0.01 turns a percent into a fraction."""
    s = (v or "").strip().replace(",", "").rstrip("%").strip()
    for sym in ("$", "£", "€", "¥", "₹"):
        s = s.replace(sym, "")
    if not s:
        return None
    mult = 1.0
    if s[-1:] in ("k", "K"):
        s, mult = s[:-1], 1000.0
    try:
        return float(s) * mult * scale
    except ValueError:
        raise ValidationError(f"{field_label(field)}: enter a number", field=field) from None


def req_float(v: str | None, field: str) -> float:
    """A number the form needs: a blank field is refused as a word that is not a number is
    ("Budget: enter a number"; a blank budget said "input should be a valid number")."""
    f = opt_float(v, field)
    if f is None:
        raise ValidationError(f"{field_label(field)}: enter a number", field=field)
    return f


def opt_int(v: str | None, field: str) -> int | None:
    f = opt_float(v, field)
    return None if f is None else int(round(f))


def keep(params: Mapping[str, Any], *drop: str) -> list[tuple[str, str]]:
    """The query as (name, value) pairs without ``drop`` (for sort and paging links)."""
    out = []
    for k, v in params.items():
        if k in drop:
            continue
        for x in v if isinstance(v, list) else [v]:
            if x not in (None, ""):
                out.append((k, str(x)))
    return out
