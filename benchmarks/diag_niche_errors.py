"""What wrongly assigned niches cost the content fit, and what the niche-purity guard does
(docs/discover.md, "What the product costs where niches are assigned badly").

For each share of creators given a wrong niche (drawn at random among the other assigned
niches, seeded), a copy of a ``bench_plan_truth.py`` folder's store gets those niches written to
``creator_niche``, discover's candidate pairs are recomputed with their truth labels
(``learn_relevance.labelled_pairs``: niche support and the guard included), and P(content fits)
is scored against the truth's content label: log loss over every pair and the share of fitting
pairs with P > 0.5, for the linear niche fit, the fit with the keyword × niche-support product,
the fit without niche support, and what the product uses (the guard may leave niche support
out). ``relabel`` instead renames every niche by one fixed permutation::

    python benchmarks/diag_niche_errors.py --out /tmp/ptb/s1 --wrong 0 0.1 0.25 0.35 0.5 0.75 \\
        [--relabel] [--json f.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from learn_relevance import _signals, labelled_pairs  # noqa: E402

from closeknit.match import index as _index  # noqa: E402
from closeknit.match import relevance  # noqa: E402
from closeknit.match.candidates import get_table  # noqa: E402
from closeknit.match.embed import get_embedder  # noqa: E402
from closeknit.match.rank import niche_purity  # noqa: E402
from closeknit.match.relevance import RelevanceModel, content_probability, model_for  # noqa: E402
from closeknit.store import open_store  # noqa: E402

LINEAR = "kw+kw_rel+cos+cos_rel+niche"
PRODUCT = "kw+kw_rel+cos+cos_rel+niche+kw_rel*niche"
WITHOUT = "kw+kw_rel+cos+cos_rel"


def _score(p: np.ndarray, y: np.ndarray) -> dict[str, float]:
    q = np.clip(p, 1e-9, 1 - 1e-9)
    ll = -np.where(y, np.log(q), np.log(1 - q))
    return {
        "log_loss": round(float(ll.mean()), 4),
        "recall_p50": round(float((p > 0.5)[y].mean()), 3),
    }


def degrade(folder: Path, share: float, relabel: bool = False, seed: int = 7) -> dict[str, Any]:
    """One row: the store of ``folder`` copied, niches made wrong (or renamed), pairs scored."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "store.duckdb"
        shutil.copy(folder / "store.duckdb", db)
        st = open_store(db)
        try:
            rows = st.query(
                "SELECT creator_id, niche FROM creator_niche WHERE workspace_id = 'default' "
                "AND niche IS NOT NULL ORDER BY creator_id"
            )
            niches = sorted({r["niche"] for r in rows})
            rng = np.random.default_rng(seed)
            if relabel:
                perm = dict(zip(niches, rng.permutation(niches).tolist(), strict=True))
                upd = [(perm[r["niche"]], r["creator_id"]) for r in rows]
            else:
                upd = [
                    (str(rng.choice([n for n in niches if n != r["niche"]])), r["creator_id"])
                    for r in rows
                    if rng.random() < share
                ]
            with st.transaction() as tx:
                tx.execute("CREATE TEMP TABLE wrong (niche VARCHAR, creator_id VARCHAR)")
                tx.executemany("INSERT INTO wrong VALUES (?, ?)", upd)
                tx.execute(
                    "UPDATE creator_niche SET niche = wrong.niche FROM wrong "
                    "WHERE creator_niche.workspace_id = 'default' "
                    "AND creator_niche.creator_id = wrong.creator_id"
                )
            emb = get_embedder()
            purity = niche_purity(
                st, "default", get_table(st, "default"), _index.get_index(st, "default"), emb.name
            )
            # niche support for every pair (the guard off), to score the niche fits too; what
            # the product uses follows from the purity below
            bar = relevance.NICHE_MIN_PURITY
            relevance.NICHE_MIN_PURITY = -np.inf
            try:
                df = labelled_pairs(st, "default", folder / "world", None)
            finally:
                relevance.NICHE_MIN_PURITY = bar
        finally:
            st.close()
    d = df.dropna(subset=["cos"])
    y = d["y_content"].to_numpy(bool)
    sig = _signals(d)
    shipped = model_for(emb.name)
    left_out = purity is not None and purity < bar
    row: dict[str, Any] = {
        "wrong": 0.0 if relabel else share,
        "relabel": relabel,
        "changed": len(upd),
        "purity": None if purity is None else round(purity, 3),
        "niche_left_out": left_out,
    }
    for name, key in (("linear", LINEAR), ("product", PRODUCT), ("without", WITHOUT)):
        if key in shipped.content:  # an embedder learned without the product has no such fit
            one = RelevanceModel(model=emb.name, content={key: shipped.content[key]})
            row[name] = _score(
                content_probability(one, {**sig, "niche": None} if key == WITHOUT else sig), y
            )
    row["as_used"] = _score(
        content_probability(shipped, {**sig, "niche": None} if left_out else sig), y
    )
    return row


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True, help="a bench_plan_truth.py folder")
    ap.add_argument("--wrong", type=float, nargs="+", default=[0.0, 0.25, 0.35, 0.5])
    ap.add_argument("--relabel", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    rows = [degrade(a.out, w) for w in a.wrong]
    if a.relabel:
        rows.append(degrade(a.out, 0.0, relabel=True))
    for r in rows:
        print(json.dumps(r), flush=True)
    if a.json is not None:
        a.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
