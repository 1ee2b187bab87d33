"""The same feature build on DuckDB and on Spark (local mode) gives identical results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from closeknit.store import Store

pyspark = pytest.importorskip("pyspark", reason="PySpark not installed (pip install .[spark])")
pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def portable_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from closeknit.connectors.importer import import_world
    from closeknit.features.distributed import export_inputs
    from closeknit.match.portable import export_embeddings
    from closeknit.store import open_store
    from closeknit.world import generate

    if shutil.which("java") is None:
        pytest.skip("Java is not installed: Spark needs Java 17+")
    root = tmp_path_factory.mktemp("portable")
    generate(root / "world", creators=100, seed=11)
    st: Store = open_store(root / "w.duckdb", create=True)
    try:
        import_world(st, "default", root / "world")
        export_inputs(st, "default", root / "in")
        export_embeddings(st, "default", root / "in", model="hash")
    finally:
        st.close()
    return root / "in"


def test_duckdb_and_spark_builds_are_identical(portable_inputs: Path, tmp_path: Path) -> None:
    from closeknit.features.distributed import build_portable, compare_outputs

    d = build_portable(portable_inputs, tmp_path / "duck", engine="duckdb")
    s = build_portable(portable_inputs, tmp_path / "spark", engine="spark", master="local[2]")
    assert d.rows == s.rows
    assert d.rows["engagement"] == 100 and d.rows["niche"] > 0
    diffs = compare_outputs(tmp_path / "duck", tmp_path / "spark")
    assert set(diffs) >= {"engagement", "sponsorship", "growth", "niche"}
    assert all(v == [] for v in diffs.values()), diffs


def test_compare_outputs_catches_a_difference(portable_inputs: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from closeknit.features.distributed import build_portable, compare_outputs

    build_portable(portable_inputs, tmp_path / "a", engine="duckdb")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    f = next((tmp_path / "b" / "engagement").glob("*.parquet"))
    t = pq.read_table(f).to_pandas()
    t.loc[0, "engagement_rate"] = (t.loc[0, "engagement_rate"] or 0) + 0.01
    pq.write_table(__import__("pyarrow").Table.from_pandas(t, preserve_index=False), f)
    diffs = compare_outputs(tmp_path / "a", tmp_path / "b")
    assert diffs["engagement"] and "engagement_rate" in diffs["engagement"][0]


def test_portable_niche_matches_store_assignment(portable_inputs: Path, tmp_path: Path) -> None:
    """The SQL niche step reproduces closeknit.match.niche's argmax and softmax confidence."""
    import numpy as np
    import pyarrow.parquet as pq

    from closeknit.features.distributed import build_portable

    build_portable(portable_inputs, tmp_path / "o", engine="duckdb")
    out = pq.read_table(tmp_path / "o" / "niche").to_pandas().set_index("creator_id")
    emb = pq.read_table(portable_inputs / "creator_embeddings").to_pandas()
    pro = pq.read_table(portable_inputs / "niche_prototypes").to_pandas()
    e = emb.pivot(index="creator_id", columns="dim", values="value")
    p = pro.pivot(index="niche", columns="dim", values="value")
    sims = e.to_numpy() @ p.to_numpy().T
    best = p.index.to_numpy()[sims.argmax(1)]
    z = np.exp((sims - sims.max(1, keepdims=True)) / 0.05)
    conf = 1 / z.sum(1)
    got = out.loc[e.index]
    assert (got["niche"].to_numpy() == best).mean() > 0.99  # ties may break differently
    assert np.allclose(got["confidence"].to_numpy(), conf, atol=1e-9)
