"""Holdouts: designs, imported assignments (unit, arm, outcome[, pre_outcome]), Welch, CUPED."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pytest

from closeknit.errors import InsufficientData
from closeknit.store import Store
from closeknit.track.holdout import UnitRow, analyze, analyze_units, design, import_assignment, save
from closeknit.track.lift import import_series


def _campaign(store: Store, cid: str, start: dt.date, days: int = 28) -> None:
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO campaigns (workspace_id, campaign_id, name, start_date, end_date) "
            "VALUES ('default', ?, ?, ?, ?)",
            [cid, cid, start, start + dt.timedelta(days=days - 1)],
        )


def test_analyze_units_welch_cuped_and_every_unit_left_out() -> None:
    rng = np.random.default_rng(0)
    units = []
    for i in range(400):
        pre = rng.normal(100, 20)
        arm = "treated" if i % 2 else "control"
        y = 0.8 * pre + rng.normal(0, 5) + (4.0 if arm == "treated" else 0.0)
        units.append(UnitRow(f"u{i}", arm, y, pre, line=i + 2))
    units += [
        UnitRow("u1", "treated", 1.0, 1.0, line=900),  # u1 again: ambiguous
        UnitRow("x", "maybe", 1.0, None, line=901),
        UnitRow("y", "control", None, 3.0, line=902),
    ]
    a = analyze_units(units)
    reasons = {(u.unit, u.line): u.reason for u in a.left_out}
    assert reasons[("u1", 3)].startswith("appears on 2 rows") and ("u1", 900) in reasons
    assert reasons[("x", 901)] == "arm 'maybe' is neither treated nor control"
    assert reasons[("y", 902)] == "no outcome"
    assert len(a.left_out) == 4
    assert a.cuped is not None and a.theta == pytest.approx(0.8, abs=0.05)
    assert a.variance_reduction is not None and a.variance_reduction > 0.8
    assert a.cuped.diff.lo < 4.0 < a.cuped.diff.hi
    assert (a.cuped.diff.hi - a.cuped.diff.lo) < 0.5 * (a.raw.diff.hi - a.raw.diff.lo)
    assert a.method.startswith("CUPED")


def test_analyze_units_without_pre_period_is_plain_welch() -> None:
    units = [UnitRow(f"u{i}", "treated" if i < 5 else "control", float(i)) for i in range(10)]
    a = analyze_units(units)
    assert a.cuped is None and a.method.startswith("difference in means")
    assert a.raw.diff.estimate == pytest.approx(2.0 - 7.0)
    with pytest.raises(InsufficientData, match="1 treated and 9 control"):
        analyze_units(
            [UnitRow("a", "treated", 1.0)]
            + units[5:]
            + units[:0]
            + [UnitRow(f"c{i}", "control", 1.0) for i in range(4)]
        )


def test_import_assignment_quarantines_and_analyses(store: Store, tmp_path: Path) -> None:
    _campaign(store, "coupon", dt.date(2026, 3, 1))
    rng = np.random.default_rng(1)
    rows = []
    for i in range(200):
        arm = "Test" if i % 2 else "Holdout"
        value = rng.normal(20 + (3 if arm == "Test" else 0), 5)
        rows.append({"customer": f"c{i}", "group": arm, "revenue": f"{value:.2f}"})
    rows[10]["revenue"] = "n/a"
    rows[11]["customer"] = ""
    rows.append({"customer": "c5", "group": "Test", "revenue": "1"})  # duplicate unit
    rows.append({"customer": "c900", "group": "Influencer", "revenue": "3"})
    imp = import_assignment(
        store, "default", "coupon", rows, file="ab.csv", unit_col="customer",
        arm_col="group", outcome_col="revenue", pre_col=None,
    )  # fmt: skip
    assert imp.quarantined == 2 and {e["line"] for e in imp.errors} == {12, 13}
    assert imp.arms == {"treated": 100, "control": 99, "Influencer": 1}
    res = analyze(store, "default", "coupon")
    assert res.source == "imported outcomes" and res.analysis.cuped is None
    assert {u.unit for u in res.analysis.left_out} == {"c5", "c900"}
    assert res.analysis.raw.diff.lo < 3.0 < res.analysis.raw.diff.hi
    assert res.incremental.estimate == pytest.approx(res.per_unit.diff.estimate * 98)
    assert any("quarantined" in n for n in res.notes)
    # a re-import replaces the assignment (no double counting)
    import_assignment(store, "default", "coupon", rows, file="ab.csv", unit_col="customer",
                      arm_col="group", outcome_col="revenue", pre_col=None)  # fmt: skip
    assert store.count("holdout_units") == 200
    assert store.count("quarantine") == 2


def test_geo_design_from_unit_series_lists_units_left_out(store: Store) -> None:
    rng = np.random.default_rng(0)
    units = [f"R{i}" for i in range(20)]
    hist = {u: list(rng.normal(100 + 10 * i, 8, 28)) for i, u in enumerate(units)}
    d = design(units, history=hist, target_lift=0.1, days=28, seed=1, campaign_id="geo")
    assert sorted(d.treated + d.control) == sorted(units)
    assert d.power is not None and 0 < d.power <= 1
    assert d.min_detectable_lift is not None and d.min_detectable_lift > 0
    start = dt.date(2026, 5, 1)
    _campaign(store, "geo", start)
    save(store, "default", d)
    rows = []
    for i, u in enumerate(units):
        if u == d.control[0]:
            continue  # no series at all for this unit
        for k in range(-28, 28):
            if u == d.treated[0] and k == 5:
                continue  # a hole in the post-period
            v = 100 + 10 * i + rng.normal(0, 8) + (15 if (k >= 0 and u in d.treated) else 0)
            rows.append({"series": f"region:{u}", "date": start + dt.timedelta(days=k), "value": v})
    import_series(store, "default", rows, role="unit")
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO spend VALUES ('default', 's2', 'geo', NULL, ?, 20000, 'fee', NULL)",
            [start],
        )
    res = analyze(store, "default", "geo")
    left = {u.unit: u.reason for u in res.analysis.left_out}
    assert left == {
        d.control[0]: f"no series named {d.control[0]} or region:{d.control[0]}",
        d.treated[0]: f"series region:{d.treated[0]} has 1 of 28 post-period days missing",
    }
    assert res.source == "unit series" and res.analysis.cuped is not None
    assert res.iroas is not None
    assert res.iroas.estimate == pytest.approx(res.incremental.estimate / 20000)
    se = (res.per_unit.diff.hi - res.per_unit.diff.lo) / (2 * 1.7)
    assert abs(res.per_unit.diff.estimate - 15) < 3 * se and res.per_unit.diff.lo > 0
    n_t = len(d.treated) - 1
    assert res.incremental.estimate == pytest.approx(res.per_unit.diff.estimate * 28 * n_t)


def test_hillstrom_through_the_import(store: Store, datasets: Path) -> None:
    """64,000 customers: Mens e-mail vs no e-mail, spend, CUPED on past-year spend."""
    _campaign(store, "email", dt.date(2008, 3, 1), days=14)
    with open(datasets / "lift" / "hillstrom.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    imp = import_assignment(
        store, "default", "email", rows, unit_col="@line", arm_col="segment",
        outcome_col="spend", pre_col="history", treated=("Mens E-Mail",),
        control=("No E-Mail",), file="hillstrom.csv",
    )  # fmt: skip
    assert imp.imported == 64000 and imp.quarantined == 0
    res = analyze(store, "default", "email")
    a = res.analysis
    # designed arms (dataset README): spend/customer 1.42 (Mens) vs 0.65 (no e-mail)
    assert a.raw.treated_mean == pytest.approx(1.42, abs=0.01)
    assert a.raw.control_mean == pytest.approx(0.65, abs=0.01)
    assert a.raw.diff.lo < 1.42 - 0.65 < a.raw.diff.hi
    assert len(a.left_out) == 21387  # every Womens E-Mail customer, each with a line
    assert a.left_out[0].reason == "arm 'Womens E-Mail' is neither treated nor control"
    assert a.cuped is not None and a.cuped.diff.lo < 0.77 < a.cuped.diff.hi


def _skewed_customers(seed: int, n: int, held_out: float) -> list[UnitRow]:
    """Revenue per customer: 3% buy, lognormal order values with σ = 2 (tester s50/t2)."""
    rng = np.random.default_rng(seed)
    ctl = rng.random(n) < held_out
    buy = rng.random(n) < 0.03
    y = buy * rng.lognormal(np.log(80.0) - 2.0, 2.0, n)
    return [
        UnitRow(f"u{i}", "control" if ctl[i] else "treated", float(y[i]), line=i + 2)
        for i in range(n)
    ]


def test_a_skewed_small_arm_is_named_by_cochrans_rule() -> None:
    a = analyze_units(_skewed_customers(1000, 30000, 0.1))
    cochran = [n for n in a.notes if "Cochran" in n]
    control = [n for n in cochran if n.startswith("control arm:")]
    assert control, a.notes
    n_ctl = a.raw.n_control
    assert f"{n_ctl:,} units" in control[0] and "25·G1² = " in control[0]
    m = re.search(r"25·G1² = ([\d,]+), so", control[0])
    assert m is not None and float(m.group(1).replace(",", "")) > n_ctl
    # a well-behaved outcome (normal, 400 units) gets no such note
    rng = np.random.default_rng(0)
    fine = [
        UnitRow(f"u{i}", "treated" if i % 2 else "control", float(rng.normal(100, 20)))
        for i in range(400)
    ]
    assert not [n for n in analyze_units(fine).notes if "Cochran" in n]
