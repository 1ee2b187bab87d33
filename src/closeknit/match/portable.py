"""Export precomputed creator embeddings and niche prototypes for the portable feature build.

The Spark/DuckDB build (:mod:`closeknit.features.distributed`) assigns niches in SQL from a long
``(creator_id, dim, value)`` table and a ``(niche, dim, value)`` prototype table, so any engine
that joins and aggregates can run it. The prototypes are the refined ones
:func:`closeknit.match.niche.score_niches` uses, so both paths pick the same niche.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from closeknit.match.embed import get_embedder
from closeknit.match.niche import prototypes, refine
from closeknit.match.taxonomy import NICHE_IDS
from closeknit.match.vectors import creator_matrix, refresh_creator_vectors
from closeknit.store import Store

if TYPE_CHECKING:  # loaded by the export itself, not by every importer of closeknit.match
    import pyarrow as pa


def long_table(keys: list[str], mat: np.ndarray, key_name: str) -> pa.Table:
    import pyarrow as pa

    n, dim = mat.shape
    return pa.table(
        {
            key_name: np.repeat(np.asarray(keys, dtype=object), dim),
            "dim": np.tile(np.arange(dim, dtype=np.int32), n),
            "value": mat.astype(np.float64).ravel(),
        }
    )


def export_embeddings(
    store: Store, workspace: str, out_dir: Path, model: str | None = None
) -> dict[str, int]:
    """Write ``creator_embeddings/`` and ``niche_prototypes/`` Parquet folders under out_dir."""
    emb = get_embedder(model)
    refresh_creator_vectors(store, workspace, model)
    ids, mat = creator_matrix(store, workspace, model)
    protos = refine(prototypes(emb), mat)
    for name, table in (
        ("creator_embeddings", long_table(ids, mat, "creator_id")),
        ("niche_prototypes", long_table(list(NICHE_IDS), protos, "niche")),
    ):
        d = out_dir / name
        d.mkdir(parents=True, exist_ok=True)
        for old in d.glob("*.parquet"):
            old.unlink()
        import pyarrow.parquet as pq

        pq.write_table(table, d / "part-0.parquet")
    return {"creators": len(ids), "dim": int(mat.shape[1]) if len(ids) else 0}
