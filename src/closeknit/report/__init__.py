"""Charts (Vega-Lite JSON specs shared by web and files) and self-contained HTML reports."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from closeknit.report.charts import roas_by_creator, spend_vs_revenue, tier_comparison
    from closeknit.report.html import campaign_report_html, render_svg

__all__ = [
    "campaign_report_html",
    "render_svg",
    "roas_by_creator",
    "spend_vs_revenue",
    "tier_comparison",
]

# Loaded on first use: the CLI's table helpers (closeknit.report.tables) must not pull in the
# chart and HTML modules for every command.
_LAZY = {
    "campaign_report_html": "html",
    "render_svg": "html",
    "roas_by_creator": "charts",
    "spend_vs_revenue": "charts",
    "tier_comparison": "charts",
}


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'closeknit.report' has no attribute {name!r}")
    return getattr(importlib.import_module(f"closeknit.report.{mod}"), name)
