"""Walking and changing nested JSON responses, for the connectors' property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


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


def mutate(resp: Any, data: st.DataObject, junk: st.SearchStrategy[Any]) -> None:
    """Replace one to four values anywhere in ``resp`` (drawn from ``junk``), in place."""
    paths = json_paths(resp)
    for _ in range(data.draw(st.integers(1, 4))):
        p = data.draw(st.sampled_from(paths))
        try:
            set_path(resp, p, data.draw(junk))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation replaced a parent
        paths = json_paths(resp) or [("kind",)]
