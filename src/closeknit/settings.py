"""Settings from the environment (prefix ``CLOSEKNIT_``), a ``.env`` file, or arguments."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# what a workspace id may be (lower-case letters, digits, '-' or '_'; at most 63)
WORKSPACE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_workspace_id(value: str, label: str) -> str:
    """``value`` when it is a workspace id; else the error naming it as ``label`` calls it
    ('My Brand' wrote rows under a workspace no page or key could open)."""
    from closeknit.errors import ValidationError

    if not WORKSPACE_ID.match(value):
        raise ValidationError(
            f"{label} {value!r} is not a workspace id (lower-case letters, digits, '-' or '_')",
            field="workspace",
        )
    return value


DEFAULT_TIERS: list[tuple[str, int]] = [
    ("nano", 1_000),
    ("micro", 10_000),
    ("macro", 100_000),
    ("mega", 1_000_000),
]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLOSEKNIT_", env_file=".env", extra="ignore")

    db: Path = Field(default=Path("closeknit.duckdb"), description="DuckDB file of the store")
    workspace: str = Field(default="default", description="workspace used by the CLI")
    # Tier lower bounds, ascending; vendors disagree, so this is configurable:
    # CLOSEKNIT_TIERS='[["nano",1000],["micro",10000],["macro",100000],["mega",1000000]]'
    tiers: list[tuple[str, int]] = Field(default_factory=lambda: list(DEFAULT_TIERS))
    threads: int = Field(default=2, ge=1)
    memory_limit: str = Field(default="8GB")
    secret_key: str = Field(default="", description="signs web sessions; generated if empty")
    host: str = "127.0.0.1"
    port: int = 8765
    datasets_dir: Path = Field(default=Path("../shared/datasets"))
    models_dir: Path | None = None
    # Which audience accounts count against the authenticity score: False (default) = only
    # fake/bot accounts; True = inactive accounts too (docs/vetting.md, "Authenticity").
    audience_inactive_counts_against: bool = Field(
        default=False,
        description="count inactive followers against authenticity, not just fake/bot ones",
    )
    smtp_host: str | None = None
    smtp_port: int = 25


def tier_of(followers: int | None, tiers: list[tuple[str, int]] | None = None) -> str | None:
    """Tier name for a follower count (None below the smallest tier or when unknown)."""
    if followers is None:
        return None
    result: str | None = None
    for name, lower in sorted(tiers or get_settings().tiers, key=lambda t: t[1]):
        if followers >= lower:
            result = name
    return result


def tiers_of(followers: Any, tiers: list[tuple[str, int]] | None = None) -> Any:
    """:func:`tier_of` of every count in a float array (NaN: unknown), as an object array:
    the last tier whose lower bound the count (truncated, as ``int()`` does) reaches."""
    import numpy as np

    f = np.asarray(followers, dtype=np.float64)
    bounds = sorted(tiers or get_settings().tiers, key=lambda t: t[1])
    names = np.array([None] + [n for n, _ in bounds], dtype=object)
    lows = np.array([lo for _, lo in bounds], dtype=np.float64)
    known = ~np.isnan(f)
    j = np.searchsorted(lows, np.where(known, np.trunc(f), -np.inf), side="right")
    out = names[j]
    out[~known] = None
    return out


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
