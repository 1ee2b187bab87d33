"""Edit distance between words (typos in briefs: content words and place names)."""

from __future__ import annotations


def edit_distance(a: str, b: str, cap: int) -> int:
    """Optimal-string-alignment distance of ``a`` and ``b`` (insertions, deletions, changes and
    swaps of neighbours), or ``cap + 1`` as soon as it is sure to exceed ``cap``."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > cap:
            return cap + 1
        prev2, prev = prev, cur
    return prev[-1]


def slips(word: str) -> int:
    """How many slips a typo of ``word`` may hold: one, two in a word of more than eight letters
    ("fashon", "sustainble"; "shaving" is no typo of "savings": two edits in seven letters)."""
    return 1 if len(word) <= 8 else 2
