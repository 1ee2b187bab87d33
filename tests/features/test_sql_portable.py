"""The per-creator SQL files: one row per creator, and they transpile to Spark SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from closeknit.features import builder as fb
from closeknit.features import distributed, sqlfiles
from closeknit.store import Store
from tests.features import factory as F

ALL = [
    *sqlfiles.AGGREGATES,
    "brands",
    "fingerprint",
    "replies_people",
    "inputs/comment_dups",
    "inputs/fast_cocomments",
    "inputs/fast_repeat_comments",
]


def _params() -> dict:
    # the product build's placeholders plus the portable reply rate's bot rules
    return distributed.params("default", dt.datetime(2024, 6, 30))


@pytest.mark.parametrize("name", ALL)
def test_transpiles_to_spark(name: str) -> None:
    sqlglot = pytest.importorskip("sqlglot", reason="sqlglot (test extra) not installed")
    sql = sqlfiles.render(name, _params())
    out = sqlglot.transpile(sql, read="duckdb", write="spark", unsupported_level="raise")[0]
    assert "SELECT" in out.upper()
    code = "\n".join(line.partition("--")[0] for line in sql.splitlines()).lower()
    for duck_only in ("list_", "->", "qualify ", "strftime", "struct_pack", " len("):
        assert duck_only not in code, duck_only


def test_one_row_per_creator(store: Store) -> None:
    for i in range(3):
        cid = F.creator(store, f"u{i}", 5_000)
        pids = F.daily_posts(store, cid, 8, caption="#ad", mentions=["brand"])
        F.snapshots(store, cid, [(dt.date(2024, 6, d), 5_000 + d) for d in range(1, 9)])
        F.samples(store, cid, [{"handle": "h"}])
        F.comments(
            store,
            [
                {
                    "comment_id": f"instagram:u{i}-{j}",
                    "post_id": pids[j],
                    "author_handle": "x",
                    "text": "hi",
                }
                for j in range(3)
            ],
        )
    fb.build(store, "default")  # fills feature_scope while it runs, then clears it
    with store.transaction() as tx:
        tx.execute("INSERT INTO feature_scope SELECT 'default', creator_id, 0 FROM creators")
    for name in (*sqlfiles.AGGREGATES, "brands"):
        df = sqlfiles.run(store, name, _params())
        assert df["creator_id"].is_unique, name
        assert len(df) == 3, name


def test_unfilled_placeholder_is_an_error() -> None:
    with pytest.raises(sqlfiles.FeatureSqlError):
        sqlfiles.render("engagement", {"ws": "default"})
