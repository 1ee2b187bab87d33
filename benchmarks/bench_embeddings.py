"""Embedding runtimes compared in one run: the product's MiniLM against the numpy baseline.

    nice -n 15 .venv/bin/python benchmarks/bench_embeddings.py --store W.duckdb --world W_DIR \\
        --datasets ../shared/datasets --json out.json

Models (``closeknit.match.embed.MODELS``): ``minilm`` (the product: onnxruntime, int8, documents
cut at ``DEFAULT_TOKENS`` tokens), ``minilm-fp32`` (onnxruntime, float32, 128 tokens: the
reference model's vectors), ``minilm-numpy`` (the previous numpy forward pass, the baseline),
and on request ``static`` / ``hash``.

- speed: creator documents of the store (as the product builds them) encoded ``--rounds`` times
  each (``--docs`` of them); median documents/s, median CPU ms per document (all threads) and
  the ratio to ``minilm-numpy`` measured in the same run; load time (graph build included when
  the ONNX graph is not cached yet);
- agreement: mean and min cosine of each model's document vectors with the baseline's, and the
  Spearman correlation of 150 captions' pairwise cosines with the baseline's;
- quality, each model on its own copy of the store: niche accuracy against the world's truth,
  NDCG@20 / recall@50 of the shipped ranking on the world's briefs
  (:func:`closeknit.match.evaluate.evaluate`; BM25 baselines in the same call), seconds to
  embed every creator, and the kim2020 check (public Instagram captions, category mapped onto
  our niches with ``taxonomy.KIM2020_TO_NICHES``; accounts labelled "other" are left out).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

BASELINE = "minilm-numpy"


def kim_accounts(datasets: Path) -> dict[str, tuple[str, list[str]]]:
    """username -> (kim2020 category, captions) for the accounts of instagram-posts/."""
    cats: dict[str, str] = {}
    with open(datasets / "creator-lists" / "kim2020-influencers.tsv", encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 2 and p[0] and p[0] != "Username":
                cats[p[0]] = p[1]
    caps: dict[str, list[str]] = {}
    for fn in sorted(glob.glob(str(datasets / "instagram-posts" / "*"))):
        try:
            d = json.load(open(fn, encoding="utf-8"))
        except (OSError, ValueError):
            continue
        n = d.get("node", d)
        user = (n.get("owner") or {}).get("username") or Path(fn).name.rsplit("-", 1)[0]
        edges = (n.get("edge_media_to_caption") or {}).get("edges") or []
        if edges:
            caps.setdefault(user, []).append(edges[0]["node"]["text"])
    return {u: (cats[u], c) for u, c in caps.items() if u in cats}


def kim_check(emb: Any, kim: dict[str, tuple[str, list[str]]]) -> dict[str, Any]:
    """Nearest seed prototype of each kim2020 account's captions vs its mapped category."""
    from closeknit.match.niche import prototypes
    from closeknit.match.taxonomy import KIM2020_TO_NICHES, NICHE_IDS
    from closeknit.match.vectors import creator_document

    protos = prototypes(emb)
    hits = n = 0
    detail = {}
    for user, (cat, cs) in sorted(kim.items()):
        best = NICHE_IDS[int(np.argmax(protos @ emb.encode([creator_document("", cs)])[0]))]
        detail[user] = {"kim2020": cat, "assigned": best}
        if cat in KIM2020_TO_NICHES:
            n += 1
            hits += best in KIM2020_TO_NICHES[cat]
    return {"hits": hits, "accounts": n, "accuracy": round(hits / n, 3) if n else None,
            "detail": detail}  # fmt: skip


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = a.argsort().argsort(), b.argsort().argsort()
    return float(np.corrcoef(ra, rb)[0, 1])


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def speed(emb: Any, docs: list[str], rounds: int) -> dict[str, Any]:
    emb.encode(docs[:8])  # warm
    walls, cpus = [], []
    for _ in range(rounds):
        t, c = time.perf_counter(), _cpu()
        emb.encode(docs)
        walls.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    return {
        "docs": len(docs),
        "rounds": rounds,
        "docs_per_s_median": round(len(docs) / statistics.median(walls), 1),
        "cpu_ms_per_doc_median": round(1000 * statistics.median(cpus) / len(docs), 2),
    }


