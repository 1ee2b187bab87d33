"""The planner's model of one brief of a world's ``truth/briefs.csv``, built as ``closeknit
plan`` builds it (the brief's filters, discover's candidates, the on-brief rule): shared by the
plan diagnostics (``diag_plan_gap.py``, ``diag_plan_ranking.py``, ``diag_forecast_parts.py``)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from closeknit.plan.planner import PlanConstraints, _build, _Model, discover_candidates  # noqa: E402
from closeknit.service import plans as psvc  # noqa: E402
from closeknit.service.discover import restrict  # noqa: E402
from closeknit.world.response import Target, target_of  # noqa: E402

# the brief filters of truth/briefs.csv that a plan takes (as ``closeknit plan`` options)
KEYS = ("platforms", "tiers", "countries", "languages", "audience_age", "audience_gender",
        "min_authenticity", "max_sponsored_rate")  # fmt: skip


def plan_request(r: Any, **extra: Any) -> tuple[psvc.PlanIn, Target]:
    """The plan request of a briefs.csv row (its text, filters, budget, the brand's order value
    as the AOV) and the brief's true target."""
    f = json.loads(r.filters)
    t = target_of(json.loads(r.target), r.brief_id)
    req = psvc.PlanIn(
        text=r.text,
        budget=float(f["budget"]),
        aov=t.order_value,
        **extra,
        **{k: v for k, v in f.items() if k in KEYS and v not in (None, [])},
    )
    return req, t


def planner_model(st: Any, r: Any, conv: Any) -> tuple[_Model, Target, Any]:
    """(the planner's model over discover's 500 candidates, the true target, the brief)."""
    req, t = plan_request(r)
    brief, _ = restrict(st, "default", req.brief(), req)
    cands = discover_candidates(st, "default", brief, 500)
    c = PlanConstraints(aov=t.order_value)
    return _build(st, "default", brief, cands, req.budget, c, conv, t.order_value), t, brief


def diag_main(
    doc: str | None, argv: list[str] | None, per_brief: Callable[..., dict[str, Any] | None]
) -> tuple[argparse.Namespace, list[dict[str, Any]]]:
    """A plan diagnostic's command line (``--out`` a bench_plan_truth.py folder, ``--bench`` its
    ``--json`` report, ``--json``): ``per_brief(store, response, briefs.csv row, conversion
    model, bench row)`` for every brief the bench planned (a row with a plan), each result
    printed to stderr; returns (the arguments, the results that are not None)."""
    import pandas as pd

    from closeknit.plan.planner import history_model
    from closeknit.store import open_store
    from closeknit.world.response import load_response

    ap = argparse.ArgumentParser(description=doc)
    ap.add_argument("--out", type=Path, required=True, help="a bench_plan_truth.py folder")
    ap.add_argument("--bench", type=Path, required=True, help="its --json report")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    st = open_store(a.out / "store.duckdb")
    resp = load_response(a.out / "world")
    bench = {b["brief_id"]: b for b in json.loads(a.bench.read_text())["briefs"]}
    conv = history_model(st, "default")
    df = pd.read_csv(a.out / "world" / "truth" / "briefs.csv", keep_default_na=False)
    rows = []
    try:
        for r in df.itertuples():
            b = bench.get(r.brief_id)
            if b is None or "plan_n" not in b:  # not scored, or no plan (an error)
                continue
            row = per_brief(st, resp, r, conv, b)
            if row is not None:
                print(json.dumps(row), file=sys.stderr, flush=True)
                rows.append(row)
    finally:
        st.close()
    return a, rows
