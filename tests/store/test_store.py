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
    open_store(p).close()
    st = open_store(p)
    assert st.count("schema_migrations") == len(SCHEMA_IDS)
    st.close()


def test_newer_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "a.duckdb"
    st = open_store(p)
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
