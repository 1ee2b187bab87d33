"""Per-creator features: engagement, two-way stream, authenticity, sponsorship.

``build(store, workspace)`` writes the versioned ``creator_features`` table (see docs/vetting.md
for every formula); ``vet(store, workspace, creator)`` explains one creator with its evidence.
The classifiers live in ``closeknit.features.models`` and are loaded lazily.
"""

from __future__ import annotations

from closeknit.features.builder import FEATURE_SET_VERSION, BuildResult, build
from closeknit.features.vet import VetReport, vet

__all__ = ["FEATURE_SET_VERSION", "BuildResult", "VetReport", "build", "vet"]