def quality(src: str, world: Path, model: str, truth: dict[str, str]) -> dict[str, Any]:
    """Niche accuracy and ranking quality of ``model`` on a private copy of the store."""
    from closeknit.match.evaluate import evaluate
    from closeknit.match.niche import score_niches
    from closeknit.store import open_store

    with tempfile.TemporaryDirectory(prefix="bench-emb-") as tmp:
        db = Path(tmp) / "q.duckdb"
        shutil.copyfile(src, db)
        st = open_store(db)
        try:
            t0 = time.perf_counter()
            sc = score_niches(st, "default", model)
            embed_s = time.perf_counter() - t0
            got = {c: sc.top(i)[0] for i, c in enumerate(sc.creator_ids)}
            common = [c for c in truth if c in got]
            ev = evaluate(st, "default", world, (model,))
        finally:
            st.close()
    name = sc.model
    s = ev["systems"]
    return {
        "creators_embedded": len(sc.creator_ids),
        "embed_all_creators_s": round(embed_s, 1),
        "niche_accuracy": round(sum(got[c] == truth[c] for c in common) / len(common), 4),
        "ndcg@20": s[f"{name} hybrid (default)"]["ndcg@20"],
        "recall@50": s[f"{name} hybrid (default)"]["recall@50"],
        "ndcg@20 embedding only": s[f"{name} (embedding only)"]["ndcg@20"],
        "ndcg@20 search only": s[f"{name} search only"]["ndcg@20"],
        "bm25 ndcg@20": s["bm25"]["ndcg@20"],
        "bm25+filters ndcg@20": s["bm25+filters"]["ndcg@20"],
        "briefs": ev["briefs"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--world", default=None, help="world dir: niche accuracy and NDCG@20")
    ap.add_argument("--datasets", default=None, help="../shared/datasets: the kim2020 check")
    ap.add_argument("--models", nargs="*", default=["minilm", "minilm-fp32", BASELINE])
    ap.add_argument("--docs", type=int, default=200, help="creator documents timed per round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()

    import pandas as pd

    from closeknit.match.embed import get_embedder
    from closeknit.match.vectors import creator_document, creator_texts
    from closeknit.store import open_store

    st = open_store(a.store)
    texts = creator_texts(st, "default")
    docs = [creator_document(b, [t for _, t in ps]) for _, (b, ps) in sorted(texts.items())]
    docs = [d for d in docs if d][: a.docs]
    caps = [
        r["caption"]
        for r in st.query(
            "SELECT caption FROM posts WHERE workspace_id = 'default' AND caption IS NOT NULL "
            "ORDER BY post_id LIMIT 150"
        )
    ]
    st.close()
    res: dict[str, Any] = {
        "machine": f"{os.cpu_count()} vCPU (shared)",
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
        "baseline": BASELINE,
        "models": {},
    }
    truth = None
    if a.world:
        t = pd.read_csv(Path(a.world) / "truth" / "creators.csv")
        truth = dict(zip(t.creator_id, t.niche, strict=True))
    kim = kim_accounts(Path(a.datasets)) if a.datasets else {}
    doc_vecs: dict[str, np.ndarray] = {}
    cap_sims: dict[str, np.ndarray] = {}
    iu = np.triu_indices(len(caps), 1)
    # interleave: every model's speed first (same minutes of machine load), then quality
    for m in a.models:
        t0 = time.perf_counter()
        emb = get_embedder(m)
        r: dict[str, Any] = {"name": emb.name, "dim": emb.dim}
        r["load_s"] = round(time.perf_counter() - t0, 2)
        r.update(speed(emb, docs, a.rounds))
        doc_vecs[m] = emb.encode(docs)
        v = emb.encode(caps)
        cap_sims[m] = (v @ v.T)[iu]
        res["models"][m] = r
        print(m, r, flush=True)
    if BASELINE in res["models"]:
        base = res["models"][BASELINE]
        for m, r in res["models"].items():
            r["speed_vs_baseline"] = round(r["docs_per_s_median"] / base["docs_per_s_median"], 2)
            if doc_vecs[m].shape == doc_vecs[BASELINE].shape:
                cos = (doc_vecs[m] * doc_vecs[BASELINE]).sum(1)
                r["doc_cosine_vs_baseline_mean"] = round(float(cos.mean()), 5)
                r["doc_cosine_vs_baseline_min"] = round(float(cos.min()), 5)
            r["caption_agreement_spearman"] = round(spearman(cap_sims[m], cap_sims[BASELINE]), 4)
    for m in a.models:
        r = res["models"][m]
        if truth is not None and a.world:
            r.update(quality(a.store, Path(a.world), m, truth))
        if kim:
            r["kim2020"] = kim_check(get_embedder(m), kim)
        print(m, {k: v for k, v in r.items() if k != "kim2020"}, flush=True)
    res["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(res, indent=2, ensure_ascii=False))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
