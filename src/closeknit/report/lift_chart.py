"""Actual-vs-counterfactual lift chart as inline SVG, shared by file reports and the web."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any


def fmt_number(v: float) -> str:
    """A compact axis label: 1.2M, 3.4k, 0.0123, 12.5."""
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e3:
        return f"{v / 1e3:.1f}k"
    if a and a < 0.1:
        return f"{v:.3g}"
    return f"{v:.2f}".rstrip("0").rstrip(".")


def counterfactual_chart(
    series: Sequence[dict[str, Any]],
    post_start: str,
    *,
    title: str = "Actual vs counterfactual revenue",
    width: int = 640,
    height: int = 220,
) -> str:
    """Actual (solid) vs counterfactual (dashed) with its interval band and a launch marker."""
    pts = [s for s in series if s.get("actual") is not None and s.get("counterfactual") is not None]
    if len(pts) < 2:
        return f'<p class="muted">{escape(title)}: not enough data to draw</p>'
    vals = [float(p[k]) for p in pts for k in ("actual", "counterfactual_lo", "counterfactual_hi")]
    lo, hi = min(vals), max(vals)
    if hi == lo:
        hi = lo + 1
    pad_l, pad_r, pad_t, pad_b = 56, 12, 24, 28
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: int) -> float:
        return pad_l + i * w / (len(pts) - 1)

    def y(v: float) -> float:
        return pad_t + h - (v - lo) / (hi - lo) * h

    def poly(key: str) -> str:
        return " ".join(f"{x(i):.1f},{y(float(p[key])):.1f}" for i, p in enumerate(pts))

    band = (
        poly("counterfactual_hi")
        + " "
        + " ".join(
            f"{x(i):.1f},{y(float(p['counterfactual_lo'])):.1f}"
            for i, p in reversed(list(enumerate(pts)))
        )
    )
    launch = next((i for i, p in enumerate(pts) if str(p.get("date")) >= post_start), None)
    marker = (
        f'<line x1="{x(launch):.1f}" y1="{pad_t}" x2="{x(launch):.1f}" y2="{pad_t + h}" '
        f'class="grid" stroke-dasharray="2 2"/><text x="{x(launch) + 3:.1f}" y="{pad_t + 10}" '
        f'class="axis">launch</text>'
        if launch is not None
        else ""
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><text x="{pad_l}" y="14" class="title">'
        f"{escape(title)}</text>"
        f'<text x="4" y="{pad_t + 8}" class="axis">{fmt_number(hi)}</text>'
        f'<text x="4" y="{pad_t + h}" class="axis">{fmt_number(lo)}</text>'
        f'<text x="{pad_l}" y="{height - 6}" class="axis">{escape(str(pts[0]["date"]))}</text>'
        f'<text x="{width - pad_r}" y="{height - 6}" class="axis" text-anchor="end">'
        f"{escape(str(pts[-1]['date']))}</text>"
        f'<polygon points="{band}" fill="currentColor" opacity="0.12"/>'
        f'<polyline points="{poly("counterfactual")}" class="line" stroke-dasharray="5 3" '
        f'opacity="0.7"><title>counterfactual</title></polyline>'
        f'<polyline points="{poly("actual")}" class="line"><title>actual</title></polyline>'
        f"{marker}</svg>"
    )
