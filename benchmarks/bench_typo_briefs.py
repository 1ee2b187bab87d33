"""A world's briefs with typos, held against its truth: how much a slip of the keyboard costs.

Each brief of ``truth/briefs.csv`` (those with relevant creators) is written three ways: as the
world wrote it, and with one slip in each of its one and two longest content words (a letter
dropped, doubled, swapped with its neighbour, or changed to a neighbouring key; the first letter
kept; seeded, so every run and every checkout get the same typos). Each is run through
``closeknit.match.discover`` with the brief's filters (as ``closeknit.match.evaluate``), and
scored by NDCG@20 against the brief's truly relevant creators; the notes say which typos were
read as the word meant (``read_as``) and which were only named.

    python benchmarks/bench_typo_briefs.py --store S --world W [--json F]

``PYTHONPATH=OTHER/src`` runs another checkout's code on the same store (the before of a change;
its results lack ``read_as``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
from pathlib import Path
from typing import Any

from closeknit.match import discover
from closeknit.match.evaluate import load_briefs, ndcg
from closeknit.match.relevance import STOP, content_query
from closeknit.store import open_store

KEYS = "qwertyuiop asdfghjkl zxcvbnm".split()


def _neighbours(c: str) -> str:
    for row in KEYS:
        i = row.find(c)
        if i >= 0:
            return row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    return ""


def slip(word: str, rng: random.Random) -> str:
    """One slip in ``word`` (not its first letter); never the word itself."""
    for _ in range(50):
        i = rng.randrange(1, len(word))
        kind = rng.choice(["drop", "double", "swap", "near"])
        if kind == "drop":
            out = word[:i] + word[i + 1 :]
        elif kind == "double":
            out = word[:i] + word[i] + word[i:]
        elif kind == "swap" and i + 1 < len(word):
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif kind == "near" and _neighbours(word[i]):
            out = word[:i] + rng.choice(_neighbours(word[i])) + word[i + 1 :]
        else:
            continue
        if out != word:
            return out
    return word


def typo_text(text: str, words: int, seed: int) -> tuple[str, list[str]]:
    """``text`` with a slip in each of its ``words`` longest content words (≥ 4 letters)."""
    rng = random.Random(f"{seed}:{text}")
    content = [w for w in dict.fromkeys(re.findall(r"[a-z]+", content_query_text(text)))]
    content = [w for w in content if len(w) >= 4 and w not in STOP]
    chosen = sorted(content, key=lambda w: (-len(w), w))[:words]
    out, said = text, []
    for w in chosen:
        t = slip(w, rng)
        out = re.sub(rf"\b{re.escape(w)}\b", t, out, count=1, flags=re.IGNORECASE)
        said.append(f"{w}->{t}")
    return out, said


def content_query_text(text: str) -> str:
    from closeknit.match.brief import Brief

    return content_query(Brief(text=text).validated()).lower()


def run(store_path: Path, world: Path, seed: int) -> dict[str, Any]:
    st = open_store(store_path)
    briefs = [b for b in load_briefs(world) if b[2]]
    rows = []
    for bid, brief, rel in briefs:
        row: dict[str, Any] = {"brief": bid, "text": brief.text}
        for name, words in (("clean", 0), ("one typo", 1), ("two typos", 2)):
            text, slips = typo_text(brief.text, words, seed) if words else (brief.text, [])
            res = discover(
                st, "default", brief.model_copy(update={"text": text}), 50, evidence=False
            )
            ranked = [m.creator_id for m in res.matches]
            row[name] = {
                "text": text,
                "slips": slips,
                "ndcg@20": round(ndcg(ranked, rel), 4),
                "read_as": getattr(res, "read_as", {}),
            }
        rows.append(row)
    summary: dict[str, Any] = {}
    for name in ("clean", "one typo", "two typos"):
        vals = [r[name]["ndcg@20"] for r in rows]
        read = sum(len(r[name]["read_as"]) for r in rows)
        right = sum(
            1
            for r in rows
            for s in r[name]["slips"]
            for w, t in [s.split("->")]
            if r[name]["read_as"].get(t) == w
        )
        summary[name] = {
            "mean ndcg@20": round(statistics.fmean(vals), 4),
            "median ndcg@20": round(statistics.median(vals), 4),
            "slips": sum(len(r[name]["slips"]) for r in rows),
            "read as another word": read,
            "read as the word written": right,
        }
    return {"briefs": len(rows), "seed": seed, "summary": summary, "rows": rows}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--world", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1, help="which slips (the same in every run)")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)
    out = run(a.store, a.world, a.seed)
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))
    print(json.dumps(out["summary"], indent=1))
    print("| briefs | clean | one typo | two typos |\n|---|---|---|---|")
    s = out["summary"]
    print(
        f"| {out['briefs']} | {s['clean']['mean ndcg@20']} | {s['one typo']['mean ndcg@20']} "
        f"| {s['two typos']['mean ndcg@20']} |"
    )


if __name__ == "__main__":
    main()
