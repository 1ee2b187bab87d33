"""What the lift says in words: a headline no surer than its checks, a method line that says
what was used, a title that names what was measured, and no degenerate interval."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from closeknit.service.lift import LiftRequest, estimate_lift, import_holdout
from closeknit.store import Store
from closeknit.track.counterfactual import Interval
from closeknit.track.lift import conclude
from tests.service.test_lift import _campaign, _geo

ABOVE = Interval(11065.76, 9584.05, 12866.95, 0.90)


def _page(lift: Any) -> str:
    from closeknit.web.render import templates

    html = templates.get_template("partials/lift.html").render(
        lift=lift, lift_error=None, lift_svg="", cur="USD", sym="$",
        campaign_id=lift.campaign_id, more_placebos=None, target=None,
    )  # fmt: skip
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_very_likely_only_when_the_interval_and_the_placebos_agree() -> None:
    """ "The campaign very likely raised revenue" sat beside p = 0.250 (3 controls) and
    p = 0.143 (6 held-out units): the interval alone made the claim."""
    three = conclude(ABOVE, placebos=3, p_value=0.25)
    assert three.verdict == "weak_raised" and "very likely" not in three.headline
    assert "evidence" in three.headline and "weak" in three.headline
    assert "3 comparison series" in three.reason and "too few" in three.reason
    assert "at least 9" in three.reason  # with n placebos p cannot fall below 1/(n+1)
    six = conclude(ABOVE, placebos=6, p_value=1 / 7, compared_with="held-out units")
    assert six.verdict == "weak_raised" and "6 held-out units" in six.reason
    many = conclude(ABOVE, placebos=20, p_value=1 / 21)
    assert many.verdict == "likely_raised" and many.headline.endswith("very likely raised revenue")
    assert "none of the 20" in many.reason
    seen = conclude(ABOVE, placebos=20, p_value=7 / 21)
    assert seen.verdict == "weak_raised" and "6 of the 20" in seen.reason
    alone = conclude(ABOVE)
    assert alone.verdict == "weak_raised" and "no comparison series" in alone.reason
    assert conclude(Interval(-50.0, -90.0, -10.0), placebos=20, p_value=1 / 21).verdict == (
        "likely_lowered"
    )
    assert conclude(Interval(5.0, -1.0, 9.0), placebos=20, p_value=1 / 21).verdict == "unclear"
    assert conclude(ABOVE, randomized=True).verdict == "likely_raised"


def test_a_series_with_three_controls_says_weak_and_what_was_used(store: Store) -> None:
    """c1 + sales on the page: "very likely" beside p = 0.250, and the method line "regression
    on 3 control series (days) ..., 0 of 3 control series weighted"."""
    from tests.track.test_lift import _with_series

    cid, _ = _with_series(store)
    rep = estimate_lift(store, "default", LiftRequest(campaign_id=cid, target="sales", placebos=3))
    assert rep.incremental_revenue is not None and rep.incremental_revenue.lo > 0
    assert rep.conclusion is not None and rep.conclusion.verdict == "weak_raised"
    assert "and how it moved with 3 comparison series" in rep.method_text
    assert "weighted" not in rep.method_text and "0 of 3" not in rep.method_text
    assert rep.measured == "values of series sales"
    assert rep.chart_title.startswith("Daily values of series sales: actual vs expected")
    text = _page(rep)
    assert "very likely" not in text and rep.conclusion.headline in text
    assert "0 of 3 control series weighted" not in text and rep.method_text in text
    # the statistics stay on the page, under "Technical details", not as the headline
    assert rep.placebo is not None and f"p = {rep.placebo.p_value:.3f}" in text
    assert text.index("Technical details") < text.index(f"p = {rep.placebo.p_value:.3f}")


def test_a_geo_design_is_not_called_the_shops_revenue(store: Store) -> None:
    """BandBox's target is the sum of 6 treated regions against 6 held out; the page titled it
    "Daily shop revenue" and its method "time-series model of the shop's daily revenue"."""
    _campaign(store)
    treated = _geo(store)
    design = [{"unit": f"r{i:02d}", "arm": "treated" if f"r{i:02d}" in treated else "control"}
              for i in range(12)]  # fmt: skip
    import_holdout(store, "default", "geo", design, file="design.csv")
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="geo", placebos=6))
    assert rep.measured == "revenue of the 6 units that ran the campaign"
    assert rep.chart_title.startswith("Daily revenue of the 6 units that ran the campaign")
    assert "6 held-out units" in rep.method_text and "time-based regression" in rep.method_text
    assert rep.conclusion is not None and rep.conclusion.verdict != "likely_raised"  # p >= 1/7
    text = _page(rep)
    assert "shop" not in text.lower() and "very likely" not in text
    assert "Checked against 6 held-out units" in text
    from closeknit.service.lift import chart_spec

    assert chart_spec(rep)["title"] == rep.chart_title


