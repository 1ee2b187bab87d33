from __future__ import annotations

import datetime as dt
from pathlib import Path

from closeknit.connectors.importer import import_path
from closeknit.store import Store
from tests.connectors._util import counts


def test_posts_csv_synonyms_counts_and_field_warnings(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.csv"
    f.write_text(
        "platform,username,id,date,caption,likes,comments,views\n"
        "instagram,@Ana,123,2024-01-02 10:00:00,Hi #ad @bob,1.2K,5,\n"
        "instagram,ana,124,2024-01-03,plain,abc,1,1\n"
        "tiktok,cy,9,1700000000,vid,10,2,3000\n"
        "tiktok,cy,10,yesterday,vid,10,2,3000\n"
        "tiktok,,11,2024-01-03,no handle,1,1,1\n"
    )
    res = import_path(store, "default", "posts_csv", f)
    # only the identity (handle, post id) rejects a row; unreadable counts/dates are left empty
    assert (res.n_input, res.n_loaded, res.n_quarantined, res.n_warnings) == (5, 4, 1, 2)
    p = {r["post_id"]: r for r in store.query("SELECT * FROM posts")}
    a = p["instagram:123"]
    assert (a["creator_id"], a["likes"], a["comments"], a["views"]) == (
        "instagram:ana",
        1200,
        5,
        None,
    )
    assert a["hashtags"] == ["ad"] and a["mentions"] == ["bob"] and a["is_sponsored"] is True
    assert p["tiktok:9"]["posted_at"] == dt.datetime(2023, 11, 14, 22, 13, 20)
    assert p["instagram:124"]["likes"] is None and p["instagram:124"]["comments"] == 1
    assert p["tiktok:10"]["posted_at"] is None and p["tiktok:10"]["views"] == 3000
    q = {
        r["line"]: (r["field"], r["level"], r["reason"])
        for r in store.query("SELECT line, field, level, reason FROM quarantine")
    }
    assert q[6] == ("handle", "rejected", "no handle")
    assert q[3][:2] == ("likes", "warning") and '"abc"' in q[3][2]
    assert q[5][:2] == ("posted_at", "warning") and '"yesterday"' in q[5][2]
    before = counts(store)
    import_path(store, "default", "posts_csv", f)
    assert counts(store) == before
