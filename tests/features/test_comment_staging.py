"""Comments staged by batch read back exactly what the direct per-batch query gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from closeknit.features.builder import default_as_of, params
from closeknit.features.comment_staging import CommentStage, comments_frame, refresh_comment_dups
from closeknit.store import Store
from tests.features.test_build_scale import _bench


def _scope(store: Store, batch_size: int) -> int:
    ids = [r["creator_id"] for r in store.query("SELECT creator_id FROM creators ORDER BY 1")]
    batch = (np.arange(len(ids)) // batch_size).astype(np.int32)
    scope = pa.table({"workspace_id": ["default"] * len(ids), "creator_id": ids, "batch": batch})
    with store.transaction() as tx:
        tx.execute("DELETE FROM feature_scope WHERE workspace_id = ?", ["default"])
        tx.insert_arrow("feature_scope", scope)
    return int(batch.max()) + 1


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["creator_id", "comment_id", "post_id", "author_handle", "text", "dup"]
    out = df[cols].sort_values("comment_id").reset_index(drop=True)
    out["dup"] = out["dup"].astype(bool)
    return out


def test_staged_batches_equal_the_direct_query(store: Store) -> None:
    _bench().fill(store, 30, 8, 4, 0.2)
    as_of = default_as_of(store, "default")
    assert as_of is not None
    refresh_comment_dups(store, "default", params("default", as_of))
    n_batches = _scope(store, 7)
    assert n_batches == 5
    stage = CommentStage(store, "default", as_of, n_batches)
    try:
        assert stage.dir is not None and stage.dir.exists()
        parts = []
        for b in range(n_batches):
            got = stage.frame(b)
            assert len(got) > 0
            pd.testing.assert_frame_equal(
                _sorted(got), _sorted(comments_frame(store, "default", as_of, b))
            )
            parts.append(got)
        every = comments_frame(store, "default", as_of)
        assert _sorted(pd.concat(parts)).equals(_sorted(every))
        assert every["dup"].any()  # the duplicate flag is carried through the Parquet files
    finally:
        folder = stage.dir
        stage.close()
    assert folder is not None and not folder.exists()


def test_one_batch_reads_the_store_directly(store: Store) -> None:
    _bench().fill(store, 6, 4, 3, 0.2)
    as_of = default_as_of(store, "default")
    assert as_of is not None
    refresh_comment_dups(store, "default", params("default", as_of))
    assert _scope(store, 100) == 1
    stage = CommentStage(store, "default", as_of, 1)
    assert stage.dir is None  # nothing written for a single batch
    pd.testing.assert_frame_equal(
        _sorted(stage.frame(0)), _sorted(comments_frame(store, "default", as_of, 0))
    )
    stage.close()
