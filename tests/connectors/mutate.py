"""Walking and changing nested JSON responses, for the connectors' property tests."""

from __future__ import annotations

from typing import Any


def json_paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and list positions) into ``obj``, parents before children."""
    out = [prefix] if prefix else []
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.extend(json_paths(v, (*prefix, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.extend(json_paths(v, (*prefix, i)))
    return out


def set_path(obj: Any, path: tuple[Any, ...], value: Any) -> None:
    """Put ``value`` at ``path`` inside ``obj``."""
    for k in path[:-1]:
        obj = obj[k]
    obj[path[-1]] = value
