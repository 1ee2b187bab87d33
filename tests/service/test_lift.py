"""The lift service: typed requests and reports, and which path ``method='auto'`` takes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from closeknit.errors import ValidationError
from closeknit.service.lift import (
    AssignmentColumns,
    LiftReport,
    LiftRequest,
    estimate_lift,
    import_holdout,
    import_series,
    list_series,
)
from closeknit.store import Store

START = dt.date(2026, 5, 4)


def _campaign(store: Store, cid: str = "geo") -> None:
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO campaigns (workspace_id, campaign_id, name, start_date, end_date) "
            "VALUES ('default', ?, ?, ?, ?)",
            [cid, cid, START, START + dt.timedelta(days=27)],
        )
        tx.execute(
            "INSERT INTO spend VALUES ('default', ?, ?, NULL, ?, 5000, 'fee', NULL)",
            [f"s-{cid}", cid, START],
        )


def _geo(store: Store, lift: float = 40.0) -> list[str]:
    """12 regions sharing a market and a weekly cycle; the treated half gains ``lift`` a day."""
    rng = np.random.default_rng(5)
    units = [f"r{i:02d}" for i in range(12)]
    treated = units[::2]
    n = 56 + 28
    t = np.arange(n)
    market = 1 + np.cumsum(rng.normal(0, 0.004, n)) + 0.08 * np.sin(2 * np.pi * t / 7)
    rows = []
    for i, u in enumerate(units):
        size = 200 + 30 * i
        v = size * market * (1 + rng.normal(0, 0.03, n))
        if u in treated:
            v[56:] += lift
        for k in range(n):
            day = START + dt.timedelta(days=k - 56)
            rows.append({"series": u, "date": day.isoformat(), "value": float(v[k])})
    import_series(store, "default", rows, role="unit")
    return treated


def test_geo_design_is_the_default_target(store: Store) -> None:
    _campaign(store)
    treated = _geo(store)
    design = [{"unit": f"r{i:02d}", "arm": "treated" if f"r{i:02d}" in treated else "control"}
              for i in range(12)]  # fmt: skip
    imp = import_holdout(store, "default", "geo", design, file="design.csv")
    assert imp.arms == {"treated": 6, "control": 6} and imp.analysis is not None
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="geo", placebos=6))
    assert rep.kind == "incremental" and rep.method == "sts" and rep.target == "design"
    assert sorted(rep.controls) == [u for u in (f"r{i:02d}" for i in range(12)) if u not in treated]
    true = 40.0 * 6 * 28
    assert rep.incremental_revenue is not None
    assert rep.incremental_revenue.lo <= true <= rep.incremental_revenue.hi
    assert rep.iroas is not None and rep.iroas.estimate == pytest.approx(
        rep.incremental_revenue.estimate / 5000
    )
    assert rep.holdout is not None and rep.holdout.cuped is not None  # the design-based check
    assert rep.placebo is not None and rep.placebo.n == 6
    # the count of controls as large, said on the page, is the one the p-value counts
    assert rep.placebo.n_as_large is not None and 0 <= rep.placebo.n_as_large <= 6
    assert rep.placebo.p_value == pytest.approx((1 + rep.placebo.n_as_large) / 7)
    # randomized units: the treated sum against the held-out sum (time-based regression)
    assert rep.counterfactual is not None
    assert rep.counterfactual.model.startswith("time-based regression")
    assert "held-out units" in rep.target_description
    # controls named by hand are not the design's randomization: the synthetic control runs
    named = estimate_lift(
        store,
        "default",
        LiftRequest(campaign_id="geo", target="design", controls=rep.controls[:3], placebos=0),
    )
    assert named.counterfactual is not None
    assert not named.counterfactual.model.startswith("time-based regression")
    again = LiftReport.model_validate(rep.model_dump(mode="json"))
    assert again == rep
    assert {s.role for s in list_series(store, "default")} == {"unit"}


def test_imported_outcomes_make_it_a_holdout(store: Store) -> None:
    _campaign(store, "ab")
    rows = [{"id": str(i), "grp": "B" if i % 2 else "A", "rev": str(10 + i % 5 + (i % 2))}
            for i in range(40)]  # fmt: skip
    cols = AssignmentColumns(unit="id", arm="grp", outcome="rev", treated=["B"], control=["A"])
    import_holdout(store, "default", "ab", rows, columns=cols)
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="ab"))
    assert rep.method == "holdout" and rep.holdout is not None
    assert rep.holdout.source == "imported outcomes" and rep.window is None


def test_nothing_to_measure_gives_own_revenue(store: Store) -> None:
    _campaign(store, "plain")
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="plain"))
    assert rep.kind == "own_revenue" and rep.incremental_revenue is None
    assert rep.own_revenue is not None and rep.own_revenue.attributed_revenue == 0
    with pytest.raises(ValidationError):
        estimate_lift(store, "default", LiftRequest(method="holdout"))


def test_a_campaign_in_its_own_cell_is_not_counted_as_overlap(store: Store) -> None:
    # a multi-cell test: one shared holdout, each campaign exposed in units of its own
    _geo(store)
    for cid in ("geo", "geo2"):
        _campaign(store, cid)
    with store.transaction() as tx:
        tx.execute("UPDATE campaigns SET brand_id = 'b' WHERE workspace_id = 'default'")
    cells = {"geo": ["r00", "r02", "r04"], "geo2": ["r06", "r08", "r10"], "hold": ["r01", "r03"]}
    for cid in ("geo", "geo2"):
        rows = [{"unit": u, "arm": "treated"} for u in cells[cid]]
        rows += [{"unit": u, "arm": "control"} for u in cells["hold"] + ["r05"]]
        import_holdout(store, "default", cid, rows, file=f"{cid}.csv")
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="geo", placebos=0))
    assert [o.campaign_id for o in rep.overlapping_campaigns] == ["geo2"]  # still listed
    assert any("outside this design" in n and "geo2" in n for n in rep.notes)
    assert not any("counted here" in n for n in rep.notes)
    # a second campaign exposed in this design's own held-out units does leak into it
    import_holdout(store, "default", "geo2", [{"unit": "r01", "arm": "treated"}], file="x.csv")
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="geo", placebos=0))
    assert any("counted here" in n and "geo2" in n for n in rep.notes)


def test_reports_lift_is_fitted_once_per_data_version(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The campaign page, the report and the API share one fit until the data change: a view
    again costs no fit, a write refits, and the shared result cannot be altered by a caller."""
    from closeknit.service import lift as lift_svc
    from closeknit.service import reports

    _campaign(store, "memo")
    calls: list[str] = []
    real = lift_svc.estimate_lift

    def counting(*a: object, **k: object) -> LiftReport:
        calls.append("fit")
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(lift_svc, "estimate_lift", counting)
    first = reports.lift(store, "default", "memo")
    first.notes.append("changed by a caller")
    again = reports.lift(store, "default", "memo")
    assert len(calls) == 1 and "changed by a caller" not in again.notes
    assert again.model_dump() == reports.lift(store, "default", "memo").model_dump()
    other = reports.lift(store, "default", "memo", reports.LiftIn(placebos=0))
    assert len(calls) == 2 and other.campaign_id == "memo"
    store.execute("UPDATE campaigns SET name = 'renamed' WHERE campaign_id = 'memo'")
    reports.lift(store, "default", "memo")
    assert len(calls) == 3


