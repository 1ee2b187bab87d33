"""Per-creator features: engagement, two-way stream, authenticity, sponsorship.

``build(store, workspace)`` writes the versioned ``creator_features`` table (see docs/vetting.md
for every formula); ``vet(store, workspace, creator)`` explains one creator with its evidence.
The classifiers live in ``closeknit.features.models`` and are loaded lazily.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from closeknit.features.builder import BuildResult, build
    from closeknit.features.version import FEATURE_SET_VERSION
    from closeknit.features.vet import VetReport, vet

__all__ = ["FEATURE_SET_VERSION", "BuildResult", "VetReport", "build", "vet"]

# Loaded on first use: importing the builder (pandas, the classifiers, every SQL file) for
# closeknit.features.fees alone cost discover and plan ~0.3 s a process.
_LAZY = {
    "FEATURE_SET_VERSION": "version",
    "BuildResult": "builder",
    "build": "builder",
    "VetReport": "vet",
    "vet": "vet",
}


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        # importing the submodule closeknit.features.vet binds the module to the package's
        # ``vet``; the eager import used to rebind the function after it: keep the function
        if name == "vet" and isinstance(value, types.ModuleType):
            value = value.vet
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'closeknit.features' has no attribute {name!r}")
    return getattr(importlib.import_module(f"closeknit.features.{mod}"), name)
