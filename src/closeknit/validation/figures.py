"""The placebo figures of docs/lift.md as standalone SVG (no plotting library needed)."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

W, H = 640, 300
PAD_L, PAD_R, PAD_T, PAD_B = 56, 16, 30, 36
STYLE = (
    "<style>text{font:11px sans-serif;fill:#333}.t{font-size:13px;font-weight:bold}"
    ".g{stroke:#bbb;stroke-width:1}.p{fill:none;stroke:#999;stroke-width:1;opacity:.6}"
    ".m{fill:none;stroke:#c0392b;stroke-width:2.5}.b{fill:#7f8c8d;opacity:.7}"
    ".d{fill:none;stroke:#2c3e50;stroke-width:2}</style>"
)


def _frame(title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img" aria-label="{escape(title)}">{STYLE}'
        f'<rect width="{W}" height="{H}" fill="white"/>'
        f'<text x="{PAD_L}" y="18" class="t">{escape(title)}</text>{body}</svg>\n'
    )


def prop99_svg(pr: dict[str, Any], *, max_rmspe_ratio: float = 5.0) -> str:
    """California's gap (actual − synthetic) against every placebo state's, 1970-2000."""
    years = pr["dates"]
    target = [pr["gap_by_year"][str(y)] for y in years]
    pre_ca = pr["pre_rmspe"]
    kept = {
        s: g
        for s, g in pr["placebo_gaps"].items()
        if pr["placebo_pre_rmspe"][s] <= max_rmspe_ratio * pre_ca
    }
    vals = [v for g in kept.values() for v in g] + target
    lo, hi = min(vals), max(vals)
    w, h = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + i * w / (len(years) - 1)

    def y(v: float) -> float:
        return PAD_T + h - (v - lo) / (hi - lo) * h

    def line(g: list[float], cls: str) -> str:
        pts = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(g))
        return f'<polyline points="{pts}" class="{cls}"/>'

    t0 = years.index(1989)
    body = [
        f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(0):.1f}" y2="{y(0):.1f}" class="g"/>',
        f'<line x1="{x(t0):.1f}" x2="{x(t0):.1f}" y1="{PAD_T}" y2="{PAD_T + h}" class="g" '
        'stroke-dasharray="3 3"/>',
        f'<text x="{x(t0) + 4:.1f}" y="{PAD_T + 12}">Prop 99 (1989)</text>',
        *[line(g, "p") for g in kept.values()],
        line(target, "m"),
        f'<text x="4" y="{y(hi) + 4:.1f}">{hi:+.0f}</text>',
        f'<text x="4" y="{y(0) + 4:.1f}">0</text>',
        f'<text x="4" y="{y(lo):.1f}">{lo:+.0f}</text>',
        f'<text x="{PAD_L}" y="{H - 20}">{years[0]}</text>',
        f'<text x="{W - PAD_R}" y="{H - 20}" text-anchor="end">{years[-1]}</text>',
        f'<text x="{PAD_L}" y="{H - 6}">red: California, gap {pr["gap_2000"]:+.1f} packs in 2000;'
        f" grey: {len(kept)} states as placebos (pre-period fit within {max_rmspe_ratio:g}x"
        f" California's); p = {pr['placebo_p_value']:.3f}</text>",
    ]
    return _frame("Per-capita cigarette sales: actual minus synthetic control", "".join(body))


def nulls_svg(z: np.ndarray, level: float = 0.90) -> str:
    """Histogram of the standardized estimates of campaigns without an effect vs N(0, 1)."""
    from scipy.stats import norm

    zq = float(norm.ppf(1 - (1 - level) / 2))
    bins = np.linspace(-4, 4, 33)
    clipped = np.clip(z, -3.999, 3.999)
    counts, _ = np.histogram(clipped, bins=bins)
    dens = counts / max(1, len(z)) / (bins[1] - bins[0])
    top = max(float(dens.max()), 0.45)
    w, h = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(v: float) -> float:
        return PAD_L + (v + 4) / 8 * w

    def y(v: float) -> float:
        return PAD_T + h - v / top * h

    bars = "".join(
        f'<rect x="{x(bins[i]) + 1:.1f}" y="{y(d):.1f}" '
        f'width="{x(bins[i + 1]) - x(bins[i]) - 2:.1f}" height="{PAD_T + h - y(d):.1f}" class="b"/>'
        for i, d in enumerate(dens)
    )
    grid = np.linspace(-4, 4, 161)
    curve = " ".join(
        f"{x(v):.1f},{y(math.exp(-v * v / 2) / math.sqrt(2 * math.pi)):.1f}" for v in grid
    )
    fp = float(np.mean(np.abs(z) > zq)) if len(z) else float("nan")
    body = [
        bars,
        f'<polyline points="{curve}" class="d"/>',
        *[
            f'<line x1="{x(s * zq):.1f}" x2="{x(s * zq):.1f}" y1="{PAD_T}" y2="{PAD_T + h}" '
            'class="g" stroke-dasharray="3 3"/>'
            for s in (-1, 1)
        ],
        *[
            f'<text x="{x(v):.1f}" y="{PAD_T + h + 14}" text-anchor="middle">{v}</text>'
            for v in range(-4, 5)
        ],
        f'<text x="{PAD_L}" y="{H - 6}">{len(z)} campaigns without an effect: estimate / s.e.;'
        f" curve N(0,1); outside the dashed lines (+-{zq:.2f}): {fp:.1%}</text>",
    ]
    return _frame("Placebo check: campaigns with no effect", "".join(body))


def write_figures(out: dict[str, Any], folder: Path) -> list[Path]:
    from closeknit.validation.lift import null_z_scores

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    rows = out["simulated"]["rows"] + out.get("nulls", {}).get("rows", [])
    p = folder / "lift-placebo-nulls.svg"
    p.write_text(nulls_svg(null_z_scores(rows)), encoding="utf-8")
    paths.append(p)
    if "prop99" in out:
        p = folder / "lift-placebo-prop99.svg"
        p.write_text(prop99_svg(out["prop99"]), encoding="utf-8")
        paths.append(p)
    return paths
