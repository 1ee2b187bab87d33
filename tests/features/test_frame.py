"""The creator frame (closeknit.features.frame): features win, posts fill the gaps."""

from __future__ import annotations

import datetime as dt
import statistics
from pathlib import Path

import pytest

from closeknit.features import frame
from closeknit.store import open_store
from tests.match.conftest import CREATORS, load_creators


@pytest.mark.parametrize("subset", [False, True])
def test_features_win_and_posts_fill_only_creators_not_built(tmp_path: Path, subset: bool) -> None:
    """A built creator's figures are the build's, a missing rate included: the posts' median
    over 3 posts was the plan's rate where vetting showed none. Posts fill a creator the build
    has not reached, over the same 12 newest posts and only with MIN_QUALIFYING of them."""
    st = open_store(tmp_path / "f.duckdb", create=True)
    load_creators(st)
    handles = [h for h, *_ in CREATORS]
    # both figures; the rate not measured; no features row at all (the rest)
    given = {handles[0]: (0.031, 9), handles[1]: (None, 2)}
    now = dt.datetime.now()
    with st.transaction() as tx:
        tx.insert_rows(
            "creator_features",
            [
                {"workspace_id": "default", "creator_id": f"instagram:{h}",
                 "feature_set_version": "t", "computed_at": now, "engagement_rate": er,
                 "n_posts_qualifying": n, "audience_real_share": 0.8}
                for h, (er, n) in given.items()
            ],
        )  # fmt: skip
        # one creator the build has not reached gets enough posts for a rate
        more = handles[2]
        tx.execute(
            "INSERT INTO posts SELECT p.* REPLACE (p.post_id || '-' || k AS post_id, "
            "p.external_id || '-' || k AS external_id) FROM posts p, range(4) t(k) "
            "WHERE creator_id = ?",
            [f"instagram:{more}"],
        )
    posts = st.query(
        "SELECT p.creator_id, p.likes, p.comments, c.followers FROM posts p "
        "JOIN creators c USING (creator_id) ORDER BY p.posted_at DESC"
    )

    def from_posts(cid: str) -> tuple[float | None, int | None]:
        mine = [r for r in posts if r["creator_id"] == cid][:12]
        if len(mine) < frame.MIN_QUALIFYING:
            return None, None
        return statistics.median((r["likes"] + r["comments"]) / r["followers"] for r in mine), len(
            mine
        )

    ids = [f"instagram:{h}" for h in handles]
    fr = frame.creator_frame(st, "default", ids if subset else None).set_index("creator_id")
    filled = 0
    for h in handles:
        cid = f"instagram:{h}"
        er, n = given[h] if h in given else from_posts(cid)
        got_er, got_n = fr.loc[cid, "engagement_rate"], fr.loc[cid, "n_posts"]
        if er is None:
            assert got_er != got_er, (h, got_er)  # NaN: not measured
        else:
            assert got_er == pytest.approx(er)
        assert got_n == (n or 0), (h, got_n)  # no count: 0 posts counted
        filled += h not in given and er is not None
    assert filled >= 1  # the creator given more posts
    st.close()
