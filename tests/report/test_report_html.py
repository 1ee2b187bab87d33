from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from closeknit.report import campaign_report_html, render_svg, roas_by_creator, tier_comparison


def _report() -> dict:  # type: ignore[type-arg]
    creators = [
        {
            "creator_id": "instagram:a",
            "handle": "a",
            "tier": "micro",
            "stage": "paid",
            "spend": 100.0,
            "revenue": 300.0,
            "orders": 3,
            "roas": 3.0,
            "margin_roas": 1.5,
            "cpa": 33.3,
            "cpe": 0.5,
            "cpm": 10.0,
            "new_customer_share": 0.5,
        },
        {
            "creator_id": "instagram:b",
            "handle": "b</script>",
            "tier": "macro",
            "stage": "content_live",
            "spend": 1000.0,
            "revenue": 500.0,
            "orders": 5,
            "roas": 0.5,
            "margin_roas": None,
            "cpa": 200.0,
            "cpe": 2.0,
            "cpm": None,
            "new_customer_share": None,
        },
    ]
    return {
        "campaign": {"campaign_id": "c", "name": "Camp <1>", "start_date": None, "end_date": None},
        "totals": {
            "spend": 1100.0,
            "revenue": 800.0,
            "roas": 800 / 1100,
            "margin_roas": None,
            "orders": 8,
            "cpa": 137.5,
            "new_customer_share": 0.5,
        },
        "creators": creators,
        "tiers": [
            {
                "group": "micro_and_below",
                "n_creators": 1,
                "spend": 100.0,
                "revenue": 300.0,
                "roas": 3.0,
                "cpa": 33.3,
                "cpe": 0.5,
            },
            {
                "group": "macro_and_above",
                "n_creators": 1,
                "spend": 1000.0,
                "revenue": 500.0,
                "roas": 0.5,
                "cpa": 200.0,
                "cpe": 2.0,
            },
        ],
        "window_days": 30,
        "notes": ["EMV is not ROI"],
    }


def test_specs_are_vega_lite_with_inline_data() -> None:
    spec = roas_by_creator(_report())
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert [v["roas"] for v in spec["data"]["values"]] == [3.0, 0.5]
    json.dumps(spec)
    assert tier_comparison(_report())["encoding"]["y"]["field"] == "roas"


def test_svg_is_well_formed_and_bars_scale() -> None:
    svg = render_svg(roas_by_creator(_report()))
    root = ET.fromstring(svg)
    bars = [e for e in root.iter() if e.tag.endswith("rect")]
    heights = sorted(float(b.get("height", 0)) for b in bars if b.get("width") != "10")
    assert len(heights) == 2 and heights[1] / heights[0] == __import__("pytest").approx(6, rel=0.02)


def test_html_is_self_contained_and_escaped() -> None:
    html = campaign_report_html(_report())
    assert "<script src" not in html and "cdn" not in html.lower()
    assert "Camp &lt;1&gt;" in html
    assert "b</script>" not in html  # neither in the table nor inside the embedded specs
    assert html.count('type="application/vnd.vegalite+json"') == 3
    # stages and groups in words, the currency named (the printable report showed
    # content_live and micro_and_below, and amounts without a currency)
    assert "content_live" not in html.split("<script")[0] and "content live" in html
    assert "micro_and_below" not in html.split("<script")[0]
    rep = _report()
    rep["campaign"]["currency"] = "EUR"
    assert "amounts in EUR" in campaign_report_html(rep)
