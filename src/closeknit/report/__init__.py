"""Charts (Vega-Lite JSON specs shared by web and files) and self-contained HTML reports."""

from closeknit.report.charts import roas_by_creator, spend_vs_revenue, tier_comparison
from closeknit.report.html import campaign_report_html, render_svg

__all__ = [
    "campaign_report_html",
    "render_svg",
    "roas_by_creator",
    "spend_vs_revenue",
    "tier_comparison",
]
