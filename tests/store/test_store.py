from __future__ import annotations

import threading
from pathlib import Path

import pytest

from closeknit.errors import SchemaTooNewError
from closeknit.store import SCHEMA_IDS, Store, open_store


def test_migrations_create_canonical_tables(store: Store) -> None:
    tables = set(store.tables())
    for t in (
        "creators",
        "posts",
        "comments",
        "follower_snapshots",
        "audience_samples",
        "audience_demographics",
        "workspaces",
        "users",
        "api_keys",
        "brands",
        "briefs",
        "campaigns",
        "campaign_creators",
        "orders",
        "spend",
        "audit_log",
        "raw_records",
        "quarantine",
    ):
        assert t in tables
    assert [r["id"] for r in store.query("SELECT id FROM schema_migrations ORDER BY id")] == sorted(
        SCHEMA_IDS
    )


def test_reopen_is_safe(tmp_path: Path) -> None:
    p = tmp_path / "a.duckdb"
    open_store(p, create=True).close()
    st = open_store(p)
    assert st.count("schema_migrations") == len(SCHEMA_IDS)
    st.close()


def test_newer_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "a.duckdb"
    st = open_store(p, create=True)
    st.execute("INSERT INTO schema_migrations (id, app_version) VALUES ('9999_future', '99.0')")
    st.close()
    with pytest.raises(SchemaTooNewError, match="newer closeknit"):
        open_store(p)


def test_concurrent_writes_are_serialized(store: Store) -> None:
    def writer(n: int) -> None:
        for i in range(50):
            with store.transaction() as tx:
                cur = tx.scalar("SELECT count(*) FROM brands")
                tx.execute(
                    "INSERT INTO brands (workspace_id, brand_id, name) VALUES ('default', ?, ?)",
                    [f"b{n}-{i}-{cur}", "x"],
                )

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count("brands") == 200


def test_failed_transaction_rolls_back(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.execute(
                "INSERT INTO brands (workspace_id, brand_id, name) VALUES ('default','a','a')"
            )
            raise RuntimeError("boom")
    assert store.count("brands") == 0


def test_writes_only_to_app_tables_leave_the_write_signature(tmp_path: Path) -> None:
    # caches of derived data are keyed by the signature: saving a plan, a login or a list
    # must not drop them, any write of data they read must
    st = open_store(tmp_path / "s.duckdb", create=True)
    try:
        sig = st.write_signature()
        assert sig is not None
        with st.transaction() as tx:
            tx.execute(
                "INSERT INTO audit_log (workspace_id, actor, action, object_type, object_id) "
                "VALUES ('default', 'me', 'plan.save', 'plan', 'p1')"
            )
            tx.insert_rows("sessions", [])  # nothing inserted, nothing seen
            tx.execute('DELETE FROM main."sessions" WHERE 1 = 0')
            tx.execute("update creator_lists SET name = name WHERE 1 = 0")
            assert tx.scalar("SELECT count(*) FROM creators") == 0
        st.execute("DELETE FROM api_keys WHERE 1 = 0")
        assert st.write_signature() == sig
        # data, a mix of both, a table whose name only starts like one, an unknown statement
        for stmts in (
            ["UPDATE creators SET bio = bio WHERE 1 = 0"],
            ["DELETE FROM plans WHERE 1 = 0", "DELETE FROM campaigns WHERE 1 = 0"],
            ["CREATE TABLE plans_archive (x INT)", "INSERT INTO plans_archive VALUES (1)"],
            ["CREATE TABLE t AS SELECT 1 AS x"],
        ):
            with st.transaction() as tx:
                for s in stmts:
                    tx.execute(s)
            assert st.write_signature() != sig, stmts
            sig = st.write_signature()
        with st.transaction() as tx:
            tx.insert_rows("creators", [{"workspace_id": "default", "creator_id": "x:1",
                                         "platform": "x", "handle": "one"}])  # fmt: skip
        assert st.write_signature() != sig
    finally:
        st.close()


def test_a_signature_of_some_tables_moves_only_with_writes_to_them(tmp_path: Path) -> None:
    # vectors, BM25 and evidence read only creators and posts: an order, a campaign or a
    # feature build moves the data signature but not theirs
    text = ("creators", "posts")
    st = open_store(tmp_path / "s.duckdb", create=True)
    try:
        for stmts, moved in (
            (["UPDATE orders SET total = total WHERE 1 = 0"], False),
            (
                ["DELETE FROM creator_features WHERE 1 = 0", "UPDATE campaigns SET name = name"],
                False,
            ),
            (["UPDATE posts SET caption = caption WHERE 1 = 0"], True),
            (["DELETE FROM orders WHERE 1 = 0", 'update "creators" SET bio = bio'], True),
            # a temporary table (an import's staging) changes nothing stored
            (
                [
                    "CREATE OR REPLACE TEMP TABLE _staged AS SELECT 1 AS x",
                    "INSERT INTO _staged VALUES (2)",
                    "DELETE FROM orders WHERE 1 = 0",
                    "DROP TABLE IF EXISTS _staged",
                ],
                False,
            ),
            # dropping what is not stored ("IF EXISTS" of a staging table never made), a
            # session setting: nothing stored changes
            (
                [
                    "DROP TABLE IF EXISTS _never_made",
                    "DROP VIEW IF EXISTS _bk_ok",
                    "SET checkpoint_threshold = '16.0 MiB'",
                    "UPDATE orders SET total = total WHERE 1 = 0",
                ],
                False,
            ),
            (["CREATE TABLE t2 AS SELECT 1 AS x"], True),  # not recognised: any table
            (["DROP TABLE IF EXISTS t2"], True),  # a stored table
        ):
            data0, text0 = st.write_signature(), st.write_signature(text)
            with st.transaction() as tx:
                for s in stmts:
                    tx.execute(s)
            assert st.write_signature() != data0, stmts
            assert (st.write_signature(text) != text0) is moved, stmts
        text0 = st.write_signature(text)
        st.execute("INSERT INTO plans (workspace_id, plan_id) VALUES ('default', 'p')")
        assert st.write_signature(text) == text0
        # other tables' signatures: each moves with its own writes
        orders0, posts0 = st.write_signature(["orders"]), st.write_signature(["posts"])
        st.execute("UPDATE orders SET total = total WHERE 1 = 0")
        assert st.write_signature(["orders"]) != orders0
        assert st.write_signature(["posts"]) == posts0
        # a write recorded before tables were (a token without them) counts for every table
        with st.transaction(derived=True) as tx:
            tx.execute("INSERT INTO store_writes (token) VALUES (uuid()::VARCHAR)")
        assert st.write_signature(["posts"]) != posts0
    finally:
        st.close()


def test_a_file_another_process_holds_is_a_clear_error(tmp_path: Path) -> None:
    """DuckDB lets one process hold a file it may write: a command run while `closeknit serve`
    has the file open got DuckDB's own lock message, with a link to its docs."""
    import subprocess
    import sys

    from closeknit.errors import StoreError

    db = tmp_path / "held.duckdb"
    open_store(db, create=True).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from closeknit.store import open_store; s = open_store(sys.argv[1]);"
         " print('open', flush=True); time.sleep(60)", str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError) as e:
            open_store(db)
        msg = e.value.message
        assert "another process has it open" in msg and f"PID {holder.pid}" in msg, msg
        assert "closeknit serve" in msg and "duckdb.org" not in msg, msg
        assert e.value.details["pid"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
