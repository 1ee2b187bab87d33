"""Feature builds (engagement, authenticity, sponsorship, growth), niches and the vector index:
the derived tables every answer reads."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from closeknit import features
from closeknit.errors import ConfigError
from closeknit.features import distributed
from closeknit.match import index, niche, portable, taxonomy, vectors
from closeknit.service.base import In, Out, Timestamp
from closeknit.service.discover import Model
from closeknit.store import Store


class BuildIn(In):
    full: bool = Field(default=False, description="recompute every creator, not only changed")


class BuildOut(Out):
    workspace: str
    feature_set_version: str
    as_of: Timestamp | None
    full: bool
    n_creators: int
    n_recomputed: int
    n_unchanged: int
    n_removed: int
    n_pods: int
    n_older: int = Field(
        default=0,
        description="creators whose data did not change and whose figures stay as of an "
        "earlier time than this build's as_of (an incremental build)",
    )
    notes: list[str] = []
    seconds: float
    steps: dict[str, float]
    methods: dict[str, str]


def build(store: Store, workspace: str, req: BuildIn) -> BuildOut:
    """Build creator_features; by default only creators with new data are recomputed."""
    out: BuildOut = BuildOut.of(features.build(store, workspace, incremental=not req.full))
    return out


class PortableIn(In):
    engine: Literal["duckdb", "spark"]
    input_dir: str
    output_dir: str
    master: str = "local[2]"


def build_portable(workspace: str, req: PortableIn) -> dict[str, Any]:
    """The engine-neutral feature build over Parquet inputs (DuckDB or Spark)."""
    out = distributed.build_portable(
        Path(req.input_dir),
        Path(req.output_dir),
        engine=req.engine,
        master=req.master,
        workspace=workspace,
    )
    d: dict[str, Any] = out.to_dict()
    return d


def export_inputs(store: Store, workspace: str, out: str, *, embeddings: bool) -> dict[str, Any]:
    """The canonical tables (and embeddings) as Parquet for a portable/Spark build."""
    counts: dict[str, Any] = dict(distributed.export_inputs(store, workspace, Path(out)))
    if embeddings:
        counts["embeddings"] = portable.export_embeddings(store, workspace, Path(out))
    return {"output": out, "rows": counts}


def attach(store: Store, output_dir: str) -> list[str]:
    """Serve a portable build's Parquet output as features_* views."""
    if not Path(output_dir).is_dir():
        raise ConfigError(f"{output_dir}: not a folder")
    return list(distributed.attach(store, Path(output_dir)))


class NicheCount(Out):
    niche: str
    creators: int
    mean_confidence: float | None


class NichesOut(Out):
    assigned: int
    niches: list[NicheCount]


def assign_niches(store: Store, workspace: str, model: Model | None = None) -> NichesOut:
    """Embed creators and write their niche with a confidence."""
    n = niche.assign_niches(store, workspace, model)
    return NichesOut(
        assigned=n,
        niches=[NicheCount.of(r) for r in niche.niche_counts(store, workspace)],
    )


class NicheInfo(Out):
    id: str
    label: str
    terms: list[str]


def niche_list() -> list[NicheInfo]:
    return [NicheInfo(id=n.id, label=n.label, terms=list(n.terms)) for n in taxonomy.NICHES]


def refresh_index(store: Store, workspace: str, model: Model | None = None) -> dict[str, Any]:
    """Embed new or changed creators and bring the vector index up to date (updated in place
    or rebuilt: closeknit.match.index)."""
    r: dict[str, Any] = vectors.refresh_creator_vectors(store, workspace, model).to_dict()
    r["index"] = index.refresh(store, workspace, model)
    return r
