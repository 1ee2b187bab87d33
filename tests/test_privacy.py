"""The export shows everything erasure deletes: one rule decides which rows are about a person."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit import privacy
from closeknit.connectors.importer import import_world
from closeknit.store import Store, open_store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from closeknit.world import generate

    d = tmp_path_factory.mktemp("privacy") / "world"
    generate(d, creators=60, seed=5)
    return d


def test_export_lists_exactly_what_erasure_deletes(world: Path, tmp_path: Path) -> None:
    st: Store = open_store(tmp_path / "p.duckdb", create=True)
    try:
        import_world(st, "default", world)
        me, other = st.query(
            "SELECT c.creator_id, c.handle FROM creators c JOIN posts p USING (creator_id) "
            "WHERE c.platform = 'instagram' GROUP BY 1, 2 ORDER BY 1 LIMIT 2"
        )
        handle = str(me["handle"]).lower()
        other_post = st.scalar(
            "SELECT post_id FROM posts WHERE creator_id = ? LIMIT 1", [other["creator_id"]]
        )
        # the person in other creators' data: sampled as a follower, commenting elsewhere
        st.execute(
            "INSERT INTO audience_samples (workspace_id, creator_id, relation, handle) "
            "VALUES ('default', ?, 'follower', ?)",
            [other["creator_id"], handle],
        )
        st.execute(
            "INSERT INTO comments (workspace_id, comment_id, post_id, author_handle, text) "
            "VALUES ('default', 'instagram:c-by-me', ?, ?, 'nice')",
            [other_post, handle],
        )
        exported = privacy.export_creator(st, "default", me["creator_id"])["tables"]
        assert any(r["handle"] == handle for r in exported["audience_samples"])
        assert any(r["comment_id"] == "instagram:c-by-me" for r in exported["comments"])
        erased = privacy.erase_creator(st, "default", me["creator_id"]).deleted
        assert {t: len(rows) for t, rows in exported.items()} == erased
    finally:
        st.close()
