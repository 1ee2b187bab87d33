"""Small helpers shared by plan, track and report."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any


def jsonable(obj: Any) -> Any:
    """JSON-safe copy: NaN/inf become None, dates ISO strings, numpy scalars Python numbers."""
    if obj is None or isinstance(obj, str | bool):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set):
        return [jsonable(v) for v in obj]
    if isinstance(obj, _dt.datetime | _dt.date):
        return obj.isoformat()
    if hasattr(obj, "to_dict"):
        return jsonable(obj.to_dict())
    if hasattr(obj, "tolist"):
        return jsonable(obj.tolist())
    if hasattr(obj, "item"):
        return jsonable(obj.item())
    return str(obj)
