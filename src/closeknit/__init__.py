"""closeknit: discover, vet, plan, track and measure micro-influencer campaigns.

The public Python API (the CLI, REST API and web pages are thin layers over it)::

    import closeknit as ck

    st = ck.open_store("closeknit.duckdb")
    ck.generate_world("world/", creators=2000, seed=1)      # synthetic data with ground truth
    ck.import_world(st, "default", "world/")                # or ck.import_path(...) for real files
    ck.build_features(st, "default")                        # engagement, authenticity, ...
    ck.assign_niches(st, "default")
    ck.vet(st, "default", "@handle").to_dict()
    ck.discover(st, "default", ck.Brief(text="home workout, UK, 18-25"), limit=20).to_dict()
    ck.make_plan(st, "default", "home workout, UK", budget=5000).to_dict()
    ck.roas_report(st, "default", "campaign-id").to_dict()
    ck.estimate_lift(st, "default", "campaign-id").to_dict()

Names are imported lazily so that ``import closeknit`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API: dict[str, tuple[str, str]] = {
    "open_store": ("closeknit.store", "open_store"),
    "Store": ("closeknit.store", "Store"),
    "generate_world": ("closeknit.world", "generate"),
    "load_truth": ("closeknit.world.truth", "load_truth"),
    "import_path": ("closeknit.connectors.importer", "import_path"),
    "import_world": ("closeknit.connectors.importer", "import_world"),
    "build_features": ("closeknit.features", "build"),
    "vet": ("closeknit.features", "vet"),
    "assign_niches": ("closeknit.match.niche", "assign_niches"),
    "Brief": ("closeknit.match", "Brief"),
    "discover": ("closeknit.match", "discover"),
    "lookalikes": ("closeknit.match", "lookalikes"),
    "trends": ("closeknit.match", "trends"),
    "estimate_fees": ("closeknit.plan", "estimate_fees"),
    "make_plan": ("closeknit.plan", "make_plan"),
    "PlanConstraints": ("closeknit.plan", "PlanConstraints"),
    "roas_report": ("closeknit.track.roas", "report"),
    "estimate_lift": ("closeknit.track.lift", "estimate"),
    "design_holdout": ("closeknit.track.holdout", "design"),
    "create_app": ("closeknit.api", "create_app"),
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        mod, attr = _API[name]
        value = getattr(import_module(mod), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'closeknit' has no attribute {name!r}")
