"""Lookalikes held against a world's truth: do they share the seed's niche, sub-topic and market?

For seeds drawn from the world's creators that have a sub-topic (nano and micro, seeded, spread
over the niches), ``closeknit.match.lookalikes`` (``limit`` 10, within the niche and market, as
every interface calls it) is scored by the truth (``truth/creators.csv``):

* **niche@10**: the share of the 10 in the seed's true niche;
* **sub@10**: the share on the seed's true sub-topic, beside its **base rate** (the share of the
  seed's niche on that sub-topic: what picking creators of the niche at random gives);
* **country@10**: the share based in the seed's country;
* **fake@10**: the share whose audience truth calls bought (fake followers ≥ 20% of it, or a
  bought-follower spike): what a marketer would not book.

    python benchmarks/bench_lookalikes.py --store S --world W [--seeds 80] [--json F]

``PYTHONPATH=OTHER/src`` runs another checkout's code on the same store (the before).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from closeknit.errors import CloseknitError
from closeknit.match import lookalikes
from closeknit.store import open_store


def _truth(world: Path) -> dict[str, dict[str, str]]:
    with open(world / "truth" / "creators.csv", encoding="utf-8") as fh:
        return {r["creator_id"]: r for r in csv.DictReader(fh)}


def pick_seeds(truth: dict[str, dict[str, str]], n: int, seed: int) -> list[str]:
    """``n`` nano or micro creators with a sub-topic, round-robin over the niches."""
    rng = random.Random(seed)
    by_niche: dict[str, list[str]] = defaultdict(list)
    for cid, r in sorted(truth.items()):
        if r.get("sub_topic") and r["tier"] in ("nano", "micro"):
            by_niche[r["niche"]].append(cid)
    for ids in by_niche.values():
        rng.shuffle(ids)
    out: list[str] = []
    while len(out) < n and any(by_niche.values()):
        for niche in sorted(by_niche):
            if by_niche[niche] and len(out) < n:
                out.append(by_niche[niche].pop())
    return out


def run(store_path: Path, world: Path, n: int, seed: int) -> dict[str, Any]:
    truth = _truth(world)
    st = open_store(store_path)
    niche_sub: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in truth.values():
        niche_sub[r["niche"]][r.get("sub_topic") or ""] += 1
    rows = []
    for sid in pick_seeds(truth, n, seed):
        t = truth[sid]
        try:
            res = lookalikes(st, "default", sid, 10)
        except CloseknitError as e:
            rows.append({"seed": sid, "error": str(e)})
            continue
        got = [truth.get(m.creator_id, {}) for m in res.matches]
        k = len(got) or 1
        in_niche = sum(g.get("niche") == t["niche"] for g in got)
        on_sub = sum(g.get("sub_topic") == t["sub_topic"] for g in got)
        same_country = sum(g.get("country") == t["country"] for g in got)
        fake = sum(
            float(g.get("fake_follower_share") or 0) >= 0.2 or bool(g.get("bought_spike_week"))
            for g in got
        )
        total = sum(niche_sub[t["niche"]].values()) - 1
        base = (niche_sub[t["niche"]][t["sub_topic"]] - 1) / total if total > 0 else 0.0
        rows.append({
            "seed": sid, "niche": t["niche"], "sub_topic": t["sub_topic"],
            "sub_focus": float(t.get("sub_focus") or 0), "n": len(got),
            "niche@10": in_niche / k, "sub@10": on_sub / k, "country@10": same_country / k,
            "fake@10": fake / k,
            "base_sub": base,
        })  # fmt: skip
    ok = [r for r in rows if "error" not in r]

    def mean(key: str, rs: list[dict[str, Any]] = ok) -> float | None:
        return round(statistics.fmean(r[key] for r in rs), 4) if rs else None

    focused = [r for r in ok if r["sub_focus"] >= 0.5]
    summary = {
        "seeds": len(rows),
        "scored": len(ok),
        "niche@10": mean("niche@10"),
        "sub@10": mean("sub@10"),
        "base_sub": mean("base_sub"),
        "country@10": mean("country@10"),
        "fake@10": mean("fake@10"),
        "fake, all creators": round(
            statistics.fmean(
                float(r.get("fake_follower_share") or 0) >= 0.2 or bool(r.get("bought_spike_week"))
                for r in truth.values()
            ),
            4,
        ),
        "focused seeds (sub_focus >= 0.5)": len(focused),
        "sub@10, focused seeds": mean("sub@10", focused),
        "base_sub, focused seeds": mean("base_sub", focused),
    }
    return {"summary": summary, "rows": rows}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--world", type=Path, required=True)
    ap.add_argument("--seeds", type=int, default=80)
    ap.add_argument("--seed", type=int, default=1, help="which seeds are drawn")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    out = run(a.store, a.world, a.seeds, a.seed)
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    print(json.dumps(out["summary"], indent=1))


if __name__ == "__main__":
    main()
