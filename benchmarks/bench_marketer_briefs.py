"""Briefs written as marketers write them, held against a world's truth (issue 15).

The world's own briefs (``truth/briefs.csv``) are the ones the relevance model was learned on;
``benchmarks/marketer_briefs.json`` holds 28 others, written by a tester the way briefs arrive
(typos, other languages, negations, budgets in words, sub-topics named in words other
sub-topics share), each labelled with what it asks for in the world's terms. On a world made by
``bench_plan_truth.py --make`` this runs, in process and through the same service functions as
every interface:

* **discover** (``limit`` 20): how many of the 20 are in the brief's niches (``niche@20``), on
  its sub-topic where it names one (``sub@20``: the creator's true sub-topic, or riding that
  sub-topic's trend), and truly relevant (``strict@20``: the niche and sub-topic, at least half
  the audience in its countries, 20% in its ages, 55% of its gender, its tiers and platforms,
  under 30% fake followers: the rule of ``closeknit.world.briefs.relevant_mask``); and the
  same, and NDCG@20 against the truly relevant, for two keyword baselines: BM25 alone over
  every creator, and BM25 with discover's filters and factors (as ``closeknit.match.evaluate``);
* **plan** (the brief's budget, the shop's order value, at most 12 creators): the share of the
  picks truly relevant, whether the plan's 80% interval of incremental revenue covers the
  truth, and |log(forecast / truth)|, over every brief and over the sub-topic briefs alone.

    python benchmarks/bench_marketer_briefs.py --out /tmp/ptb/s1 [--briefs FILE] [--json F]

(``PYTHONPATH=OTHER/src`` scores another checkout's code on the same world: the before of a
change.)

Prints a JSON report and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from closeknit.store import open_store

BRIEFS = Path(__file__).with_name("marketer_briefs.json")
TIERS = ["nano", "micro", "macro", "mega"]


def _age_buckets(lo: int, hi: int) -> list[tuple[str, float]]:
    """The world's age buckets overlapping [lo, hi], each with the share of it inside."""
    from closeknit.world.creators import AGE_BUCKETS

    out = []
    for b in AGE_BUCKETS:
        a, z = (65, 100) if b == "65+" else (int(x) for x in b.split("-"))
        inside = max(0, min(hi, z) - max(lo, a) + 1) / (z - a + 1)
        if inside > 0:
            out.append((b, inside))
    return out


def truth_masks(inp: Any, spec: dict[str, Any]) -> dict[str, np.ndarray]:
    """Per creator of the world: in the brief's niches, on its sub-topic, truly relevant."""
    from closeknit.world import vocab
    from closeknit.world.briefs import (
        MAX_FAKE,
        MIN_AGE_SHARE,
        MIN_COUNTRY_SHARE,
        MIN_GENDER_SHARE,
    )
    from closeknit.world.creators import AGE_BUCKETS

    nids = [vocab.NICHE_IDS.index(x) for x in spec["niches"]]
    niche = np.isin(inp.niche, nids)
    sub = niche.copy()
    if spec.get("sub"):
        first = spec["niches"][0]
        sid = [s[0] for s in vocab.SUBTOPICS[first]].index(spec["sub"])
        sub = (inp.niche == nids[0]) & (inp.sub == sid)
        for k, tr in enumerate(vocab.TRENDS):
            if tr[2] == first and tr[3] == spec["sub"]:
                sub |= (inp.niche == nids[0]) & (inp.trend == k)
    ok = sub & (inp.fake_share < MAX_FAKE)
    cs = [c for c in spec.get("countries") or [] if c in vocab.COUNTRY_IDS]
    if cs:
        ix = [vocab.COUNTRY_IDS.index(c) for c in cs]
        ok &= inp.countries[:, ix].sum(axis=1) >= MIN_COUNTRY_SHARE
    elif spec.get("countries"):  # places the world has no audience in: nobody fits
        ok &= False
    if spec.get("age"):
        share = sum(inp.age[:, AGE_BUCKETS.index(b)] * w for b, w in _age_buckets(*spec["age"]))
        ok &= share >= MIN_AGE_SHARE
    g = inp.female + inp.unknown_gender / 2
    if spec.get("gender") == "F":
        ok &= g >= MIN_GENDER_SHARE
    elif spec.get("gender") == "M":
        ok &= 1 - g >= MIN_GENDER_SHARE
    if spec.get("tiers"):
        ok &= np.isin(inp.tier, [TIERS.index(t) for t in spec["tiers"]])
    if spec.get("platforms"):
        ok &= np.isin(np.asarray(inp.platform), spec["platforms"])
    return {"niche": niche, "sub": sub, "strict": ok}


