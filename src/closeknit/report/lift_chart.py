"""Actual-vs-counterfactual lift chart as inline SVG, shared by file reports and the web.

The SVG styles itself (presentation attributes on every element, the colours of the report's
palette), so it draws the same in the stand-alone printable report, which has no stylesheet
for it, as on the web page, whose CSS classes (kept on the elements) take precedence there.
Until 2026-12-06 it relied on those classes alone, and the printable report drew the lines and
the interval band as solid black shapes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

ACTUAL = "#4c78a8"  # the report's first palette colour (report/html.py PALETTE)
EXPECTED = "#555555"
MUTED = "#555555"
GRID = "#dddddd"


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


def nice_ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    """About ``n`` intervals of a round step (1, 2, 2.5 or 5 × a power of ten) covering
    [lo, hi]: 0, 250, 500, 750, 1,000 rather than max/4 (11.31, 22.62, 33.93, 45.24)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    n = max(n, 1)
    mag = 10 ** math.floor(math.log10((hi - lo) / n))
    # the smallest round step that covers [lo, hi] in at most n + 1 intervals
    for step in (m * mag * e for e in (0.1, 1, 10, 100) for m in (1, 2, 2.5, 5)):
        if m_is_quarter(step):
            continue  # 2.5 or 0.25 between gridlines reads worse than 2 or 5
        first = math.floor(lo / step + 1e-9) * step
        last = math.ceil(hi / step - 1e-9) * step
        k = round((last - first) / step)
        if k <= n + 1:
            break
    # 0.1 + 0.2: each tick from its index, rounded to the step's decimals
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return [round(first + i * step, digits) + 0.0 for i in range(k + 1)]


def m_is_quarter(step: float) -> bool:
    """Whether a step is 2.5 × a power of ten below 25 (2.5, 0.25): ticks of 25 or 250 read
    well, ticks of 2.5 do not."""
    if step <= 0 or step >= 10:
        return False
    mant = step / 10 ** math.floor(math.log10(step))
    return abs(mant - 2.5) < 1e-9


def tick_label(t: float, ticks: Sequence[float]) -> str:
    """A tick value with the decimals its step needs and thousands separators: 2,500, 0.2."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
    d = next((d for d in range(7) if abs(round(step, d) - step) <= 1e-9 * max(step, 1e-12)), 6)
    return f"{t:,.{d}f}"


def _title_lines(title: str, n: int) -> list[str]:
    """``title`` in one line of at most ``n`` characters, else two, broken between words."""
    if len(title) <= n:
        return [title]
    cut = title.rfind(" ", 0, n + 1)
    cut = cut if cut > 0 else n
    return [title[:cut].rstrip(), title[cut:].strip()]


def counterfactual_chart(
    series: Sequence[dict[str, Any]],
    post_start: str,
    *,
    title: str = "Actual vs counterfactual revenue",
    width: int = 640,
    height: int = 220,
    symbol: str = "",
) -> str:
    """Actual (solid) vs counterfactual (dashed) with its interval band and a launch marker.

    Gridlines at round values labelled by :func:`tick_label` after the currency ``symbol``
    ("$2,500", not "$2,500.00"), and no axis below zero unless a value is negative: revenue is
    not negative, so an interval band reaching below zero is drawn cut at zero (the axis read
    the data's extremes, "894.42 / -274.15", on the printable report and the page alike).
    """
    pts = [s for s in series if s.get("actual") is not None and s.get("counterfactual") is not None]
    if len(pts) < 2:
        return f'<p class="muted">{escape(title)}: not enough data to draw</p>'
    keys = ("actual", "counterfactual", "counterfactual_lo", "counterfactual_hi")
    data = [float(p[k]) for p in pts for k in ("actual", "counterfactual")]
    vals = [float(p[k]) for p in pts for k in keys if p.get(k) is not None]
    lo, hi = min(vals), max(vals)
    floor = None
    if min(data) >= 0:
        floor = 0.0  # nothing measured is negative: the band is cut at zero
        lo = max(lo, 0.0)
    ticks = nice_ticks(lo, hi)
    lo, hi = ticks[0], ticks[-1]
    if hi == lo:
        hi = lo + 1
    pad_l, pad_r, pad_t, pad_b = 64, 12, 24, 28
    # a title longer than the chart is wide goes on two lines (a measured series' title ran
    # past the box on the printable report): ~7 px a character at 12 px bold
    lines = _title_lines(title, (width - pad_l) // 7)
    pad_t += 14 * (len(lines) - 1)
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: int) -> float:
        return pad_l + i * w / (len(pts) - 1)

    def y(v: float) -> float:
        if floor is not None:
            v = max(v, floor)
        return pad_t + h - (v - lo) / (hi - lo) * h

    def poly(key: str) -> str:
        return " ".join(f"{x(i):.1f},{y(float(p[key])):.1f}" for i, p in enumerate(pts))

    def bound(p: dict[str, Any], key: str) -> float:
        v = p.get(key)
        return float(p["counterfactual"] if v is None else v)

    band = " ".join(
        [f"{x(i):.1f},{y(bound(p, 'counterfactual_hi')):.1f}" for i, p in enumerate(pts)]
        + [
            f"{x(i):.1f},{y(bound(p, 'counterfactual_lo')):.1f}"
            for i, p in reversed(list(enumerate(pts)))
        ]
    )
    text = f'font-family="sans-serif" font-size="10" fill="{MUTED}"'
    launch = next((i for i, p in enumerate(pts) if str(p.get("date")) >= post_start), None)
    marker = (
        f'<line x1="{x(launch):.1f}" y1="{pad_t}" x2="{x(launch):.1f}" y2="{pad_t + h}" '
        f'class="grid" stroke="#999999" stroke-dasharray="2 2"/><text x="{x(launch) + 3:.1f}" '
        f'y="{pad_t + 10}" {text} class="axis">launch</text>'
        if launch is not None
        else ""
    )
    y_axis = "".join(
        f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
        f'class="grid" stroke="{GRID}"/><text x="{pad_l - 4}" y="{y(t) + 3:.1f}" '
        f'text-anchor="end" {text} class="axis">'
        f"{escape(('-' if t < 0 else '') + symbol + tick_label(abs(t), ticks))}</text>"
        for t in ticks
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="sans-serif"><text x="{pad_l}" y="14" class="title" font-size="12" '
        f'font-weight="bold" fill="#222222">'
        + "".join(
            f'<tspan x="{pad_l}" dy="{0 if k == 0 else 14}">{escape(t)}</tspan>'
            for k, t in enumerate(lines)
        )
        + "</text>"
        f"{y_axis}"
        f'<text x="{pad_l}" y="{height - 6}" {text} class="axis">'
        f"{escape(str(pts[0]['date']))}</text>"
        f'<text x="{width - pad_r}" y="{height - 6}" text-anchor="end" {text} class="axis">'
        f"{escape(str(pts[-1]['date']))}</text>"
        f'<polygon points="{band}" fill="{EXPECTED}" fill-opacity="0.15" stroke="none"/>'
        f'<polyline points="{poly("counterfactual")}" class="line" fill="none" '
        f'stroke="{EXPECTED}" stroke-width="1.5" stroke-dasharray="5 3" opacity="0.8">'
        f"<title>expected without the campaign</title></polyline>"
        f'<polyline points="{poly("actual")}" class="line" fill="none" stroke="{ACTUAL}" '
        f'stroke-width="2"><title>actual</title></polyline>'
        f"{marker}</svg>"
    )
