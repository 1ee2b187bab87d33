"""Small server-side SVG charts (no JavaScript, no CDN): lines with flagged points, bars with
units, share bars for audiences and sparklines for trends."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

# The lift chart and the number format are shared with file reports (closeknit.report).
from closeknit import figures

# the lift chart is the printable report's, labelled in the campaign's currency (symbol=...)
from closeknit.report.lift_chart import counterfactual_chart as counterfactual_chart
from closeknit.report.lift_chart import fmt_number as _fmt

Fmt = Callable[[float], str]


def as_pct(v: float) -> str:
    """A 0-1 share as a percentage label, one decimal as the text beside it (a chart said 78%
    and 14% beside 77.5% and 13.9%, and 64% beside 1.5%)."""
    return figures.percent(v)


def money_label(symbol: str) -> Fmt:
    """An amount's label on a chart, by the money rule of the text beside it (two decimals,
    separators, the currency symbol): a chart said "$21" beside a fee of $20.61."""
    return lambda v: figures.money(v, symbol)


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    flags: Sequence[bool] | None = None,
    title: str = "",
    width: int = 640,
    height: int = 200,
    y_label: str = "",
    value_fmt: Fmt | None = None,
) -> str:
    """An SVG polyline over ``points`` (label, value); flagged points drawn as red dots."""
    vf = value_fmt or _fmt
    pts = [(lab, float(v)) for lab, v in points if v is not None]
    if len(pts) < 2:
        return f'<p class="muted">{escape(title)}: not enough data to draw yet</p>'
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
        f"{escape(pts[i][0])}: {vf(pts[i][1])} (flagged)</title></circle>"
        for i, (x, y) in enumerate(xy)
        if i < len(fl) and fl[i]
    )
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><text x="{pad_l}" y="14" class="title">'
        f"{escape(title)}</text>"
        f'<text x="4" y="{pad_t + 8}" class="axis">{escape(vf(hi))}</text>'
        f'<text x="4" y="{pad_t + h}" class="axis">{escape(vf(lo))}</text>'
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
    value_fmt: Fmt | None = None,
    label_width: int = 150,
) -> str:
    """Horizontal bars (label, value), optional interval whiskers and a reference line."""
    vf = value_fmt or _fmt
    rows = [(lab, float(v)) for lab, v in bars if v is not None]
    if not rows:
        return f'<p class="muted">{escape(title)}: no data yet</p>'
    ivs = list(intervals) if intervals is not None else [None] * len(rows)
    # a reference line's label gets a row of its own under the title (it was drawn over it)
    bar_h, pad_l, pad_r, top = 22, label_width, 90, 24 + (16 if ref is not None else 0)
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
    chars = max(6, label_width // 7)
    for i, (lab, v) in enumerate(rows):
        y = top + i * bar_h
        x0, x1 = sorted((sx(0), sx(v)))
        short = lab if len(lab) <= chars else lab[: chars - 1] + "…"
        parts.append(
            f'<text x="{pad_l - 6}" y="{y + 15}" class="axis" text-anchor="end">'
            f"{escape(short)}</text>"
            f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 1):.1f}" height="{bar_h - 6}" '
            f'class="{"bar" if v >= 0 else "bar neg"}">'
            f"<title>{escape(lab)}: {escape(vf(v))}</title></rect>"
        )
        iv = ivs[i] if i < len(ivs) else None
        end = max(x1, sx(0), sx(max(iv)) if iv else 0.0)
        text = vf(v)
        if ref is not None and end - 2 <= sx(ref) <= end + 8 + 7 * len(text):
            # the value's label goes past the reference line, not across it ("0.00×")
            end = max(end, sx(ref) + 2)
        parts.append(f'<text x="{end + 4:.1f}" y="{y + 15}" class="axis">{escape(text)}</text>')
        if iv:
            parts.append(
                f'<line x1="{sx(iv[0]):.1f}" y1="{y + bar_h / 2}" x2="{sx(iv[1]):.1f}" '
                f'y2="{y + bar_h / 2}" class="whisker"><title>interval {escape(vf(iv[0]))} to '
                f"{escape(vf(iv[1]))}</title></line>"
            )
    if ref is not None:
        parts.append(
            f'<line x1="{sx(ref):.1f}" y1="{top - 4}" x2="{sx(ref):.1f}" y2="{height - 6}" '
            f'class="ref"/><text x="{sx(ref) + 3:.1f}" y="{top - 8}" class="axis">'
            f"{escape(ref_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def share_bars(shares: dict[str, float], *, title: str, labels: dict[str, str] | None = None,
               limit: int = 8, width: int = 300) -> str:  # fmt: skip
    """An audience dimension as percentage bars (largest first, the rest summed as 'other')."""
    items = sorted(((k, v) for k, v in shares.items() if v is not None), key=lambda kv: -kv[1])
    if not items:
        return f'<p class="muted">{escape(title)}: no data yet</p>'
    top = items[:limit]
    rest = sum(v for _, v in items[limit:])
    if rest > 0.0005:
        top.append(("other", rest))
    lab = labels or {}
    return bar_chart(
        [(lab.get(k, k), v) for k, v in top],
        title=title,
        width=width,
        value_fmt=as_pct,
        label_width=110,
    )


def sparkline(
    values: Sequence[float], *, width: int = 160, height: int = 36, title: str = ""
) -> str:
    """A tiny line of counts over time (weekly posts of a topic)."""
    vals = [float(v) for v in values]
    if len(vals) < 2:
        return '<span class="muted">–</span>'
    hi = max(vals) or 1.0
    step = (width - 4) / (len(vals) - 1)
    pts = " ".join(
        f"{2 + i * step:.1f},{height - 3 - v / hi * (height - 6):.1f}" for i, v in enumerate(vals)
    )
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><polyline points="{pts}" class="line"/></svg>'
    )


def numeric_items(d: dict[str, Any] | None) -> list[tuple[str, float]]:
    if not isinstance(d, dict):
        return []
    return [
        (k, float(v))
        for k, v in d.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    ]


__all__ = [
    "as_pct",
    "bar_chart",
    "counterfactual_chart",
    "line_chart",
    "money_label",
    "numeric_items",
    "share_bars",
    "sparkline",
]
