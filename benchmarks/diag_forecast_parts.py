"""Which part of the plan's forecast misranks the creators it may pick (issue 15).

For every brief that ``bench_plan_truth.py`` planned (its ``--json`` report), the planner's
problem is built as ``closeknit plan`` builds it (``plan_brief.planner_model``) and, over the
candidates the on-brief rule lets it pick, each term of the conversion model's log forecast
(coefficient × input: engaged audience, content fit, audience share, reply rate, sponsored
rate) is set beside the same term of the world's true expected response without its creator ×
brand noise (``closeknit.world.response``: γ·log engaged, log content fit, log audience share,
log trust, −saturation · sponsored rate). Per brief, both sides centred on the brief's mean:

* ``sd_error``: the spread of (forecast term − true term): how much that input misranks;
* ``sd_true``: the spread of the true term: how much that input matters;
* ``rho``: Spearman's correlation of the whole forecast with the true mean, and ``rho_fix_X``
  the same with term X replaced by the truth's.

Medians over the briefs, and per brief in ``--json``::

    python benchmarks/diag_forecast_parts.py --out /tmp/ptb/s11 --bench s11.json [--json f.json]
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plan_brief import diag_main, planner_model  # noqa: E402

from closeknit.world.response import (  # noqa: E402
    audience_fit,
    content_fit,
    subset,
)

PARTS = ("engaged", "content", "audience", "trust", "saturation")


def true_terms(sub: Any, t: Any, p: Any) -> dict[str, np.ndarray]:
    """The world's log expected response of creators ``sub`` for target ``t``, term by term
    (without the constant, the brand's factor and the creator × brand noise)."""
    return {
        "engaged": p.gamma * np.log(np.maximum(sub.engaged, 1e-9) / 100.0),
        "content": np.log(content_fit(sub, t, p)),
        "audience": np.log(np.maximum(audience_fit(sub, t), 1e-6)),
        "trust": np.log(p.trust_base + p.trust_reply * sub.reply_rate),
        "saturation": -p.saturation * sub.sponsored_rate,
    }


def forecast_terms(x: np.ndarray, coef: np.ndarray) -> dict[str, np.ndarray]:
    """The conversion model's log forecast, term by term (coefficient × column, without the
    intercept): ``conversion.design``'s columns 1-5 are the terms of ``PARTS``."""
    return {name: coef[k + 1] * x[:, k + 1] for k, name in enumerate(PARTS)}


def brief_parts(st: Any, resp: Any, r: Any, conv: Any) -> dict[str, Any] | None:
    """The per-term comparison of one brief (None when fewer than 5 creators may be picked)."""
    inp = resp.inputs
    pos = {c: i for i, c in enumerate(inp.creator_ids)}
    m, t, _ = planner_model(st, r, conv)
    may = np.asarray(m.problem.allowed)
    if may.sum() < 5:
        return None
    g = np.array([pos[c] for c in m.frame["creator_id"].tolist()])[may]
    true = true_terms(subset(inp, g), t, resp.params)
    fc = forecast_terms(m.x[may], np.asarray(conv.coef))
    truth, forecast = sum(true.values()), sum(fc.values())
    row: dict[str, Any] = {"brief_id": r.brief_id, "n": int(may.sum())}
    row["rho"] = round(float(spearmanr(truth, forecast).statistic), 3)
    for name in PARTS:
        err = (fc[name] - fc[name].mean()) - (true[name] - true[name].mean())
        row[f"{name}_sd_error"] = round(float(np.std(err)), 3)
        row[f"{name}_sd_true"] = round(float(np.std(true[name])), 3)
        fixed = forecast - fc[name] + true[name]
        row[f"rho_fix_{name}"] = round(float(spearmanr(truth, fixed).statistic), 3)
    return row


def main(argv: list[str] | None = None) -> None:
    a, rows = diag_main(__doc__, argv, lambda st, resp, r, conv, b: brief_parts(st, resp, r, conv))
    med = {"briefs": len(rows), "rho": statistics.median(x["rho"] for x in rows)}
    for name in PARTS:
        for k in (f"{name}_sd_error", f"{name}_sd_true", f"rho_fix_{name}"):
            med[k] = statistics.median(x[k] for x in rows)
    if a.json is not None:
        a.json.write_text(json.dumps({"summary": med, "briefs": rows}, indent=2) + "\n")
    print(f"briefs {med['briefs']}, forecast vs true mean: median Spearman {med['rho']:.3f}")
    print("| term | sd of its error | sd of the true term | Spearman with it from the truth |")
    print("|---|---|---|---|")
    for name in PARTS:
        print(
            f"| {name} | {med[f'{name}_sd_error']:.3f} | {med[f'{name}_sd_true']:.3f} "
            f"| {med[f'rho_fix_{name}']:.3f} |"
        )


if __name__ == "__main__":
    main()
