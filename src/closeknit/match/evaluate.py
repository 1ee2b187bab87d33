"""Ranking quality on a synthetic world's briefs (truth/briefs.csv): NDCG@20 and recall@50.

Runs, on the same store and in the same call, two BM25 baselines: ``bm25`` (keyword search alone
over creator documents, no filters) and ``bm25+filters`` (BM25 as the content factor inside the
same filters and factors), and for each embedding model: ``search only`` (cosine alone),
``(embedding only)`` (cosine as the content factor of the full ranking) and ``hybrid (default)``
(the shipped ranking: cosine + BM25 content fit, filters and factors).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeknit.match.bm25 import BM25
from closeknit.match.brief import Brief, content_text
from closeknit.match.embed import get_embedder
from closeknit.match.rank import content_scores, discover
from closeknit.match.vectors import creator_document, creator_texts
from closeknit.store import Store


def ndcg(ranked: list[str], relevant: set[str], k: int = 20) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, c in enumerate(ranked[:k]) if c in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else float("nan")


def recall(ranked: list[str], relevant: set[str], k: int = 50) -> float:
    return len(set(ranked[:k]) & relevant) / len(relevant) if relevant else float("nan")


def load_briefs(world_dir: Path) -> list[tuple[str, Brief, set[str]]]:
    df = pd.read_csv(Path(world_dir) / "truth" / "briefs.csv", keep_default_na=False)
    out = []
    for _, r in df.iterrows():
        f = json.loads(r["filters"])
        b = Brief(**{k: v for k, v in f.items() if k in Brief.model_fields})
        rel = {x for x in str(r["relevant_creator_ids"]).split(";") if x}
        out.append((str(r["brief_id"]), b, rel))
    return out


def evaluate(
    store: Store, workspace: str, world_dir: Path, models: tuple[str, ...] = ("minilm",)
) -> dict[str, Any]:
    briefs = [b for b in load_briefs(world_dir) if b[2]]
    texts = creator_texts(store, workspace)
    ids = sorted(texts)
    bm = BM25([creator_document(*texts[c][:1], [t for _, t in texts[c][1]]) for c in ids])
    out: dict[str, Any] = {"briefs": len(briefs), "creators": len(ids), "systems": {}}
    systems: dict[str, list[tuple[float, float]]] = {}
    timing: dict[str, float] = {}
    for name in ("bm25", "bm25+filters"):
        systems[name] = []
    for _bid, brief, rel in briefs:
        s = bm.scores(content_text(brief))
        order = np.argsort(-s, kind="stable")
        ranked = [ids[i] for i in order]
        systems["bm25"].append((ndcg(ranked, rel), recall(ranked, rel)))
        q = np.zeros(1, np.float32)
        r = discover(
            store,
            workspace,
            brief,
            50,
            evidence=False,
            query_override=(ids, s.astype(np.float32), q),
        )
        ranked = [m.creator_id for m in r.matches]
        systems["bm25+filters"].append((ndcg(ranked, rel), recall(ranked, rel)))
    for model in models:
        name = get_embedder(model).name
        for suffix in (" search only", " (embedding only)", " hybrid (default)"):
            systems[name + suffix] = []
        content_scores(store, workspace, "warm-up", model)  # embeds creators once
        t0 = time.perf_counter()
        for _bid, brief, rel in briefs:
            cs = content_scores(store, workspace, content_text(brief), model, hybrid=False)
            order = np.argsort(-cs[1], kind="stable")
            ranked = [cs[0][i] for i in order]
            systems[name + " search only"].append((ndcg(ranked, rel), recall(ranked, rel)))
            r = discover(
                store, workspace, brief, 50, model=model, evidence=False, query_override=cs
            )
            ranked = [m.creator_id for m in r.matches]
            systems[name + " (embedding only)"].append((ndcg(ranked, rel), recall(ranked, rel)))
            r = discover(store, workspace, brief, 50, model=model, evidence=False)
            ranked = [m.creator_id for m in r.matches]
            systems[name + " hybrid (default)"].append((ndcg(ranked, rel), recall(ranked, rel)))
        timing[name] = (time.perf_counter() - t0) / max(1, len(briefs))
    for name, vals in systems.items():
        arr = np.array(vals, dtype=float)
        out["systems"][name] = {
            "ndcg@20": round(float(np.nanmean(arr[:, 0])), 4),
            "recall@50": round(float(np.nanmean(arr[:, 1])), 4),
        }
    out["seconds_per_brief"] = {k: round(v, 3) for k, v in timing.items()}
    return out


def main(argv: list[str] | None = None) -> None:
    """``python -m closeknit.match.evaluate --store DB --world DIR [--models minilm hash]``."""
    import argparse

    from closeknit.store import open_store

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", required=True, help="DuckDB file with the world imported")
    ap.add_argument("--world", required=True, help="the world folder (reads truth/briefs.csv)")
    ap.add_argument("--workspace", default="default")
    ap.add_argument("--models", nargs="*", default=["minilm"])
    a = ap.parse_args(argv)
    st = open_store(a.store)
    try:
        print(json.dumps(evaluate(st, a.workspace, Path(a.world), tuple(a.models)), indent=2))
    finally:
        st.close()


if __name__ == "__main__":
    main()
