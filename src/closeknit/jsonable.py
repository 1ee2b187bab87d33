"""The one JSON conversion: any result closeknit produces -> JSON-safe Python values.

Used by every interface (CLI ``--json``, REST bodies, exports) and by the domain where it stores
JSON (saved plans, audit details, import results), so a value is written the same everywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import math
from pathlib import Path
from typing import Any


def to_jsonable(obj: Any) -> Any:
    """Dataclasses, pydantic models, objects with ``to_dict``, dates, Decimals, numpy scalars and
    arrays become plain JSON values; NaN and infinities become ``None``."""
    if obj is None or isinstance(obj, str | bool | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, _dt.datetime | _dt.date | _dt.time):
        return obj.isoformat()
    if isinstance(obj, decimal.Decimal):
        return to_jsonable(float(obj))
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump())
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if hasattr(obj, "tolist"):  # numpy scalars and arrays
        return to_jsonable(obj.tolist())
    if hasattr(obj, "item"):
        return to_jsonable(obj.item())
    return str(obj)
