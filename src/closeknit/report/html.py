"""Self-contained HTML campaign report: tables, inline SVG charts, the specs as JSON; no CDN."""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any

from jinja2 import Environment, select_autoescape

from closeknit import figures
from closeknit.jsonable import to_jsonable
from closeknit.report.charts import roas_by_creator, spend_vs_revenue, tier_comparison
from closeknit.report.lift_chart import counterfactual_chart, nice_ticks, tick_label

PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d"]


def render_svg(spec: dict[str, Any], width: int = 720, height: int = 260) -> str:
    """Draw the bar-chart subset of Vega-Lite used in :mod:`closeknit.report.charts` as SVG."""
    enc = spec["encoding"]
    xf, yf = enc["x"]["field"], enc["y"]["field"]
    cf = enc.get("color", {}).get("field")
    vals = [v for v in spec["data"]["values"] if v.get(yf) is not None]
    title = html.escape(str(spec.get("title", "")))
    if not vals:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="40" role="img">'
            f'<text x="4" y="24" font-size="13">{title}: no data</text></svg>'
        )
    cats: list[str] = []
    for v in vals:
        if str(v[xf]) not in cats:
            cats.append(str(v[xf]))
    if enc["x"].get("sort") == "-y" and not enc.get("xOffset"):
        cats.sort(key=lambda c: -max(float(v[yf]) for v in vals if str(v[xf]) == c))
    groups = sorted({str(v[cf]) for v in vals}) if cf else [""]
    colors = {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}
    # round gridlines from zero (they were max/4: 11.31, 22.62, 33.93, 45.24)
    ticks = nice_ticks(
        min(min(float(v[yf]) for v in vals), 0.0), max(max(float(v[yf]) for v in vals), 0.0)
    )
    bottom, top = ticks[0], ticks[-1]
    left, pad_top, pad_bottom = 56, 28, 70
    plot_h = height - pad_top - pad_bottom
    plot_w = width - left - 10
    band = plot_w / len(cats)
    offset = bool(enc.get("xOffset"))
    sub = band * 0.8 / (len(groups) if offset else 1)

    def ypos(y: float) -> float:
        return pad_top + plot_h * (top - y) / (top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="{title}" font-family="sans-serif">',
        f'<text x="{left}" y="16" font-size="13" font-weight="bold">{title}</text>',
    ]
    for y in ticks:
        out.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{ypos(y):.1f}" y2="{ypos(y):.1f}" '
            f'stroke="#ddd"/><text x="{left - 4}" y="{ypos(y) + 4:.1f}" font-size="10" '
            f'text-anchor="end">{tick_label(y, ticks)}</text>'
        )
    for i, c in enumerate(cats):
        x0 = left + i * band + band * 0.1
        for v in (v for v in vals if str(v[xf]) == c):
            g = str(v[cf]) if cf else ""
            gi = groups.index(g) if offset else 0
            y = float(v[yf])
            y1, y2 = sorted((ypos(y), ypos(0.0)))
            out.append(
                f'<rect x="{x0 + gi * sub:.1f}" y="{y1:.1f}" width="{sub:.1f}" '
                f'height="{max(y2 - y1, 0.5):.1f}" fill="{colors[g]}"><title>'
                f"{html.escape(c)} {html.escape(g)}: {y:,.2f}</title></rect>"
            )
        # a long handle cut with an ellipsis, not mid-word with nothing to say so
        label = html.escape(c if len(c) <= 14 else c[:13] + "…")
        out.append(
            f'<text transform="translate({left + i * band + band / 2:.1f},'
            f'{height - pad_bottom + 12}) rotate(35)" font-size="10">{label}</text>'
        )
    if cf:
        for k, g in enumerate(groups):
            out.append(
                f'<rect x="{width - 150}" y="{22 + 14 * k}" width="10" height="10" '
                f'fill="{colors[g]}"/><text x="{width - 136}" y="{31 + 14 * k}" '
                f'font-size="10">{html.escape(g)}</text>'
            )
    out.append("</svg>")
    return "".join(out)


