"""The printable report's charts draw on their own: styled without the web page's CSS, round
gridlines, no negative revenue axis unless a value is negative, labels cut with an ellipsis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from closeknit.report import campaign_report_html, render_svg, roas_by_creator
from closeknit.report.lift_chart import counterfactual_chart, nice_ticks
from tests.report.test_report_html import _report

NS = "{http://www.w3.org/2000/svg}"


def _series() -> list[dict[str, Any]]:
    """bandbox-202604's shape: revenue never below zero, the expected band's low end is."""
    out = []
    for i in range(20):
        post = i >= 12
        cf = 300.0 + 10 * (i % 7)
        out.append(
            {
                "date": f"2026-04-{i + 1:02d}",
                "actual": cf + (400.0 if post else 5.0) + (194.42 if i == 15 else 0.0),
                "counterfactual": cf,
                "counterfactual_lo": cf - (574.15 if post else 40.0),
                "counterfactual_hi": cf + 90.0,
            }
        )
    return out


def _lift() -> dict[str, Any]:
    return {
        "kind": "incremental",
        "incremental_revenue": {"estimate": 7505.97, "lo": 5895.29, "hi": 9116.64, "level": 0.9},
        "iroas": None,
        "notes": [],
        "chart_title": "Daily revenue of the 6 units that ran the campaign: actual vs expected",
        "counterfactual": {"post_start": "2026-04-13", "series": _series()},
    }


def _axis_labels(svg: str) -> list[str]:
    found = re.findall(r'text-anchor="end"[^>]*class="axis">([^<]+)</text>', svg)
    return [x for x in found if re.fullmatch(r"-?[\d,.]+", x)]  # not the last date


def test_the_lift_chart_in_the_printable_report_is_self_styled() -> None:
    """The stand-alone report has no CSS for class="line": its lines and band drew as solid
    black shapes."""
    html = campaign_report_html(_report(), _lift())
    svg = html[html.index("<svg", html.index("Lift: incremental")) :]
    svg = svg[: svg.index("</svg>") + 6]
    root = ET.fromstring(svg)
    lines = list(root.iter(f"{NS}polyline"))
    assert len(lines) == 2
    for el in lines:
        assert el.get("fill") == "none" and el.get("stroke", "").startswith("#"), el.attrib
    (band,) = root.iter(f"{NS}polygon")
    assert band.get("fill", "").startswith("#") and float(band.get("fill-opacity", 1)) < 0.5
    for t in root.iter(f"{NS}text"):
        assert t.get("fill") and t.get("font-size"), t.attrib
    assert "Daily revenue of the 6 units that ran the campaign" in svg


def test_the_lift_charts_axis_is_round_and_not_negative_for_revenue() -> None:
    """The axis read "894.42 / -274.15": the data's extremes, and below zero for revenue that
    never was (only the interval band's low end was)."""
    svg = counterfactual_chart(_series(), "2026-04-13")
    labels = _axis_labels(svg)
    assert labels[0] == "0" and not any(x.startswith("-") for x in labels), labels
    values = [float(x.replace(",", "")) for x in labels]
    steps = {round(b - a, 6) for a, b in zip(values, values[1:], strict=False)}
    assert len(steps) == 1 and steps.pop() in (100, 200, 250, 500), labels
    # a revenue that is negative keeps its negative axis
    neg = [dict(p, actual=p["actual"] - 1000) for p in _series()]
    assert any(x.startswith("-") for x in _axis_labels(counterfactual_chart(neg, "2026-04-13")))


def test_nice_ticks_are_round() -> None:
    assert nice_ticks(0, 45.24) == [0, 10, 20, 30, 40, 50]
    assert nice_ticks(0, 1463.5 * 4) == [0, 2000, 4000, 6000]
    assert nice_ticks(0, 894.42) == [0, 200, 400, 600, 800, 1000]
    assert nice_ticks(0, 0.37) == [0, 0.1, 0.2, 0.3, 0.4]


def test_bar_charts_have_round_ticks_and_cut_labels_with_an_ellipsis() -> None:
    """Ticks were max/4 ("11.31, 22.62, 33.93, 45.24"); handles were cut mid-word with no mark
    ("moveswithmigue")."""
    rep = _report()
    rep["creators"][0]["roas"] = 45.24
    rep["creators"][1]["handle"] = "moveswithmiguel_official"
    svg = render_svg(roas_by_creator(rep))
    ticks = re.findall(r'text-anchor="end">([^<]+)</text>', svg)
    assert ticks == ["0", "10", "20", "30", "40", "50"], ticks
    assert "moveswithmigu…" in svg and ">moveswithmigue<" not in svg
    ET.fromstring(svg)


def test_a_tier_comparison_of_one_group_is_left_out() -> None:
    rep = _report()
    rep["tiers"] = rep["tiers"][:1]
    html = campaign_report_html(rep)
    assert "Micro vs macro: ROAS by tier group" not in html
    assert "Micro vs macro: ROAS by tier group" in campaign_report_html(_report())


def test_the_printable_report_formats_cells_by_the_display_rules() -> None:
    """The printable report read CPA 6.67 and 77% new customers where the web read $6.68 and
    77.2%: it formatted with plain Python, not closeknit.figures."""
    from closeknit.report.html import _fmt

    assert _fmt(6.675, "money") == "6.68"
    assert _fmt(0.7722, "pct") == "77.2%"
    assert _fmt(2.4651, "ratio") == "2.47×"
    assert _fmt(None, "money") == "–"


def test_a_long_title_goes_on_two_lines_inside_the_chart() -> None:
    """A measured series' title ran past the printable report's chart box."""
    import re

    title = (
        "Revenue of the 6 units that ran the campaign, summed: actual vs expected without "
        "the campaign (dashed), with its 90% band"
    )
    svg = counterfactual_chart(_series(), "2026-04-13", title=title)
    spans = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert len(spans) == 2 and " ".join(spans) == title
    assert all(len(t) <= (640 - 64) // 7 for t in spans)
    short = counterfactual_chart(_series(), "2026-04-13", title="Revenue")
    assert re.findall(r"<tspan[^>]*>([^<]*)</tspan>", short) == ["Revenue"]