def test_a_design_for_no_campaign_or_units_without_history_is_refused(store: Store) -> None:
    """`lift-design --campaign nosuch` said "saved for campaign nosuch"; units missing from the
    history were a KeyError traceback."""
    from closeknit.errors import NotFound, ValidationError
    from closeknit.service.lift import DesignRequest, design_holdout

    units = ["paris", "lyon", "nice", "lille"]
    with pytest.raises(NotFound):
        design_holdout(store, "default", DesignRequest(units=units, campaign_id="nosuch"))
    hist = {u: [100.0, 110.0, 95.0] for u in units}
    with pytest.raises(ValidationError, match="units without history: a, b") as e:
        design_holdout(store, "default", DesignRequest(units=["a", "b", *units[:2]], history=hist))
    assert e.value.details["field"] == "units"
    ok = design_holdout(store, "default", DesignRequest(units=units, history=hist))
    assert not ok.saved and sorted(ok.treated + ok.control) == sorted(units)


def test_the_pages_and_the_api_can_name_the_target_series(store: Store) -> None:
    """A target series imported but not named gave the web and the API an own-revenue report
    saying "name one as the target" with no way to name it (only `closeknit lift --target`
    could): LiftIn takes the target, and the page links each unnamed one."""
    from closeknit.service import reports as rsvc
    from closeknit.web.render import templates
    from tests.track.test_lift import _with_series

    cid, truth = _with_series(store)
    own = rsvc.lift(store, "default", cid)
    assert own.kind == "own_revenue" and own.unnamed_targets == ["sales"]
    inc = rsvc.lift(store, "default", cid, rsvc.LiftIn(target="sales", placebos=0))
    assert inc.kind == "incremental" and inc.target == "sales" and not inc.unnamed_targets
    assert inc.incremental_revenue is not None
    assert inc.incremental_revenue.lo <= truth <= inc.incremental_revenue.hi
    html = templates.get_template("partials/lift.html").render(
        lift=own, lift_error=None, lift_svg="", cur="USD", sym="$", campaign_id=cid,
        more_placebos=None,
    )  # fmt: skip
    assert f'hx-get="/campaigns/{cid}/lift?target=sales"' in html


