"""Ranking quality on a small synthetic world: the shipped ranking must beat keyword BM25."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.match.embed import get_embedder, minilm_dir
from closeknit.store import open_store


@pytest.mark.slow
def test_ranking_beats_bm25_on_small_world(tmp_path: Path) -> None:
    world = pytest.importorskip("closeknit.world")
    importer = pytest.importorskip("closeknit.connectors.importer")
    from closeknit.match.evaluate import evaluate

    world.generate(tmp_path / "w", 150, 11)
    st = open_store(tmp_path / "w.duckdb", create=True)
    try:
        importer.import_world(st, "default", tmp_path / "w")
        model = "minilm" if minilm_dir() is not None else "hash"
        res = evaluate(st, "default", tmp_path / "w", (model,))
    finally:
        st.close()
    s = res["systems"]
    name = get_embedder(model).name
    ours = s[f"{name} hybrid (default)"]
    assert res["briefs"] >= 5
    assert ours["ndcg@20"] > s["bm25"]["ndcg@20"]
    assert ours["ndcg@20"] >= s["bm25+filters"]["ndcg@20"]
    assert ours["recall@50"] >= s["bm25"]["recall@50"]
