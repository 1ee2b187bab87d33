"""Synthetic world generator with ground truth (demo data, tests, benchmarks).

``generate(out_dir, creators, seed, **opts)`` writes the same file shapes the real connectors
read (see docs/world.md) plus ``truth/``; ``closeknit.world.truth.load_truth(dir)`` reads it back.
"""

from __future__ import annotations

from closeknit.world.generate import WorldSummary, generate

__all__ = ["WorldSummary", "generate"]
