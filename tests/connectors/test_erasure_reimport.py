"""After a privacy erasure, re-importing the same files brings nothing of the creator back:
no canonical rows and no raw records, through both the set-based and the per-record paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit import privacy
from closeknit.connectors.importer import import_world
from closeknit.connectors.landing import ImportResult
from closeknit.store import Store, open_store


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from closeknit.world import generate

    d = tmp_path_factory.mktemp("erase") / "world"
    generate(d, creators=60, seed=4)
    return d


def _held(st: Store, cid: str, handle: str) -> dict[str, int]:
    return {
        "creators": int(st.scalar("SELECT count(*) FROM creators WHERE creator_id = ?", [cid])),
        "posts": int(st.scalar("SELECT count(*) FROM posts WHERE creator_id = ?", [cid])),
        "snapshots": int(
            st.scalar("SELECT count(*) FROM follower_snapshots WHERE creator_id = ?", [cid])
        ),
        # the handle as a JSON string value anywhere in a stored raw record
        "raw": int(
            st.scalar(
                "SELECT count(*) FROM raw_records WHERE payload LIKE ? AND kind <> 'comment'",
                [f'%"username": "{handle}"%'],
            )
        )
        + int(
            st.scalar(
                "SELECT count(*) FROM raw_records WHERE payload LIKE ?",
                [f'%"username":"{handle}"%'],
            )
        ),
    }


def _accounted(results: list[ImportResult]) -> None:
    for r in results:  # the accounting identity holds with suppressed records counted
        assert r.n_loaded + r.n_duplicate + r.n_quarantined + r.n_suppressed == r.n_input


def test_reimport_after_erasure_brings_nothing_back(world: Path, tmp_path: Path) -> None:
    st = open_store(tmp_path / "e.duckdb", create=True)
    try:
        import_world(st, "default", world)
        row = st.query(
            "SELECT c.creator_id, c.handle FROM creators c JOIN posts p USING (creator_id) "
            "WHERE c.platform = 'instagram' GROUP BY 1, 2 ORDER BY 1 LIMIT 1"
        )[0]
        cid, handle = row["creator_id"], row["handle"]
        before = _held(st, cid, handle)
        assert before["creators"] == 1 and before["posts"] > 0 and before["raw"] > 0
        n_posts_all = st.count("posts")
        privacy.erase_creator(st, "default", cid)
        assert _held(st, cid, handle) == {"creators": 0, "posts": 0, "snapshots": 0, "raw": 0}
        results = import_world(st, "default", world)
        assert _held(st, cid, handle) == {"creators": 0, "posts": 0, "snapshots": 0, "raw": 0}
        assert sum(r.n_suppressed for r in results) > 0
        _accounted(results)
        # nobody else's data was lost
        assert st.count("posts") == n_posts_all - before["posts"]
    finally:
        st.close()


def test_youtube_comment_threads_of_an_erased_channel_stay_out(world: Path, tmp_path: Path) -> None:
    # a comment thread names its channel only by id (no handle, no creator id): the tombstone
    # keeps the channel id, so a re-import lands neither the threads' rows nor their raw text
    st = open_store(tmp_path / "y.duckdb", create=True)
    try:
        import_world(st, "default", world)
        row = st.query(
            "SELECT c.creator_id, c.external_id FROM creators c JOIN posts p USING (creator_id) "
            "JOIN comments m ON m.post_id = p.post_id WHERE c.platform = 'youtube' "
            "GROUP BY 1, 2 ORDER BY 1 LIMIT 1"
        )[0]
        cid, chan = row["creator_id"], row["external_id"]

        def threads() -> int:
            return int(
                st.scalar(
                    "SELECT count(*) FROM raw_records WHERE kind = 'youtube_commentThread' "
                    "AND payload LIKE ?",
                    [f'%"channelId":"{chan}"%'],
                )
            )

        def comments() -> int:
            return int(
                st.scalar(
                    "SELECT count(*) FROM comments m JOIN posts p ON m.post_id = p.post_id "
                    "WHERE p.creator_id = ?",
                    [cid],
                )
            )

        assert threads() > 0 and comments() > 0
        n_comments_all = st.count("comments")
        deleted = privacy.erase_creator(st, "default", cid).deleted.get("comments", 0)
        assert threads() == 0 and deleted >= 1
        results = import_world(st, "default", world)
        assert threads() == 0
        # no comment of the erased channel's videos came back, and no one else's was lost
        assert st.count("comments") == n_comments_all - deleted
        assert sum(r.n_suppressed for r in results if r.source == "youtube") > 0
        _accounted(results)
    finally:
        st.close()
