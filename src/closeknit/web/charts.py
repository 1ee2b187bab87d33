"""Small server-side SVG charts (no JavaScript, no CDN): lines with flagged points, and bars."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

# The lift chart and the number format are shared with file reports (closeknit.report).
from closeknit.report.lift_chart import counterfactual_chart
from closeknit.report.lift_chart import fmt_number as _fmt


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    flags: Sequence[bool] | None = None,
    title: str = "",
    width: int = 640,
    height: int = 200,
    y_label: str = "",
) -> str:
    """An SVG polyline over ``points`` (label, value); flagged points drawn as red dots."""
    pts = [(lab, float(v)) for lab, v in points if v is not None]
    if len(pts) < 2:
        return f'<p class="muted">{escape(title)}: not enough data to draw</p>'
    fl = list(flags) if flags is not None else [False] * len(points)
    fl = [f for (lab, v), f in zip(points, fl, strict=False) if v is not None]
    pad_l, pad_r, pad_t, pad_b = 56, 12, 24, 28
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    if hi == lo:
        hi = lo + 1
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    xy = [
        (pad_l + i * w / (len(pts) - 1), pad_t + h - (v - lo) / (hi - lo) * h)
        for i, (_, v) in enumerate(pts)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="flag"><title>'
        f"{escape(pts[i][0])}: {_fmt(pts[i][1])} (flagged)</title></circle>"
        for i, (x, y) in enumerate(xy)
        if i < len(fl) and fl[i]
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><text x="{pad_l}" y="14" class="title">'
        f"{escape(title)}</text>"
        f'<text x="4" y="{pad_t + 8}" class="axis">{_fmt(hi)}</text>'
        f'<text x="4" y="{pad_t + h}" class="axis">{_fmt(lo)}</text>'
        f'<text x="{pad_l}" y="{height - 6}" class="axis">{escape(pts[0][0])}</text>'
        f'<text x="{width - pad_r}" y="{height - 6}" class="axis" text-anchor="end">'
        f"{escape(pts[-1][0])}</text>"
        f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{width - pad_r}" y2="{pad_t + h}" '
        f'class="grid"/><polyline points="{line}" class="line"/>{dots}'
        f'<text x="{width - pad_r}" y="14" class="axis" text-anchor="end">'
        f"{escape(y_label)}</text></svg>"
    )


def bar_chart(
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str = "",
    width: int = 640,
    ref: float | None = None,
    ref_label: str = "",
    intervals: Sequence[tuple[float, float] | None] | None = None,
) -> str:
    """Horizontal bars (label, value), optional interval whiskers and a reference line."""
    rows = [(lab, float(v)) for lab, v in bars if v is not None]
    if not rows:
        return f'<p class="muted">{escape(title)}: no data</p>'
    ivs = list(intervals) if intervals is not None else [None] * len(rows)
    bar_h, pad_l, pad_r, top = 22, 150, 70, 24
    height = top + bar_h * len(rows) + 10
    vals = [v for _, v in rows] + [x for iv in ivs if iv for x in iv]
    if ref is not None:
        vals.append(ref)
    lo, hi = min(0.0, *vals), max(0.0, *vals)
    if hi == lo:
        hi = lo + 1
    w = width - pad_l - pad_r

    def sx(v: float) -> float:
        return pad_l + (v - lo) / (hi - lo) * w

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><text x="4" y="14" class="title">{escape(title)}</text>'
    ]
    for i, (lab, v) in enumerate(rows):
        y = top + i * bar_h
        x0, x1 = sorted((sx(0), sx(v)))
        parts.append(
            f'<text x="{pad_l - 6}" y="{y + 15}" class="axis" text-anchor="end">'
            f"{escape(lab[:22])}</text>"
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{bar_h - 6}" '
            f'class="{"bar" if v >= 0 else "bar neg"}">'
            f"<title>{escape(lab)}: {_fmt(v)}</title></rect>"
            f'<text x="{max(x1, sx(0)) + 4:.1f}" y="{y + 15}" class="axis">{_fmt(v)}</text>'
        )
        iv = ivs[i] if i < len(ivs) else None
        if iv:
            parts.append(
                f'<line x1="{sx(iv[0]):.1f}" y1="{y + bar_h / 2}" x2="{sx(iv[1]):.1f}" '
                f'y2="{y + bar_h / 2}" class="whisker"/>'
            )
    if ref is not None:
        parts.append(
            f'<line x1="{sx(ref):.1f}" y1="{top - 4}" x2="{sx(ref):.1f}" y2="{height - 6}" '
            f'class="ref"/><text x="{sx(ref) + 3:.1f}" y="{top - 6}" class="axis">'
            f"{escape(ref_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def numeric_items(d: dict[str, Any] | None) -> list[tuple[str, float]]:
    if not isinstance(d, dict):
        return []
    return [
        (k, float(v))
        for k, v in d.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


__all__ = ["counterfactual_chart", "line_chart", "bar_chart", "numeric_items"]