def test_the_unnamed_target_note_names_no_option(store: Store) -> None:
    """The note read "Target series imported but not named: sales (name one as the target
    ...)", the CLI's --target, on the web page (which links each series instead)."""
    from tests.track.test_lift import _with_series

    cid, _ = _with_series(store)
    rep = estimate_lift(store, "default", LiftRequest(campaign_id=cid))
    assert rep.kind == "own_revenue" and rep.unnamed_targets == ["sales"]
    said = rep.targets_note
    assert said and "sales" in said and "name one as the target" not in said and "--" not in said
    assert said not in rep.notes  # once, in targets_note
    text = _page(rep)
    assert "measure one of the series imported as a target" not in text  # the links say it
    assert "Estimate the extra revenue against a sales series you imported: sales" in text


def test_own_revenue_without_a_halo_shows_no_interval(store: Store) -> None:
    """ "744 (744 to 744)": a figure with no halo has no interval to show."""
    from closeknit.report.html import _lift_line

    _campaign(store, "plain")
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="plain"))
    assert rep.own_revenue is not None and rep.own_revenue.halo is None
    text = _page(rep)
    assert "interval" not in text.split("Not incremental.")[1].split("from 0 orders")[0]
    line = _lift_line(rep.model_dump(mode="json"))
    assert "no halo estimate, so no interval" in line and " to " not in line


@pytest.mark.parametrize("verdict", ["likely_raised", "weak_raised", "unclear"])
def test_the_printable_report_carries_the_headline(verdict: str) -> None:
    from closeknit.report.html import campaign_report_html
    from tests.report.test_report_html import _report

    lift = {
        "kind": "incremental",
        "incremental_revenue": {"estimate": 10.0, "lo": 1.0, "hi": 20.0, "level": 0.9},
        "conclusion": {"verdict": verdict, "headline": f"H-{verdict}", "reason": "because"},
        "method_text": "Expected revenue without the campaign: M.",
        "notes": [],
    }
    html = campaign_report_html(_report(), lift)
    assert f"H-{verdict}" in html and "How it was measured: Expected revenue" in html
    # amounts by the money rule, as the lift's own text ("Incremental revenue 10" before)
    assert "Incremental revenue 10.00 (90% interval 1.00 to 20.00)" in html


def test_the_lift_panel_leaves_the_reports_notes_to_the_report(store: Store) -> None:
    """The campaign page showed "net of refunds" and the currency note twice: in the report's
    panel and again in the lift's (own revenue repeats them for a lift read alone)."""
    from tests.track.test_lift import refunded_campaign

    cid = refunded_campaign(store)
    rep = estimate_lift(store, "default", LiftRequest(campaign_id=cid))
    assert rep.kind == "own_revenue"
    said = " ".join(rep.report_notes)
    assert "net of refunds" in said and "no exchange rate is kept" in said
    assert not set(rep.report_notes) & set(rep.notes)
    text = _page(rep)
    for n in rep.report_notes:
        assert n[1:60] not in text, n  # from its second letter: the page capitalises


def test_a_left_out_control_is_said_once_on_the_page(store: Store) -> None:
    """A control series left out (a copy of the target) was a note as well as ``left_out``:
    the CLI filtered the note by its wording; the page showed only the note."""
    from closeknit.track.lift import import_series
    from tests.track.test_lift import _with_series

    cid, _ = _with_series(store)
    rows = store.query(
        "SELECT date, value FROM lift_series WHERE workspace_id = 'default' AND series = 'sales'"
    )
    import_series(
        store,
        "default",
        [{"series": "copy", "date": str(r["date"]), "value": r["value"] * 3, "role": "control"}
         for r in rows],
    )  # fmt: skip
    rep = estimate_lift(store, "default", LiftRequest(campaign_id=cid, target="sales", placebos=0))
    assert [x.series for x in rep.left_out] == ["copy"]
    assert not [n for n in rep.notes if "copy" in n]
    text = _page(rep)
    assert text.count("copy (") == 1 and "Left out of the comparison: copy (" in text


def test_the_own_revenue_panel_says_not_incremental_without_repeating_itself(
    store: Store,
) -> None:
    """The panel said the figure is not incremental three times: the headline, a fixed
    sentence of the page and the result's own note."""
    from tests.track.test_lift import refunded_campaign

    rep = estimate_lift(store, "default", LiftRequest(campaign_id=refunded_campaign(store)))
    text = _page(rep).lower()
    assert text.count("not incremental") + text.count("not an incremental") <= 2, text
    assert text.count("would have bought anyway") <= 1, text
