"""Comments staged for the comment step of a feature build: the comments other accounts left on
the creators in ``feature_scope``, with their cross-creator duplicate flag, written once to Parquet
partitioned by batch so each batch reads only its own part."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from closeknit.features import sqlfiles

if TYPE_CHECKING:
    from closeknit.store import Store


def refresh_comment_dups(store: Store, workspace: str, p: dict[str, Any]) -> None:
    """Rewrite ``feature_comment_dups`` from ``sql/inputs/comment_dups.sql``."""
    sql = sqlfiles.render("inputs/comment_dups", p)
    with store.transaction() as tx:
        tx.execute("DELETE FROM feature_comment_dups WHERE workspace_id = ?", [workspace])
        tx.execute(
            "INSERT INTO feature_comment_dups (workspace_id, author, norm_text, n_creators) "
            f"SELECT ?, author, norm_text, n_creators FROM ({sql}) d",
            [workspace],
        )


# the creator's replies under comment m of post p (replies.sql's rule)
_REPLIES = (
    "FROM comments r WHERE r.workspace_id = m.workspace_id "
    "AND r.parent_comment_id = m.comment_id AND (coalesce(r.is_creator_reply, FALSE) "
    "OR lower(coalesce(r.author_handle, '')) = substr(p.creator_id, length(p.platform) + 2))"
)


def comments_sql(scope: str, batch_column: str = "") -> str:
    """The comments other accounts left on creators' posts; ``?`` = workspace, as_of."""
    return (
        # whether the creator replied under it (replies.sql's rule: the reply rate is taken
        # over the top-level comments that are not a bot's, once the bots are judged) and the
        # minutes to the first reply (the median delay over the same comments), from one look
        # at its replies
        "SELECT * EXCLUDE (_posted, _rep), _rep.n > 0 AS replied, "
        "(epoch(_rep.t) - epoch(_posted)) / 60.0 AS reply_minutes FROM ("
        f"SELECT p.creator_id, m.comment_id, m.post_id, m.author_handle, m.text, "
        f"d.author IS NOT NULL AS dup, m.parent_comment_id IS NULL AS top, "
        f"m.posted_at AS _posted, "
        f"(SELECT struct_pack(n := count(*), t := min(r.posted_at)) {_REPLIES}) "
        f"AS _rep{batch_column} "
        "FROM comments m "
        "JOIN posts p ON p.workspace_id = m.workspace_id AND p.post_id = m.post_id "
        f"{scope}"
        "LEFT JOIN feature_comment_dups d ON d.workspace_id = m.workspace_id "
        "AND d.author = lower(m.author_handle) AND d.norm_text = lower(trim(m.text)) "
        "WHERE m.workspace_id = ? AND p.posted_at <= ? "
        "AND NOT coalesce(m.is_creator_reply, FALSE) "
        # creator_id is '<platform>:<lower(handle)>': comparing with it, not with a join to
        # creators, keeps DuckDB from planning comments × creators on the inequality
        "AND lower(coalesce(m.author_handle, '')) <> substr(p.creator_id, length(p.platform) + 2) "
        "AND m.text IS NOT NULL AND length(trim(m.text)) > 0)"
    )


def comments_frame(
    store: Store, workspace: str, as_of: dt.datetime, batch: int | None = None
) -> pd.DataFrame:
    """Comments other accounts left on creators' posts (of one scope batch, or all), with
    ``dup`` = its author wrote the same text under several creators (feature_comment_dups)."""
    scope = (
        "JOIN feature_scope s ON s.workspace_id = p.workspace_id AND s.creator_id = p.creator_id "
        "AND s.batch = ? "
        if batch is not None
        else ""
    )
    args: list[Any] = [batch] if batch is not None else []
    # through Arrow: the same frame (dtypes and values) as ``store.df``, whose strings pass
    # through Python objects first (4x the time for a million comments)
    return store.arrow(comments_sql(scope), [*args, workspace, as_of]).to_pandas()


class CommentStage:
    """All batches' comments written once, partitioned by batch, to Parquet in a temporary
    folder: reading one batch then reads its own files instead of scanning (and joining) the
    whole comments table again, which made the comment step grow with batches × comments."""

    def __init__(self, store: Store, workspace: str, as_of: dt.datetime, n_batches: int) -> None:
        self.store, self.workspace, self.as_of = store, workspace, as_of
        self.dir: Path | None = None
        if n_batches <= 1:
            return
        parent = None if str(store.path) == ":memory:" else store.path.parent
        self.dir = Path(tempfile.mkdtemp(prefix=".feature-comments-", dir=parent))
        scope = (
            "JOIN feature_scope s ON s.workspace_id = p.workspace_id "
            "AND s.creator_id = p.creator_id "
        )
        head, mid, tail = comments_sql(scope, ", s.batch AS batch").split("?")
        sql = head + sqlfiles.literal(workspace) + mid + sqlfiles.literal(as_of) + tail
        target = sqlfiles.literal(str(self.dir))
        store.execute(f"COPY ({sql}) TO {target} (FORMAT parquet, PARTITION_BY (batch))")

    def frame(self, batch: int) -> pd.DataFrame:
        if self.dir is None:
            return comments_frame(self.store, self.workspace, self.as_of, batch)
        part = self.dir / f"batch={batch}"
        if not part.exists():  # no comment in this batch
            return comments_frame(self.store, self.workspace, self.as_of, batch)
        files = sqlfiles.literal(str(part / "*.parquet"))
        return self.store.arrow(
            "SELECT creator_id, comment_id, post_id, author_handle, text, dup, top, replied, "
            "reply_minutes "
            f"FROM read_parquet({files}, hive_partitioning = false)"
        ).to_pandas()

    def close(self) -> None:
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
