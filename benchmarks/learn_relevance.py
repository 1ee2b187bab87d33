"""Learn discover's absolute relevance (closeknit.match.relevance) on a world's briefs.

For every brief of ``truth/briefs.csv`` discover lists its candidates (the brief's filters
applied) with their signals: keyword coverage, cosine, measured audience shares. Labels come
from the world's truth: *content* fits when the creator's true niche is the brief's (and its
sub-topic, or it rides that sub-topic's trend); each *audience* dimension fits when the true
share reaches the brief's bar (country >= 0.5, age >= 0.2, gender >= 0.55); *relevant* is the
world's own relevant list. Logistic fits give the content coefficients (one per fit of
``relevance.CONTENT_FITS``: every signal with the keyword × niche-support product, then fewer)
and one (a, b) per audience dimension on log(share); the floor is the smallest relevance at
which >= 90% of the candidates above it are relevant. ``--write`` stores them in
``src/closeknit/match/relevance.json`` under the embedder's name. ``--check FOLDER`` (a
``bench_plan_truth.py`` folder, repeatable) reports the new and the previous content fit's
calibration on other worlds (docs/discover.md, "Content fit across niches").

    python benchmarks/learn_relevance.py --store W.duckdb --world W [--model minilm] [--write]
        [--check FOLDER ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from closeknit.match import Brief, discover
from closeknit.match.embed import get_embedder
from closeknit.match.relevance import (
    RelevanceModel,
    content_terms,
    model_for,
    save_model,
    usable_fits,
)
from closeknit.store import Store, open_store
from closeknit.world import vocab
from closeknit.world.briefs import MIN_AGE_SHARE, MIN_COUNTRY_SHARE, MIN_GENDER_SHARE
from closeknit.world.creators import AGE_BUCKETS
from closeknit.world.response import load_response, target_of

PRECISION = 0.9


def brief_rows(world: Path) -> list[dict[str, Any]]:
    df = pd.read_csv(world / "truth" / "briefs.csv", keep_default_na=False)
    out = []
    for r in df.itertuples():
        f = json.loads(r.filters)
        out.append(
            {
                "brief_id": r.brief_id,
                "brief": Brief(**{k: v for k, v in f.items() if k in Brief.model_fields}),
                "target": target_of(json.loads(r.target), r.brief_id),
                "relevant": {x for x in str(r.relevant_creator_ids).split(";") if x},
                "budget": float(f.get("budget") or 0),
            }
        )
    return out


def subtopic_rows(seed: int = 0) -> list[dict[str, Any]]:
    """Learning briefs for the world's sub-topics, written as a brand names its product: one
    of the sub-topic's words beside two words every creator of the niche uses ("brisket
    homemade recipe"). The world's own briefs name a sub-topic in 6 of 24, so the content fit
    had seen few briefs whose niche-mates match most of the words and are still not on brief;
    content labels only (no audience filters), every candidate counted."""
    rng = np.random.default_rng(seed)
    out = []
    for niche, subs in vocab.SUBTOPICS.items():
        common = [w for w in vocab.NICHES[niche][0] if w.isalpha()]
        for sub, words, _tags in subs:
            said = str(rng.choice(words))
            extra = [str(w) for w in rng.choice(common, size=2, replace=False)]
            text = " ".join([said, *extra])
            out.append(
                {
                    "brief_id": f"sub-{niche}-{sub}",
                    "brief": Brief(text=text),
                    "target": target_of({"niches": [niche], "sub": sub}, f"sub-{niche}-{sub}"),
                    "relevant": None,  # the content label stands for it
                    "budget": 0.0,
                }
            )
    return out


def labelled_pairs(
    store: Store, ws: str, world: Path, model: str | None, *, subtopics: bool = False
) -> pd.DataFrame:
    """One row per (brief, candidate): signals and truth labels (``subtopics``: with
    :func:`subtopic_rows`' briefs after the world's)."""
    resp = load_response(world)
    inp = resp.inputs
    pos = {c: i for i, c in enumerate(inp.creator_ids)}
    rows: list[dict[str, Any]] = []
    for b in brief_rows(world) + (subtopic_rows() if subtopics else []):
        t = b["target"]
        res = discover(store, ws, b["brief"], 100_000, model=model, evidence=False)
        nids = [vocab.NICHE_IDS.index(x) for x in t.niches]
        sid = [s[0] for s in vocab.SUBTOPICS[t.niches[0]]].index(t.sub) if t.sub is not None else -1
        trend_ids = [
            k for k, tr in enumerate(vocab.TRENDS) if tr[2] == t.niches[0] and tr[3] == t.sub
        ]
        for m in res.matches:
            i = pos.get(m.creator_id)
            if i is None:
                continue
            if t.sub is None:
                content = inp.niche[i] in nids
            else:
                content = inp.niche[i] == nids[0] and (
                    inp.sub[i] == sid or int(inp.trend[i]) in trend_ids
                )
            ctry = float(inp.countries[i, [vocab.COUNTRY_IDS.index(c) for c in t.countries]].sum())
            age = float(inp.age[i, [AGE_BUCKETS.index(a) for a in t.ages]].sum()) if t.ages else 1.0
            g = float(inp.female[i] + inp.unknown_gender[i] / 2)
            gender = g if t.gender == "F" else (1 - g if t.gender == "M" else 1.0)
            sg = m.signals
            rows.append(
                {
                    "brief_id": b["brief_id"],
                    "creator_id": m.creator_id,
                    "kw": sg.get("keyword_coverage"),
                    "kw_rel": sg.get("keyword_relative"),
                    "cos": sg.get("cosine"),
                    "cos_rel": sg.get("cosine_relative"),
                    "niche": sg.get("niche_support"),
                    "country_share": sg.get("country_share"),
                    "age_share": sg.get("age_share"),
                    "gender_share": sg.get("gender_share"),
                    "y_content": bool(content),
                    "y_country": ctry >= MIN_COUNTRY_SHARE,
                    "y_age": age >= MIN_AGE_SHARE,
                    "y_gender": gender >= MIN_GENDER_SHARE,
                    "y_relevant": (
                        bool(content) if b["relevant"] is None else m.creator_id in b["relevant"]
                    ),
                    "world_brief": b["relevant"] is not None,
                    "relevance": m.relevance,
                }
            )
    return pd.DataFrame(rows)


def _logit(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> list[float]:
    if len(set(y.tolist())) < 2:
        raise SystemExit("a label has one class only: use a bigger world")
    lr = LogisticRegression(C=100.0, max_iter=2000).fit(x, y, sample_weight=weight)
    return [float(lr.intercept_[0]), *(float(c) for c in lr.coef_[0])]


def learn(df: pd.DataFrame, name: str) -> RelevanceModel:
    d = df.dropna(subset=["cos"])
    y = d["y_content"].to_numpy()
    # the sub-topic briefs, which list every creator, weigh as much as the world's briefs
    own = d["world_brief"].to_numpy(bool) if "world_brief" in d else np.ones(len(d), bool)
    weight = np.where(own, 1.0, own.sum() / max(int((~own).sum()), 1))
    m = RelevanceModel(model=name, source="")
    for names in usable_fits(_signals(d)):
        m.content["+".join(names)] = _logit(content_terms(d, names), y, weight)
    aud: dict[str, tuple[float, float]] = {}
    for dim in ("country", "age", "gender"):
        dd = df.dropna(subset=[f"{dim}_share"])
        if len(dd) < 50 or dd[f"y_{dim}"].nunique() < 2:
            aud[dim] = RelevanceModel(model=name).audience[dim]
            continue
        xs = np.log(np.clip(dd[[f"{dim}_share"]].to_numpy(float), 1e-4, 1.0))
        a, b = _logit(xs, dd[f"y_{dim}"].to_numpy())
        aud[dim] = (a, b)
    m.audience = aud
    return m


def floor_for(rel: np.ndarray, y: np.ndarray, precision: float = PRECISION) -> float:
    """The smallest threshold with precision >= ``precision`` among the pairs at or above it."""
    order = np.argsort(-rel)
    hits = np.cumsum(y[order])
    prec = hits / np.arange(1, len(y) + 1)
    ok = np.flatnonzero(prec >= precision)
    if not len(ok):
        return 0.99
    return float(rel[order][ok[-1]])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--store", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--workspace", default="default")
    ap.add_argument("--model", default=None)
    ap.add_argument("--write", action="store_true")
    ap.add_argument(
        "--check",
        action="append",
        default=[],
        help="another world's folder (store.duckdb and world/, as bench_plan_truth.py makes "
        "them) to report the new and previous content fits' calibration on; repeatable",
    )
    ap.add_argument(
        "--precision", type=float, default=PRECISION, help="precision the floor must reach"
    )
    ap.add_argument(
        "--subtopic-briefs",
        action="store_true",
        help="learn the content fit on a brief per sub-topic of the world's vocabulary too "
        "(subtopic_rows); the floor and the report's figures stay on the world's own briefs",
    )
    a = ap.parse_args(argv)
    st = open_store(a.store)
    try:
        name = get_embedder(a.model).name
        every = labelled_pairs(st, a.workspace, Path(a.world), a.model,
                               subtopics=a.subtopic_briefs)  # fmt: skip
        m = learn(every, name)
        df = every[every["world_brief"]].reset_index(drop=True)
        # relevance under the learned coefficients, for the floor
        from closeknit.match.relevance import audience_probability, content_probability

        pc = content_probability(m, _signals(df))
        shares = {
            d: df[f"{d}_share"].to_numpy(float)
            for d in ("country", "age", "gender")
            if df[f"{d}_share"].notna().any()
        }
        pa_, _ = audience_probability(m, shares)
        rel = pc * (np.nan_to_num(pa_, nan=1.0) if pa_ is not None else 1.0)
        m.floor = round(floor_for(rel, df["y_relevant"].to_numpy(), a.precision), 4)
        m.source = (
            f"learned on {_name(Path(a.world))}: {df['brief_id'].nunique()} briefs, "
            f"{len(df)} candidate pairs"
        ) + (
            f"; content also on {every['brief_id'].nunique() - df['brief_id'].nunique()} "
            f"sub-topic briefs ({len(every) - len(df)} pairs)"
            if a.subtopic_briefs
            else ""
        )
        y = df["y_relevant"].to_numpy()
        above = rel >= m.floor
        report = {
            "model": m.to_dict(),
            "pairs": len(df),
            "relevant_pairs": int(y.sum()),
            "above_floor": int(above.sum()),
            "precision_above_floor": round(float(y[above].mean()), 4) if above.any() else None,
            "recall_above_floor": round(float(above[y].mean()), 4) if y.any() else None,
            "content_auc": _auc(pc, df["y_content"].to_numpy()),
            "precision_recall": {
                f"{t:.2f}": [
                    round(float(y[rel >= t].mean()), 3) if (rel >= t).any() else None,
                    round(float((rel >= t)[y].mean()), 3),
                ]
                for t in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
            },
            "previous_model": model_for(name).to_dict(),
            "calibration": {
                _name(Path(a.world)): calibration(df, m, model_for(name)),
                **{
                    _name(Path(w)): calibration(
                        pairs_of(Path(w), a.workspace, a.model), m, model_for(name)
                    )
                    for w in a.check
                },
            },
        }
        print(json.dumps(report, indent=2))
        if a.write:
            save_model(m)
            print(f"wrote {name} to relevance.json", file=sys.stderr)
    finally:
        st.close()


def _name(world: Path) -> str:
    """A world's name in the report: its folder, or the bench folder holding ``world/``."""
    return world.parent.name if world.name == "world" else world.name


