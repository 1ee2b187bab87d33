"""The per-process cache of follower handles/profiles: a second world (another seed) in the same
process must not lose ids it had already made when the cache starts over."""

from __future__ import annotations

import numpy as np
import pytest

from closeknit.world import audience


def test_the_cache_starting_over_keeps_every_asked_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audience, "_CACHE_MAX", 5)
    cache: dict[int, dict[int, str]] = {}

    def make(seed: int, mids: np.ndarray) -> list[str]:
        return [f"{seed}-{m}" for m in mids.tolist()]

    assert audience._cached(cache, make, 1, np.array([1, 2, 3])) == ["1-1", "1-2", "1-3"]
    # another seed fills the cache past its bound: it starts over
    assert audience._cached(cache, make, 2, np.array([7, 8, 9])) == ["2-7", "2-8", "2-9"]
    # ids seen before plus new ones, past the bound: it was a KeyError on the seen ones
    got = audience._cached(cache, make, 2, np.array([7, 8, 9, 10, 11, 12]))
    assert got == ["2-7", "2-8", "2-9", "2-10", "2-11", "2-12"]
