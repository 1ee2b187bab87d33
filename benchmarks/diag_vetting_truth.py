"""The vetting of a store held against its world's truth: the figures of feature set 1.2.4.

For every creator of a store built from a synthetic world (``closeknit features build``), against
``truth/creators.csv``: authenticity scores of creators estimated ≥ 40% fake, and medians for
bot targets, pod members and the rest; the share of sentiments at exactly +1.00; the cohorts
engagement is ranked in; creators without a rate or a follower count; reply rates on fewer than
20 comments against the others (median absolute error); viral weeks read as bought, bought
jumps found, and jumps carrying the reason they may be viral.

    python benchmarks/diag_vetting_truth.py --store S --world W

(``PYTHONPATH=OTHER/src`` and a store built by that code: the before of a change.)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import pandas as pd


def report(store: Path, world: Path) -> dict[str, object]:
    con = duckdb.connect(str(store), read_only=True)
    f = con.sql("SELECT * EXCLUDE (pod_evidence) FROM creator_features").df()
    c = con.sql("SELECT creator_id, followers AS c_followers FROM creators").df()
    t = pd.read_csv(world / "truth" / "creators.csv")
    m = f.merge(t, on="creator_id", suffixes=("", "_t")).merge(c, on="creator_id")
    out: dict[str, object] = {}
    hi = m.audience_fake_share >= 0.4
    out["estimated >= 40% fake"] = int(hi.sum())
    out["... scoring >= 80 / >= 60"] = [
        int((m[hi].authenticity_score >= 80).sum()),
        int((m[hi].authenticity_score >= 60).sum()),
    ]
    bot, pod = m.is_bot_target == 1, m.pod_id_t.notna()
    for name, sel in (("bot targets", bot & ~pod), ("pod members", pod & ~bot),
                      ("both", bot & pod), ("the rest", ~bot & ~pod)):  # fmt: skip
        out[f"median authenticity, {name} (n={int(sel.sum())})"] = round(
            float(m[sel].authenticity_score.median()), 1
        )
    s = m.comment_sentiment.dropna()
    out["sentiments at exactly +1.00"] = f"{int((s.round(2) == 1).sum())} of {len(s)}"
    out["cohorts"] = m.engagement_cohort.str.split(":").str[0].value_counts().to_dict()
    out["creators without a rate"] = int(m.engagement_rate.isna().sum())
    out["creators without a follower count (features)"] = int(m.followers.isna().sum())
    rr = m.reply_rate.notna()
    err = (m.reply_rate - m.reply_rate_true).abs()
    thin = rr & (m.n_top_comments < 20)
    out["reply rates on < 20 comments"] = int(thin.sum())
    out["reply rate median abs error, < 20 / >= 20 comments"] = [
        round(float(err[thin].median()), 4),
        round(float(err[rr & ~thin].median()), 4),
    ]
    bought, viral = m.bought_spike_week.notna(), m.viral_week.notna() & m.bought_spike_week.isna()
    growth = m.evidence.map(lambda e: json.loads(e).get("growth") or {})
    flagged = m.growth_anomaly > 0
    out["viral weeks / read as bought / with the reason"] = [
        int(viral.sum()),
        int((viral & flagged).sum()),
        int((viral & flagged & growth.map(lambda g: g.get("why_unsure") is not None)).sum()),
    ]
    out["bought jumps / found"] = [int(bought.sum()), int((bought & flagged).sum())]
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--world", type=Path, required=True)
    a = ap.parse_args(argv)
    print(json.dumps(report(a.store, a.world), indent=1))


if __name__ == "__main__":
    main()
