"""Embedding candidates compared: speed, agreement with MiniLM, niche accuracy.

    nice -n 15 .venv/bin/python benchmarks/bench_embeddings.py --store W.duckdb --world W_DIR \\
        --datasets ../shared/datasets --json out.json

- speed: texts/s encoding real captions from the store (MiniLM on --n-minilm texts, the others
  on --n-fast), BLAS limited to 1 thread as in production;
- agreement: Spearman correlation of the pairwise cosine similarities of 150 captions against
  MiniLM's (1.0 = same geometry);
- niche accuracy: top-1 accuracy of ``niche.score_niches`` against the world's true niche, and
  on the public Instagram post JSONs (Kim et al. 2020 accounts, their category mapped onto our
  niches with ``taxonomy.KIM2020_TO_NICHES``; accounts labelled "other" are left out).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np


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


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = a.argsort().argsort(), b.argsort().argsort()
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--world", default=None)
    ap.add_argument("--datasets", default=None)
    ap.add_argument("--models", nargs="*", default=["minilm", "static", "hash"])
    ap.add_argument("--n-minilm", type=int, default=200)
    ap.add_argument("--n-fast", type=int, default=5000)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()

    import pandas as pd

    from closeknit.match.embed import get_embedder
    from closeknit.match.niche import prototypes, score_niches
    from closeknit.match.taxonomy import KIM2020_TO_NICHES, NICHE_IDS
    from closeknit.match.vectors import creator_document
    from closeknit.store import open_store

    st = open_store(a.store)
    caps = [
        r["caption"]
        for r in st.query(
            "SELECT caption FROM posts WHERE workspace_id = 'default' AND caption IS NOT NULL "
            "ORDER BY post_id LIMIT ?",
            [max(a.n_fast, a.n_minilm)],
        )
    ]
    res: dict[str, Any] = {"machine": f"{os.cpu_count()} vCPU shared", "models": {}}
    sims: dict[str, np.ndarray] = {}
    truth = None
    if a.world:
        t = pd.read_csv(Path(a.world) / "truth" / "creators.csv")
        truth = dict(zip(t.creator_id, t.niche, strict=True))
    kim = kim_accounts(Path(a.datasets)) if a.datasets else {}
    for m in a.models:
        t0 = time.perf_counter()
        emb = get_embedder(m)
        load_s = time.perf_counter() - t0
        n = a.n_minilm if m == "minilm" else a.n_fast
        emb.encode(caps[:8])
        t0 = time.perf_counter()
        emb.encode(caps[:n])
        dt_ = time.perf_counter() - t0
        v = emb.encode(caps[:150])
        iu = np.triu_indices(150, 1)
        sims[m] = (v @ v.T)[iu]
        r: dict[str, Any] = {
            "name": emb.name,
            "dim": emb.dim,
            "load_s": round(load_s, 2),
            "texts_per_s": round(n / dt_, 1),
            "texts_timed": n,
        }
        if truth is not None:
            t0 = time.perf_counter()
            sc = score_niches(st, "default", m)
            got = {c: sc.top(i)[0] for i, c in enumerate(sc.creator_ids)}
            common = [c for c in truth if c in got]
            r["world_niche_accuracy"] = round(
                sum(got[c] == truth[c] for c in common) / len(common), 4
            )
            r["world_creators"] = len(common)
            r["assign_s"] = round(time.perf_counter() - t0, 1)
        if kim:
            protos = prototypes(emb)
            hits = n_k = 0
            detail = {}
            for user, (cat, cs) in sorted(kim.items()):
                vec = emb.encode([creator_document("", cs)])[0]
                best = NICHE_IDS[int(np.argmax(protos @ vec))]
                detail[user] = {"kim2020": cat, "assigned": best}
                if cat in KIM2020_TO_NICHES:
                    n_k += 1
                    hits += best in KIM2020_TO_NICHES[cat]
            r["kim2020_accounts"] = n_k
            r["kim2020_accuracy"] = round(hits / n_k, 3) if n_k else None
            r["kim2020_detail"] = detail
        res["models"][m] = r
        print(m, {k: v for k, v in r.items() if k != "kim2020_detail"}, flush=True)
    if "minilm" in sims:
        for m in sims:
            res["models"][m]["agreement_with_minilm"] = round(spearman(sims[m], sims["minilm"]), 4)
    print(json.dumps(res, indent=2, ensure_ascii=False))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
