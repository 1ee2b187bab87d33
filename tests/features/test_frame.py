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
def test_features_win_and_posts_fill_each_figure_they_lack(tmp_path: Path, subset: bool) -> None:
    st = open_store(tmp_path / "f.duckdb", create=True)
    load_creators(st)
    handles = [h for h, *_ in CREATORS]
    # both figures; the rate missing; the count missing; no features row at all
    given = {
        handles[0]: (0.031, 9),
        handles[1]: (None, 7),
        handles[2]: (0.044, None),
    }
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
    posts = st.query(
        "SELECT p.creator_id, p.likes, p.comments, c.followers FROM posts p "
        "JOIN creators c USING (creator_id) ORDER BY p.posted_at DESC"
    )

    def from_posts(cid: str) -> tuple[float, int]:
        mine = [r for r in posts if r["creator_id"] == cid][:12]
        return statistics.median((r["likes"] + r["comments"]) / r["followers"] for r in mine), len(
            mine
        )

    ids = [f"instagram:{h}" for h in handles]
    fr = frame.creator_frame(st, "default", ids if subset else None).set_index("creator_id")
    for h in handles:
        cid = f"instagram:{h}"
        er, n = given.get(h, (None, None))
        p_er, p_n = from_posts(cid)
        assert fr.loc[cid, "engagement_rate"] == pytest.approx(er if er is not None else p_er)
        assert fr.loc[cid, "n_posts"] == (n if n is not None else p_n)
    st.close()
