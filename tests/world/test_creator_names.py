"""Creator handles and names are built column-wise; they must equal the per-creator formula."""

from __future__ import annotations

import numpy as np

from closeknit.world import vocab
from closeknit.world.config import default_config
from closeknit.world.creators import b26, b26_many, make_creators


def test_b26_many_equals_b26_across_digit_lengths() -> None:
    n = np.array([0, 1, 25, 26, 675, 676, 17_575, 17_576, 456_975, 456_976, 999_999, 12_345_678])
    assert b26_many(n).tolist() == [b26(int(x)) for x in n]


def _reference(gidx: int, niche: int, f: str, la: str, word: int, style: int) -> str:
    w = vocab.NICHE_HANDLE_WORDS[vocab.NICHE_IDS[niche]][word]
    tag = b26(gidx)
    return (
        f"{f}.{w}.{tag}",
        f"{f}_{la}_{tag}",
        f"{w}with{f}.{tag}",
        f"the{f}{w}_{tag}",
    )[style]


def test_handles_and_names_match_the_per_creator_formula() -> None:
    cfg = default_config(40_000, 3, shard_size=700)
    c = make_creators(cfg, 50)
    n = len(c)
    assert len(set(c.handles)) == n  # the base-26 tag makes every handle unique
    for i in range(0, n, 37):
        h = c.handles[i]
        tag = b26(int(c.gidx[i]))
        assert h.endswith(tag)
        first, last = c.names[i].lower().split(" ")
        refs = {
            _reference(int(c.gidx[i]), int(c.niche[i]), first, last, wd, s)
            for wd in range(3)
            for s in range(4)
        }
        assert h in refs, h