_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Campaign report: {{ c.name }}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1rem 0;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
.kpi{display:inline-block;margin:0 1.5rem 1rem 0}.kpi b{display:block;font-size:1.4rem}
.note{color:#555;font-size:13px}
</style></head><body>
<h1>{{ c.name }} — campaign report</h1>
<p class="note">Campaign {{ c.campaign_id }} · {{ dates }}
· amounts in {{ c.currency or "the campaign's currency" }}
· link orders counted up to {{ window }} days after go-live · generated {{ generated }}</p>
<div>
{% for label, key, f in kpis %}<div class="kpi">{{ label }}<b>{{ fmt(t[key], f) }}</b></div>
{% endfor %}
</div>
{% for svg in svgs %}<figure>{{ svg | safe }}</figure>{% endfor %}
<h2>Creators</h2>
<table><tr>{% for h in cols %}<th>{{ h[0] }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for h in cols %}<td>{{ fmt(r[h[1]], h[2]) }}</td>{% endfor %}</tr>
{% endfor %}
</table>
<h2>Micro vs macro</h2>
<table><tr>{% for h in tcols %}<th>{{ h[0] }}</th>{% endfor %}</tr>
{% for r in tiers %}<tr>{% for h in tcols %}<td>{{ fmt(r[h[1]], h[2]) }}</td>{% endfor %}</tr>
{% endfor %}
</table>
<h2>Notes</h2><ul>{% for n in notes %}<li class="note">{{ n }}</li>{% endfor %}</ul>
<section><h2>Lift: incremental revenue beyond last click</h2>
{% if lift and lift.kind == "own_revenue" %}
<p><strong>Not incremental.</strong> {{ lift_error }}</p>
<p>{{ lift_line }}</p>
{% for n in lift.notes %}<p class="note"><em>{{ n }}</em></p>{% endfor %}
{% if lift.targets_note %}<p class="note"><em>{{ lift.targets_note }}</em></p>{% endif %}
{% elif lift %}<p>{{ lift_line }}</p>
{% if lift.conclusion %}{% set cc = lift.conclusion %}
<p><strong>{{ cc.headline }}</strong>: {{ cc.reason }}.</p>{% endif %}
{% if lift.method_text %}<p class="note">How it was measured: {{ lift.method_text }}</p>{% endif %}
{{ lift_svg | safe }}
{% if lift.left_out %}<p class="note"><em>Left out of the comparison:
{% for x in lift.left_out[:8] %}{{ x.series }} ({{ x.reason }})
{%- if not loop.last %}; {% endif %}{% endfor %}
{%- if lift.left_out|length > 8 %} and {{ lift.left_out|length - 8 }} more{% endif %}.</em></p>
{% endif %}
{% if lift.placebo and lift.placebo.note %}
<p class="note"><em>{{ lift.placebo.note }}</em></p>{% endif %}
{% for n in lift.notes %}<p class="note"><em>{{ n }}</em></p>{% endfor %}
{% if lift.method == "holdout" and lift.holdout %}{% for n in lift.holdout.notes %}
<p class="note"><em>{{ n }}</em></p>{% endfor %}{% endif %}
{% else %}<p>Not estimated: {{ lift_error or "no lift estimate was asked for" }}</p>{% endif %}
</section>
{% for s in specs %}<script type="application/vnd.vegalite+json">{{ s | safe }}</script>
{% endfor %}</body></html>
"""


def _fmt(v: Any, f: str) -> str:
    """A cell by the display rules every interface uses (closeknit.figures: 6.675 is 6.68 and
    a share 77.2%, as on the web; this file read 6.67 and 77%)."""
    if v is None:
        return "–"
    if f == "money":
        return figures.money(v)
    if f == "ratio":
        return figures.ratio(v)
    if f == "pct":
        return figures.percent(v)
    if f == "int":
        return f"{int(v):,}"
    if f == "words":  # a stage or group name as words: 'content_live' -> 'content live'
        return str(v).replace("_", " ")
    return str(v)


def _m(v: Any) -> str:
    # amounts by the money rule, as the lift's own text (it wrote "6,716" and "605.50")
    return figures.money(v)


def _lift_line(lift: dict[str, Any]) -> str:
    own = lift.get("own_revenue")
    if lift.get("kind") == "own_revenue" and own:
        t, halo, roas = own["total"], own.get("halo"), own.get("roas")
        codes = (
            f"{_m(own['attributed_revenue'])} from "
            f"{figures.count(own['attributed_orders'], 'order')} with its codes or links"
        )
        if not halo:
            # the total is the attributed revenue alone: a figure, not "744 (744 to 744)"
            line = f"Own revenue {codes} (no halo estimate, so no interval)"
            if roas:
                line += f"; ROAS {roas['estimate']:.2f}"
            return line
        line = (
            f"Own revenue {_m(t['estimate'])} ({_pct(t)} interval {_m(t['lo'])} to "
            f"{_m(t['hi'])}): {codes}, halo {_m(halo['estimate'])} ({_m(halo['lo'])} to "
            f"{_m(halo['hi'])})"
        )
        if roas:
            line += (
                f"; ROAS incl. halo {roas['estimate']:.2f} ({roas['lo']:.2f} to {roas['hi']:.2f})"
            )
        return line
    inc, iroas = lift["incremental_revenue"], lift.get("iroas")
    line = (
        f"Incremental revenue {_m(inc['estimate'])} ({_pct(inc)} interval {_m(inc['lo'])} to "
        f"{_m(inc['hi'])})"
    )
    if iroas:
        line += f"; iROAS {iroas['estimate']:.2f} ({iroas['lo']:.2f} to {iroas['hi']:.2f})"
    return line


def _pct(iv: dict[str, Any]) -> str:
    return f"{round(100 * float(iv.get('level', 0.9)))}%"


def campaign_report_html(report: Any, lift: Any = None, lift_error: str | None = None) -> str:
    """The ROAS report and, when given, the lift estimate (or why there is none) as one
    self-contained HTML page: the one campaign report every interface writes."""
    rep = to_jsonable(report)
    lf = to_jsonable(lift) if lift is not None else None
    cf = (lf or {}).get("counterfactual") or {}
    specs = [roas_by_creator(rep), spend_vs_revenue(rep)]
    tiers = tier_comparison(rep)
    if len({str(v["group"]) for v in tiers["data"]["values"]}) >= 2:
        specs.append(tiers)  # a "micro vs macro" chart of one group compares nothing
    env = Environment(autoescape=select_autoescape(default=True))
    env.globals["fmt"] = _fmt
    cols = [
        ("creator", "handle", "s"),
        ("tier", "tier", "s"),
        ("stage", "stage", "words"),
        ("spend", "spend", "money"),
        ("revenue", "revenue", "money"),
        ("orders", "orders", "int"),
        ("ROAS", "roas", "ratio"),
        ("margin ROAS", "margin_roas", "ratio"),
        ("CPA", "cpa", "money"),
        ("CPE", "cpe", "money"),
        ("CPM", "cpm", "money"),
        ("new cust.", "new_customer_share", "pct"),
    ]
    tcols = [
        ("group", "group", "words"),
        ("creators", "n_creators", "int"),
        ("spend", "spend", "money"),
        ("revenue", "revenue", "money"),
        ("ROAS", "roas", "ratio"),
        ("CPA", "cpa", "money"),
        ("CPE", "cpe", "money"),
    ]
    kpis = [
        ("Spend", "spend", "money"),
        ("Attributed revenue", "revenue", "money"),
        ("ROAS", "roas", "ratio"),
        ("Margin ROAS", "margin_roas", "ratio"),
        ("Orders", "orders", "int"),
        ("CPA", "cpa", "money"),
        ("New customers", "new_customer_share", "pct"),
    ]
    # "</" inside inline JSON would end the script element early
    spec_json = [json.dumps(s).replace("</", "<\\/") for s in specs]
    return env.from_string(_TEMPLATE).render(
        c=rep["campaign"],
        dates=figures.run_words(rep["campaign"].get("start_date"), rep["campaign"].get("end_date")),
        window=rep["window_days"],
        t=rep["totals"],
        rows=rep["creators"],
        tiers=rep["tiers"],
        notes=rep["notes"],
        kpis=kpis,
        cols=cols,
        tcols=tcols,
        svgs=[render_svg(s) for s in specs],
        specs=spec_json,
        lift=lf,
        lift_line=_lift_line(lf) if lf else "",
        lift_svg=counterfactual_chart(
            cf.get("series", []),
            str(cf.get("post_start", "")),
            title=(lf or {}).get("chart_title")
            or "Actual vs expected revenue without the campaign",
        )
        if cf
        else "",
        lift_error=lift_error,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