def test_target_design_without_a_design_is_a_clear_error(store: Store) -> None:
    """`target=design` on a campaign with no geo design was a 500 on the API (StopIteration)."""
    from closeknit.service import reports as rsvc
    from tests.track.test_lift import _with_series

    cid, _ = _with_series(store)
    with pytest.raises(ValidationError, match="has no geo design"):
        rsvc.lift(store, "default", cid, rsvc.LiftIn(target="design", placebos=0))
    assert rsvc.LiftIn(target=" ").target is None  # an empty form field names no series


def test_a_geo_design_without_an_end_date_measures_the_same_days_by_both_methods(
    store: Store,
) -> None:
    """With no end date, the time-based regression and the design's holdout analysis beside it
    each measured the start day alone (end = start). Both now run to the end of the units'
    data (at most the attribution window), over the same days, and say why."""
    _campaign(store)
    treated = _geo(store)
    store.execute("UPDATE campaigns SET end_date = NULL WHERE campaign_id = 'geo'")
    design = [{"unit": f"r{i:02d}", "arm": "treated" if f"r{i:02d}" in treated else "control"}
              for i in range(12)]  # fmt: skip
    import_holdout(store, "default", "geo", design, file="design.csv")
    rep = estimate_lift(store, "default", LiftRequest(campaign_id="geo", placebos=0))
    assert rep.window is not None and rep.window.post_periods == 28  # the units' 28 days
    assert rep.window.post_end == START + dt.timedelta(days=27)
    assert rep.window.post_end_rule is not None and rep.window.post_end_rule in rep.notes
    assert rep.window.post_end_rule.startswith("the campaign has no end date: measured to")
    assert rep.holdout is not None and rep.holdout.post_days == 28  # the same days
    true = 40.0 * 6 * 28
    assert rep.incremental_revenue is not None
    assert rep.incremental_revenue.lo <= true <= rep.incremental_revenue.hi
    # the holdout alone (its import's analysis) follows the same rule
    from closeknit.service.lift import analyze_holdout

    alone = analyze_holdout(store, "default", "geo")
    assert alone.post_days == 28 and any("has no end date" in n for n in alone.notes)


def test_attributed_revenue_has_one_meaning_and_the_measured_periods_part_its_own_name(
    store: Store,
) -> None:
    """`attributed_revenue` was the report's revenue (605.5) on an own-revenue report and only
    the orders placed in the measured period (565.5) on an incremental one, under one key. It is
    the report's figure on every kind; `attributed_in_window` is the measured period's part,
    which `beyond_attribution` subtracts."""
    from closeknit.track.roas import report
    from tests.track.test_lift import _with_series

    cid, _ = _with_series(store)
    start = store.scalar("SELECT start_date FROM campaigns WHERE campaign_id = ?", [cid])
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, stage, "
            "discount_code) VALUES ('default', ?, 'instagram:jane', 'content_live', 'JANE15')",
            [cid],
        )
        for oid, days, total, refunded in [("before", -5, 40.0, 0.0), ("in", 2, 100.0, 30.0)]:
            tx.execute(
                "INSERT INTO orders (workspace_id, order_id, created_at, customer_id, total, "
                "refunded, discount_codes) VALUES ('default', ?, ?, ?, ?, ?, ['JANE15'])",
                [oid, dt.datetime.combine(start, dt.time(12)) + dt.timedelta(days=days), oid,
                 total, refunded],
            )  # fmt: skip
    totals = report(store, "default", cid).totals
    assert totals["revenue"] == pytest.approx(110.0) and totals["orders"] == 2
    inc = estimate_lift(store, "default", LiftRequest(campaign_id=cid, target="sales", placebos=0))
    own = estimate_lift(store, "default", LiftRequest(campaign_id=cid))
    assert inc.kind == "incremental" and own.kind == "own_revenue"
    for rep in (inc, own):
        assert rep.attributed_revenue == pytest.approx(110.0)  # the report's, on both kinds
        assert rep.attributed_orders == 2
    assert inc.attributed_in_window == pytest.approx(70.0)  # placed in the measured period
    assert own.attributed_in_window is None  # no measured period
    assert inc.incremental_revenue is not None and inc.beyond_attribution is not None
    assert inc.beyond_attribution.estimate == pytest.approx(inc.incremental_revenue.estimate - 70.0)
