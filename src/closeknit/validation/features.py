"""Validate the vetting features against a synthetic world's ground truth.

    python -m closeknit.features.validate --creators 3000 --seed 7 [--world DIR] [--json]

Generates a world (``closeknit.world.generate``) unless ``--world`` names one, imports it with
``closeknit.connectors.importer.import_world`` into a fresh store, builds the features, and
scores them against ``truth/``: precision/recall of bought-growth spikes (±7 days), of bot
comments and bot accounts, of pod members; correlations of audience_real_share with the true
real share (and interval coverage), of engagement, sponsored and reply rates with their truth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from closeknit.features.builder import build, comment_verdicts

if TYPE_CHECKING:
    from closeknit.store import Store


def _pr(tp: int, n_pred: int, n_true: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else None
    r = tp / n_true if n_true else None
    f1 = 2 * p * r / (p + r) if p and r else None
    return {"precision": _r(p), "recall": _r(r), "f1": _r(f1), "tp": tp, "predicted": n_pred,
            "true": n_true}  # fmt: skip


def _r(v: float | None, nd: int = 3) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(v, nd)


def _corr(a: pd.Series, b: pd.Series) -> dict[str, Any]:
    m = a.notna() & b.notna()
    if m.sum() < 3:
        return {"pearson": None, "spearman": None, "n": int(m.sum())}
    x, y = a[m].astype(float), b[m].astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant column has no correlation
        pearson = float(np.corrcoef(x, y)[0, 1])
        spearman = float(x.rank().corr(y.rank()))
    return {"pearson": _r(pearson), "spearman": _r(spearman), "n": int(m.sum())}


def score_world(store: Store, workspace: str, world_dir: Path) -> dict[str, Any]:
    """Compare ``creator_features`` of ``workspace`` with the truth of ``world_dir``."""
    from closeknit.world.truth import load_truth

    truth = load_truth(world_dir)
    f = store.df("SELECT * FROM creator_features WHERE workspace_id = ?", [workspace])
    tc = truth.creators.copy()
    j = f.merge(tc, on="creator_id", how="inner", suffixes=("", "_t"))
    out: dict[str, Any] = {"creators_scored": len(j), "creators_in_truth": len(tc)}

    # growth spikes: a predicted spike matches a true bought spike of the same creator ±7 days
    ge = truth.growth_events
    ge = ge[ge["creator_id"].isin(set(f.loc[f["growth_spikes"].notna(), "creator_id"]))]
    true_b = ge[ge["kind"] == "bought_spike"]
    viral = ge[ge["kind"] == "viral"]
    pred = []
    for cid, ev in zip(f["creator_id"], f["evidence"], strict=True):
        for s in json.loads(ev or "{}").get("growth", {}).get("spikes", []):
            pred.append((cid, dt.date.fromisoformat(s["date"])))

    def near(rows: pd.DataFrame, cid: str, d: dt.date) -> bool:
        ds = rows.loc[rows["creator_id"] == cid, "date"]
        return any(abs((dt.date.fromisoformat(str(x)) - d).days) <= 7 for x in ds)

    tp_pred = sum(near(true_b, c, d) for c, d in pred)
    on_viral = sum((not near(true_b, c, d)) and near(viral, c, d) for c, d in pred)
    found = sum(
        any(c == cid and abs((d - dt.date.fromisoformat(str(td))).days) <= 7 for c, d in pred)
        for cid, td in zip(true_b["creator_id"], true_b["date"], strict=True)
    )
    sp = _pr(tp_pred, len(pred), len(true_b))
    sp["recall"] = _r(found / len(true_b)) if len(true_b) else None
    sp["predicted_on_viral_weeks"] = on_viral
    sp["viral_events"] = len(viral)
    out["growth_spikes"] = sp

    # bot comments and bot accounts
    cv = comment_verdicts(store, workspace)
    bots = set(truth.bots["handle"].astype(str).str.lower())
    cv["is_bot_true"] = cv["author_handle"].astype(str).str.lower().isin(bots)
    tp = int((cv["bot"] & cv["is_bot_true"]).sum())
    out["bot_comments"] = _pr(tp, int(cv["bot"].sum()), int(cv["is_bot_true"].sum()))
    out["bot_comments"]["comments"] = len(cv)
    acc = cv.groupby(cv["author_handle"].astype(str).str.lower()).agg(
        n=("bot", "size"), share=("bot", "mean"), truth=("is_bot_true", "first")
    )
    acc_pred = acc["share"] >= 0.5
    out["bot_accounts"] = _pr(
        int((acc_pred & acc["truth"]).sum()), int(acc_pred.sum()), int(acc["truth"].sum())
    )
    out["bot_accounts"]["accounts"] = len(acc)
    if "bot_edges" in j and "comment_edges" in j:
        true_share = j["bot_edges"] / j["comment_edges"].replace(0, np.nan)
        out["bot_comment_share_vs_truth"] = _corr(j["bot_comment_share"], true_share)

    # pods: creator-level membership, and each true pod's best Jaccard with a found pod
    tp_ids = set(truth.pods["creator_id"].astype(str)) & set(f["creator_id"])
    found_ids = set(f.loc[f["pod_id"].notna(), "creator_id"])
    out["pod_members"] = _pr(len(tp_ids & found_ids), len(found_ids), len(tp_ids))
    groups = {k: set(v) for k, v in f[f["pod_id"].notna()].groupby("pod_id")["creator_id"]}
    jac = []
    for _pid, mem in truth.pods.groupby("pod_id")["creator_id"]:
        m = set(mem.astype(str)) & set(f["creator_id"])
        if len(m) < 3:
            continue
        jac.append(max((len(m & g) / len(m | g) for g in groups.values()), default=0.0))
    out["pods"] = {"true_pods": len(jac), "found_pods": len(groups),
                   "median_best_jaccard": _r(float(np.median(jac))) if jac else None}  # fmt: skip
    # a pod or a fast-comment ring (a pod seen from one creator's comments alone)
    flagged = set(f.loc[f["pod_id"].notna() | (f["pod_score"].fillna(0) > 0), "creator_id"])
    out["pod_or_ring_members"] = _pr(len(tp_ids & flagged), len(flagged), len(tp_ids))

    # audience quality: the estimated real-active share vs the true share of the creator's
    # audience set (truth audience_real_share = 1 - fake - inactive), 90% intervals
    ok = j["audience_status"] == "ok"
    truth_col = "audience_real_share_t" if "audience_real_share_t" in j else "real_share"
    out["audience_real_share"] = _corr(j.loc[ok, "audience_real_share"], j.loc[ok, truth_col])
    out["audience_real_share"]["vs_1_minus_fake_follower_share"] = _corr(
        j.loc[ok, "audience_real_share"], 1 - j.loc[ok, "fake_follower_share"]
    )["pearson"]
    inside = (j[truth_col] >= j["audience_real_lo"]) & (j[truth_col] <= j["audience_real_hi"])
    out["audience_real_share"]["interval_coverage"] = _r(float(inside[ok].mean()))
    err = (j.loc[ok, "audience_real_share"] - j.loc[ok, truth_col]).abs()
    out["audience_real_share"]["mean_abs_error"] = _r(float(err.mean()))
    out["audience_real_share"]["median_abs_error"] = _r(float(err.median()))
    out["audience_real_share"]["median_sample"] = _r(
        float(j.loc[ok, "audience_sample_size"].median())
    )

    out["audience_alternatives"] = _audience_alternatives(store, workspace, truth)

    # engagement, sponsorship, replies
    out["engagement_rate"] = _corr(j["engagement_rate"], j["engagement_rate_true"])
    out["engagement_by_tier"] = {
        str(t): _r(float(g["engagement_rate"].median()), 5)
        for t, g in j[j["platform"] == "instagram"].groupby("tier")
    }
    out["engagement_insufficient"] = int((j["engagement_status"] != "ok").sum())
    out["sponsored_rate"] = _corr(j["sponsored_rate"], j["sponsored_rate_true"])
    if "undisclosed_posts" in j and "sponsored_posts" in j:
        out["sponsored_rate"]["undisclosed_share_in_truth"] = _r(
            float(j["undisclosed_posts"].sum() / max(j["sponsored_posts"].sum(), 1))
        )
    out["reply_rate"] = _corr(j["reply_rate"], j["reply_rate_true"])
    if "median_reply_minutes_t" in j:
        out["median_reply_minutes"] = _corr(j["median_reply_minutes"], j["median_reply_minutes_t"])
    return out


def _audience_alternatives(store: Store, workspace: str, truth: Any) -> dict[str, Any]:
    """The real share three ways (model mean P, model thresholded at 0.5, the heuristic), each
    against the true real share, and how each scorer separates the true account kinds."""
    from closeknit.features import audience

    cols = ", ".join(audience.PROFILE_COLUMNS)
    df = store.df(
        f"SELECT creator_id, relation, {cols} FROM audience_samples WHERE workspace_id = ?",
        [workspace],
    )
    if df.empty:
        return {}
    plain = df.astype(object).where(df.notna(), None)
    model, method = audience.load_model()
    df["p_model"] = model.predict_proba(plain) if model is not None else np.nan
    df["p_heur"] = audience.heuristic_proba(plain)
    kinds = truth.accounts[["handle", "kind"]].drop_duplicates("handle")
    df = df.merge(kinds, on="handle", how="left")
    g = df.groupby("creator_id")
    est = pd.DataFrame(
        {
            "model_mean": 1 - g["p_model"].mean(),
            "model_threshold": g["p_model"].apply(lambda s: float((s < 0.5).mean())),
            "heuristic_mean": 1 - g["p_heur"].mean(),
        }
    ).reset_index()
    est = est.merge(truth.creators[["creator_id", "real_share"]], on="creator_id")
    out: dict[str, Any] = {"model": method}
    for c in ("model_mean", "model_threshold", "heuristic_mean"):
        out[c] = _corr(est[c], est["real_share"])
        out[c]["mean_abs_error"] = _r(float((est[c] - est["real_share"]).abs().mean()))
    out["mean_p_fake_by_true_kind"] = {
        str(k): {
            "model": _r(float(x["p_model"].mean())),
            "heuristic": _r(float(x["p_heur"].mean())),
        }
        for k, x in df.groupby("kind")
    }
    return out


def run(
    creators: int,
    seed: int,
    world: Path | None = None,
    db: Path | None = None,
    *,
    one_per_pod: bool = False,
) -> dict[str, Any]:
    """Generate (or reuse) a world, import, build, score; timings included. ``one_per_pod``
    keeps only the first member of each true pod in the store (a workspace that imported one
    creator of a pod, not its mates), to see what the creator's own comments show."""
    from closeknit.connectors.importer import import_world
    from closeknit.store import open_store

    tmp = Path(tempfile.mkdtemp(prefix="closeknit-validate-"))
    timings: dict[str, float] = {}
    if world is None:
        from closeknit.world import generate

        world = tmp / "world"
        t = time.perf_counter()
        generate(world, creators=creators, seed=seed)
        timings["generate"] = time.perf_counter() - t
    st = open_store(db or tmp / "validate.duckdb", create=True)
    try:
        t = time.perf_counter()
        import_world(st, "default", world)
        timings["import"] = time.perf_counter() - t
        if one_per_pod:
            pods = pd.read_csv(world / "truth" / "pods.csv", dtype=str)
            mates = sorted(
                set(pods["creator_id"]) - set(pods.groupby("pod_id")["creator_id"].first())
            )
            with st.transaction() as tx:
                tx.execute(
                    "DELETE FROM creators WHERE workspace_id = 'default' "
                    "AND creator_id IN (SELECT unnest(?))",
                    [mates],
                )
        t = time.perf_counter()
        res = build(st, "default", incremental=False)
        timings["build"] = time.perf_counter() - t
        out = score_world(st, "default", world)
    finally:
        st.close()
    out["world"] = {"creators": creators, "seed": seed, "dir": str(world)}
    out["build"] = res.to_dict()
    out["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--creators", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--world", type=Path, default=None, help="reuse a generated world")
    ap.add_argument("--db", type=Path, default=None, help="store file (default: a temp file)")
    ap.add_argument(
        "--one-per-pod",
        action="store_true",
        help="keep one creator of each true pod in the store (its pod mates are not imported)",
    )
    a = ap.parse_args(argv)
    out = run(a.creators, a.seed, a.world, a.db, one_per_pod=a.one_per_pod)
    print(json.dumps(out, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