def counts(
    m: dict[str, np.ndarray], pos: dict[str, int], cids: list[str], name: str
) -> dict[str, Any]:
    """How many of ``cids`` each truth mask holds (``{name}niche@20``, ...), how many there
    are, and NDCG@20 of their order against the truly relevant (None when none is)."""
    idx = [pos[c] for c in cids if c in pos]
    out: dict[str, Any] = {f"{name}{k}@20": int(mask[idx].sum()) for k, mask in m.items()}
    out[f"{name}n"] = len(cids)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(20, int(m["strict"].sum()))))
    gain = sum(1 / math.log2(i + 2) for i, j in enumerate(idx[:20]) if m["strict"][j])
    out[f"{name}ndcg@20"] = gain / ideal if ideal else None
    return out


def target(spec: dict[str, Any], aov: float) -> Any:
    from closeknit.world import vocab
    from closeknit.world.response import Target

    return Target(
        key=spec["id"],
        niches=list(spec["niches"]),
        sub=spec.get("sub"),
        countries=[c for c in spec.get("countries") or [] if c in vocab.COUNTRY_IDS],
        ages=[b for b, _ in _age_buckets(*spec["age"])] if spec.get("age") else [],
        gender=spec.get("gender"),
        order_value=aov,
    )


def run(out: Path, briefs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import closeknit as ck
    from closeknit.errors import CloseknitError
    from closeknit.match.brief import content_text, parse_brief
    from closeknit.match.candidates import get_table  # noqa: F401  (warms the same caches)
    from closeknit.match.embed import get_embedder
    from closeknit.match.rank import bm25_for, discover
    from closeknit.match.vectors import creator_matrix
    from closeknit.world.response import load_response

    resp = load_response(out / "world")
    inp = resp.inputs
    pos = {c: i for i, c in enumerate(inp.creator_ids)}
    st = open_store(out / "store.duckdb")
    rows = []
    try:
        ids, _ = creator_matrix(st, "default", None)
        bm = bm25_for(st, "default", get_embedder(None).name, ids)
        for spec in briefs:
            m = truth_masks(inp, spec)
            row: dict[str, Any] = {"id": spec["id"], "text": spec["text"],
                                   "sub_topic": bool(spec.get("sub"))}  # fmt: skip

            d = ck.discover(st, "default", ck.DiscoverIn(text=spec["text"], limit=20))
            row.update(counts(m, pos, [r.creator_id for r in d.results], ""))
            brief = parse_brief(spec["text"])
            kw = bm.scores(content_text(brief))
            top = [ids[i] for i in np.argsort(-kw, kind="stable")[:20]]
            row.update(counts(m, pos, top, "bm25_"))
            # the keyword baseline with the product's filters and factors (as evaluate.py)
            q = np.zeros(1, np.float32)
            f = discover(st, "default", brief, 20, evidence=False,
                         query_override=(ids, kw.astype(np.float32), q))  # fmt: skip
            row.update(counts(m, pos, [x.creator_id for x in f.matches], "bm25f_"))
            row["pool"] = int(m["strict"].sum())
            try:
                p = ck.make_plan(st, "default", ck.PlanIn(text=spec["text"], budget=spec["budget"]))
            except CloseknitError as e:
                row["plan_error"] = str(e)
                rows.append(row)
                continue
            picks = [x.creator_id for x in p.picks]
            idx = np.array([pos[c] for c in picks], dtype=np.int64)
            row["picks"] = len(picks)
            row["picks_strict"] = int(m["strict"][idx].sum()) if len(idx) else 0
            row["picks_sub"] = int(m["sub"][idx].sum()) if len(idx) else 0
            e = p.expected
            if len(idx) and e.revenue is not None and e.conversions is not None:
                aov = e.revenue.mid / e.conversions.mid if e.conversions.mid else 50.0
                true = float(resp.revenue(target(spec, aov), idx).sum())
                row.update(forecast=e.revenue.mid, p10=e.revenue.p10, p90=e.revenue.p90,
                           truth=true, covered=bool(e.revenue.p10 <= true <= e.revenue.p90),
                           abs_log_error=abs(math.log(e.revenue.mid / true))
                           if true > 0 and e.revenue.mid > 0 else None)  # fmt: skip
            rows.append(row)
    finally:
        st.close()
    return rows


def mean(xs: list[float | None]) -> float | None:
    got = [x for x in xs if x is not None]
    return round(statistics.fmean(got), 4) if got else None


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def share(part: str, whole: str, sel: list[dict[str, Any]]) -> float | None:
        n = sum(r.get(whole, 0) for r in sel)
        return round(sum(r.get(part, 0) for r in sel) / n, 4) if n else None

    out: dict[str, Any] = {"briefs": len(rows)}
    for name, sel in (("all", rows), ("sub_topic", [r for r in rows if r["sub_topic"]])):
        planned = [r for r in sel if "forecast" in r]
        errs = [r["abs_log_error"] for r in planned if r.get("abs_log_error") is not None]
        out[name] = {
            "briefs": len(sel),
            "niche@20": share("niche@20", "n", sel),
            "sub@20": share("sub@20", "n", sel),
            "strict@20": share("strict@20", "n", sel),
            "bm25_niche@20": share("bm25_niche@20", "bm25_n", sel),
            "bm25_sub@20": share("bm25_sub@20", "bm25_n", sel),
            "bm25_strict@20": share("bm25_strict@20", "bm25_n", sel),
            "bm25f_niche@20": share("bm25f_niche@20", "bm25f_n", sel),
            "bm25f_sub@20": share("bm25f_sub@20", "bm25f_n", sel),
            "bm25f_strict@20": share("bm25f_strict@20", "bm25f_n", sel),
            "ndcg@20": mean([r["ndcg@20"] for r in sel]),
            "bm25_ndcg@20": mean([r["bm25_ndcg@20"] for r in sel]),
            "bm25f_ndcg@20": mean([r["bm25f_ndcg@20"] for r in sel]),
            "plans": len(planned),
            "picks_relevant_pooled": share("picks_strict", "picks", sel),
            "picks_on_sub_topic_pooled": share("picks_sub", "picks", sel),
            "interval_coverage": round(sum(r["covered"] for r in planned) / len(planned), 4)
            if planned
            else None,
            "median_abs_log_error": round(statistics.median(errs), 4) if errs else None,
            "forecast_over_truth_median": round(
                statistics.median(r["forecast"] / r["truth"] for r in planned if r["truth"] > 0),
                3,
            )
            if planned
            else None,
        }
    return out


def table(s: dict[str, Any]) -> str:
    lines = ["| figure | all briefs | sub-topic briefs |", "|---|---|---|"]
    a, b = s["all"], s["sub_topic"]
    for k, label in (
        ("briefs", "briefs"),
        ("ndcg@20", "discover: NDCG@20 (truly relevant)"),
        ("bm25f_ndcg@20", "… BM25 with the same filters and factors"),
        ("bm25_ndcg@20", "… BM25 alone"),
        ("strict@20", "discover: top 20 truly relevant"),
        ("bm25f_strict@20", "… BM25 with the same filters and factors"),
        ("bm25_strict@20", "… BM25 alone"),
        ("niche@20", "discover: top 20 in the brief's niches"),
        ("bm25f_niche@20", "… BM25 with the same filters and factors"),
        ("sub@20", "discover: top 20 on the brief's sub-topic"),
        ("bm25f_sub@20", "… BM25 with the same filters and factors"),
        ("plans", "plans made"),
        ("picks_relevant_pooled", "plan picks truly relevant, pooled"),
        ("picks_on_sub_topic_pooled", "plan picks on the sub-topic, pooled"),
        ("interval_coverage", "the plan's 80% interval covers the truth"),
        ("median_abs_log_error", "median abs log(forecast / truth)"),
        ("forecast_over_truth_median", "forecast / truth, median plan"),
    ):
        lines.append(f"| {label} | {a.get(k)} | {b.get(k)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="a bench_plan_truth.py folder")
    ap.add_argument("--briefs", type=Path, default=BRIEFS)
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    briefs = json.loads(a.briefs.read_text())["briefs"]
    rows = run(a.out, briefs)
    report = {"summary": summarize(rows), "briefs": rows}
    text = json.dumps(report, indent=2, default=str)
    if a.json:
        a.json.write_text(text + "\n")
    print(text)
    print(table(report["summary"]))


if __name__ == "__main__":
    main()
