"""Finding 2 of the 2026-12-06 tester round: Instaloader saves the profile beside its posts
(``{profile}/{profile}_{userid}.json.xz``, ``instaloader.node_type`` "Profile"); it was read as
a post and quarantined ("post has no owner username"), so the creator kept an older follower
count and no snapshot was made."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from closeknit.connectors.instagram import import_instagram
from closeknit.store import Store

FIXTURE = Path(__file__).parents[1] / "fixtures" / "connectors" / "instaloader"
PROFILE = "abroadwithhugo.ewb_51234567890.json.xz"
SAVED = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "abroadwithhugo.ewb"
    shutil.copytree(FIXTURE / "abroadwithhugo.ewb", folder)
    ts = SAVED.timestamp()
    os.utime(folder / PROFILE, (ts, ts))  # Instaloader leaves the profile file's time as saved
    return folder


def _creator(store: Store) -> dict[str, object]:
    return store.query(
        "SELECT handle, name, bio, followers, following, posts_count, verified, is_private, "
        "external_id, observed_at FROM creators WHERE creator_id = 'instagram:abroadwithhugo.ewb'"
    )[0]


def test_the_profile_file_of_an_instaloader_folder_is_the_creators_profile(
    store: Store, tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    (res,) = import_instagram(store, "default", folder)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 3, 0)
    assert not store.query("SELECT * FROM quarantine WHERE level = 'rejected'")
    assert _creator(store) == {
        "handle": "abroadwithhugo.ewb",
        "name": "Hugo Bianchi",
        "bio": "travel & trip | aus Germany",
        "followers": 9630,
        "following": 512,
        "posts_count": 402,
        "verified": False,
        "is_private": False,
        "external_id": "51234567890",
        # the posts' owner rows are observed by the import (landing's rule for creators)
        "observed_at": dt.datetime.now(dt.UTC).date(),
    }
    snaps = store.query("SELECT creator_id, date, followers, following FROM follower_snapshots")
    assert snaps == [
        {"creator_id": "instagram:abroadwithhugo.ewb", "date": dt.date(2026, 11, 20),
         "followers": 9630, "following": 512}
    ]  # fmt: skip
    assert store.query("SELECT count(*) AS n FROM posts")[0]["n"] == 2
    # again: nothing written
    (again,) = import_instagram(store, "default", folder)
    assert (again.n_loaded, again.n_duplicate) == (0, 3)
    assert store.query("SELECT count(*) AS n FROM follower_snapshots")[0]["n"] == 1


def test_the_profile_replaces_an_older_follower_count(store: Store, tmp_path: Path) -> None:
    """The tester's store held 9,439 followers from an earlier export: the profile, saved
    later, wins."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "export-2026-11-01.csv").write_text("Username,Followers\nabroadwithhugo.ewb,9439\n")
    from closeknit.connectors.vendor_csv import import_vendor_csv

    import_vendor_csv(store, "default", old / "export-2026-11-01.csv")
    assert _creator(store)["followers"] == 9439
    import_instagram(store, "default", _folder(tmp_path))
    assert _creator(store)["followers"] == 9630


def test_a_profile_file_imported_on_its_own(store: Store, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (res,) = import_instagram(store, "default", folder / PROFILE)
    assert (res.n_loaded, res.n_quarantined) == (1, 0)
    creator = _creator(store)
    assert (creator["followers"], creator["observed_at"]) == (9630, dt.date(2026, 11, 20))
    assert store.query("SELECT count(*) AS n FROM posts")[0]["n"] == 0
