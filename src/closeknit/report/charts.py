"""Vega-Lite v5 specs (plain dicts with inline data) for campaign reports.

The same spec serves the web dashboard (vega-embed, vendored) and files: the HTML report
embeds each spec as JSON and draws it as inline SVG with :func:`closeknit.report.html.render_svg`
(a small renderer for the bar-chart subset used here), so a report file needs no script or CDN.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def _bar(
    title: str,
    values: list[dict[str, Any]],
    x: str,
    y: str,
    *,
    color: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    fmt: str = ",.2f",
) -> dict[str, Any]:
    enc: dict[str, Any] = {
        "x": {"field": x, "type": "nominal", "sort": "-y", "title": x_title or x},
        "y": {"field": y, "type": "quantitative", "title": y_title or y, "format": fmt},
        "tooltip": [{"field": x}, {"field": y, "format": fmt}],
    }
    if color:
        enc["color"] = {"field": color, "type": "nominal"}
    return {
        "$schema": SCHEMA,
        "title": title,
        "data": {"values": values},
        "mark": {"type": "bar"},
        "encoding": enc,
        "width": "container",
        "height": 240,
    }


def roas_by_creator(report: dict[str, Any]) -> dict[str, Any]:
    vals = [
        {"creator": c.get("handle") or c["creator_id"], "roas": c["roas"], "tier": c["tier"]}
        for c in report["creators"]
        if c.get("roas") is not None
    ]
    return _bar(
        "ROAS by creator (attributed revenue / spend)",
        vals,
        "creator",
        "roas",
        color="tier",
        y_title="ROAS",
    )


def spend_vs_revenue(report: dict[str, Any]) -> dict[str, Any]:
    vals: list[dict[str, Any]] = []
    for c in report["creators"]:
        name = c.get("handle") or c["creator_id"]
        vals.append({"creator": name, "measure": "spend", "amount": c["spend"]})
        vals.append({"creator": name, "measure": "revenue", "amount": c["revenue"]})
    spec = _bar(
        "Spend and attributed revenue by creator",
        vals,
        "creator",
        "amount",
        color="measure",
        y_title="amount",
    )
    spec["encoding"]["xOffset"] = {"field": "measure"}
    spec["encoding"]["x"]["sort"] = None
    return spec


def tier_comparison(report: dict[str, Any]) -> dict[str, Any]:
    vals = [
        {"group": str(g["group"]).replace("_", " "), "roas": g["roas"], "cpa": g["cpa"]}
        for g in report["tiers"]
        if g.get("roas") is not None
    ]
    return _bar("Micro vs macro: ROAS by tier group", vals, "group", "roas", y_title="ROAS")
