"""Issue 20, items 13-14: a clean close leaves every write in the .duckdb file; an import
does not hold up interactive writes; two writes to the same row give a named Conflict."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from closeknit.errors import Conflict
from closeknit.store import open_store


def test_close_checkpoints_and_closes_every_threads_cursor(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    st = open_store(db, create=True)
    st.checkpoint()
    with st.transaction() as tx:
        tx.execute("INSERT INTO campaigns (workspace_id, campaign_id, name) VALUES ('w', 'a', 'A')")

    def reader() -> None:  # a worker thread keeps its cursor, as a server's pool does
        assert st.count("campaigns") == 1
        with st.transaction() as tx:
            tx.execute(
                "INSERT INTO campaigns (workspace_id, campaign_id, name) VALUES ('w', 'b', 'B')"
            )

    threads = [threading.Thread(target=reader) for _ in range(1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Path(str(db) + ".wal").exists()  # the writes are in the WAL until the close
    st.close()
    st.close()  # idempotent
    assert not Path(str(db) + ".wal").exists()
    copy = tmp_path / "backup.duckdb"
    shutil.copy(db, copy)  # the file alone is a backup
    c = open_store(copy, read_only=True)
    try:
        assert c.count("campaigns") == 2
    finally:
        c.close()


def test_release_cursors_then_read_again(tmp_path: Path) -> None:
    st = open_store(tmp_path / "r.duckdb", create=True)
    try:
        assert st.count("campaigns") == 0
        st.release_cursors()
        assert st.count("campaigns") == 0  # a fresh cursor
    finally:
        st.close()


def test_interactive_write_does_not_wait_for_an_open_import(tmp_path: Path) -> None:
    st = open_store(tmp_path / "l.duckdb", create=True)
    inside, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def importer() -> None:
        try:
            with st.transaction(bulk=True) as tx:
                tx.execute(
                    "INSERT INTO creators (workspace_id, creator_id, platform, handle) "
                    "SELECT 'w', 'instagram:u' || i, 'instagram', 'u' || i FROM range(5000) t(i)"
                )
                inside.set()
                assert release.wait(30)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=importer)
    t.start()
    try:
        assert inside.wait(30)
        # the import's transaction is open and holds the import lane: this must not wait for it
        done = threading.Event()

        def interactive() -> None:
            with st.transaction() as tx:
                tx.execute(
                    "INSERT INTO campaigns (workspace_id, campaign_id, name) VALUES ('w', 'c', 'C')"
                )
            done.set()

        w = threading.Thread(target=interactive)
        w.start()
        assert done.wait(30), "the interactive write waited for the import"
        assert st.count("campaigns") == 1 and st.count("creators") == 0  # not committed yet
        # a second import waits for the first (one import at a time)
        second = threading.Event()

        def importer2() -> None:
            with st.transaction(bulk=True):
                second.set()

        i2 = threading.Thread(target=importer2)
        i2.start()
        assert not second.wait(0.3)
    finally:
        release.set()
        t.join(30)
    i2.join(30)
    w.join(30)
    assert not errors and second.is_set()
    assert st.count("creators") == 5000 and st.count("campaigns") == 1
    st.close()


def test_the_same_row_written_by_both_lanes_is_a_named_conflict(tmp_path: Path) -> None:
    st = open_store(tmp_path / "c.duckdb", create=True)
    with st.transaction() as tx:
        tx.execute(
            "INSERT INTO creators (workspace_id, creator_id, platform, handle, followers) "
            "VALUES ('w', 'instagram:a', 'instagram', 'a', 1)"
        )
    inside, release = threading.Event(), threading.Event()

    def importer() -> None:
        with st.transaction(bulk=True) as tx:
            tx.execute("UPDATE creators SET followers = 2 WHERE creator_id = 'instagram:a'")
            inside.set()
            release.wait(30)

    t = threading.Thread(target=importer)
    t.start()
    assert inside.wait(30)
    try:
        with pytest.raises(Conflict, match="try again"), st.transaction() as tx:
            tx.execute("UPDATE creators SET followers = 3 WHERE creator_id = 'instagram:a'")
    finally:
        release.set()
        t.join(30)
    assert st.scalar("SELECT followers FROM creators") == 2
    st.close()
