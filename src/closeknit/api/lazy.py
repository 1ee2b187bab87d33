"""Domain modules are imported when a route runs, so the app starts whatever is installed."""

from __future__ import annotations

import importlib
from typing import Any

from closeknit.errors import ServiceUnavailable


def need(module: str, attr: str | None = None) -> Any:
    """Import ``module`` (and ``attr`` from it) or raise a 503 ServiceUnavailable saying which."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            raise ServiceUnavailable(
                f"{module} is not available in this installation", module=module
            ) from None
        raise
    if attr is None:
        return mod
    try:
        return getattr(mod, attr)
    except AttributeError:
        raise ServiceUnavailable(f"{module}.{attr} is not available", module=module) from None


def have(module: str, attr: str | None = None) -> bool:
    try:
        need(module, attr)
    except ServiceUnavailable:
        return False
    return True


def as_dict(obj: Any) -> Any:
    """JSON-safe form of a domain result (prefers its own ``to_dict``)."""
    from closeknit.cli.common import to_jsonable

    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    return to_jsonable(obj)