def _signals(df: pd.DataFrame) -> dict[str, np.ndarray | None]:
    return {
        k: (df[k].to_numpy(float) if df[k].notna().all() else None)
        for k in ("kw", "kw_rel", "cos", "cos_rel", "niche")
    }


def pairs_of(folder: Path, ws: str, model: str | None) -> pd.DataFrame:
    st = open_store(folder / "store.duckdb")
    try:
        return labelled_pairs(st, ws, folder / "world", model)
    finally:
        st.close()


def calibration(df: pd.DataFrame, new: RelevanceModel, old: RelevanceModel) -> dict[str, Any]:
    """P(content fits) against the truth's content label, for the new and the previous fit:
    log loss over every pair and over the pairs either fit calls possible (P > 0.3), and,
    among the pairs with P > 0.5, mean P beside the share that fit, for creators whose niche
    the brief's best matches share (niche support > 0.25) and for those it does not."""
    from closeknit.match.relevance import content_probability

    d = df.dropna(subset=["cos"])
    y = d["y_content"].to_numpy(bool)
    sig = _signals(d)
    ps = {"new": content_probability(new, sig), "previous": content_probability(old, sig)}
    maybe = (ps["new"] > 0.3) | (ps["previous"] > 0.3)
    out: dict[str, Any] = {"pairs": len(d), "possible_pairs": int(maybe.sum())}
    sup = d["niche"].to_numpy(float) if sig["niche"] is not None else np.ones(len(d))
    for k, p in ps.items():
        q = np.clip(p, 1e-9, 1 - 1e-9)
        ll = -(np.where(y, np.log(q), np.log(1 - q)))
        row: dict[str, Any] = {
            "log_loss": round(float(ll.mean()), 4),
            "log_loss_possible": round(float(ll[maybe].mean()), 4),
        }
        for part, sel in (("niche_shared", sup > 0.25), ("niche_not_shared", sup <= 0.25)):
            s = sel & (p > 0.5)
            row[part] = {
                "n": int(s.sum()),
                "mean_p": round(float(p[s].mean()), 3) if s.any() else None,
                "fit_share": round(float(y[s].mean()), 3) if s.any() else None,
            }
        out[k] = row
    return out


def _auc(score: np.ndarray, y: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, score)), 4) if len(set(y.tolist())) == 2 else None


if __name__ == "__main__":
    main()
