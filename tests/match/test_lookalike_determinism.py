"""A lookalike's audience likeness is the same to the last digit in every process: it summed
over a set of bucket names, which iterates in the process's hash order (a repeat run gave
0.6736509541984733, then 0.6736509541984732)."""

from __future__ import annotations

import os
import subprocess
import sys

CODE = (
    "from closeknit.match.lookalike import _tvd_sim\n"
    "a = {f'b{i}': (i * 0.137) % 0.31 for i in range(12)}\n"
    "b = {f'b{i}': (i * 0.071) % 0.29 for i in range(3, 15)}\n"
    "print(repr(_tvd_sim(a, b)))\n"
)


def test_the_audience_likeness_does_not_depend_on_the_hash_seed() -> None:
    seen = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, check=True
        )
        seen.add(out.stdout.strip())
    assert len(seen) == 1, seen
