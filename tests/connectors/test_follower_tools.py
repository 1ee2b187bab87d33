"""Follower and demographics exports of other tools, as a tester fed them: Instagram's newer
default avatar, its web GraphQL follower pages, header names and tick columns of hand-made
sheets, rows without a handle (the score and the import set the same rows aside), and
demographics rows that name one bucket twice or mix bare shares with percentages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from closeknit.connectors.audience import import_demographics, import_samples, read_profiles
from closeknit.connectors.audience_cells import link_flag
from closeknit.errors import ValidationError
from closeknit.service import imports as isvc
from closeknit.service.audience import ScoreIn, score_file
from closeknit.store import Store
from tests.connectors._util import profile, write_jsonl
from tests.features import factory as F

CDN = "https://scontent-fra5-1.cdninstagram.com/v/t51.2885-19/"
OLD_DEFAULT = CDN + "44884218_345707102882519_2446069589734326272_n.jpg?_nc_ht=x&_nc_cat=1"
NEW_DEFAULT = (
    CDN + "464760996_1254146839119862_3605321457742435801_n.png?stp=dst-jpg_e0_s150x150_tt6"
    "&_nc_ht=scontent-fra5-1.cdninstagram.com&_nc_cat=1"
)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _import(store: Store, path: Path, **opts: object) -> isvc.ImportOut:
    req = isvc.ImportIn.model_validate({"source": "audience", "path": str(path), **opts})
    return isvc.import_files(store, "default", req)


def test_instagrams_default_avatar_since_2024_is_no_picture(store: Store, tmp_path: Path) -> None:
    """Instagram's default picture since late 2024 (``464760996_…_n.png``) read as "has a
    picture" while the older one (``44884218_…_n.jpg``) read as none: both are none, on the
    follower-export reader and on the samples JSON-lines import alike."""
    assert link_flag(NEW_DEFAULT, null_is_false=False) is False
    assert link_flag(OLD_DEFAULT, null_is_false=False) is False
    assert link_flag(CDN + "123456789_987654321_n.jpg", null_is_false=False) is True
    f = _write(
        tmp_path / "followers.csv",
        "username,fullName,imgUrl\n"
        f"user83628172,,{OLD_DEFAULT}\nuser55501234,,{NEW_DEFAULT}\n"
        f"anna.real,Anna Real,{CDN}123456789_987654321_n.jpg\n",
    )
    assert [r["has_profile_pic"] for r in read_profiles(f).rows] == [False, False, True]
    objs = []
    for handle, url in (("old", OLD_DEFAULT), ("new", NEW_DEFAULT)):
        p = profile(handle, 3)
        p["profile_pic_url"] = url
        objs.append({"creator": "instagram:host", "relation": "follower", "profile": p})
    import_samples(store, "default", write_jsonl(tmp_path / "samples-0.jsonl", objs))
    got = store.query("SELECT handle, has_profile_pic FROM audience_samples ORDER BY handle")
    assert [(r["handle"], r["has_profile_pic"]) for r in got] == [("new", False), ("old", False)]


def _node(i: int, username: str, pic: str, private: bool = False) -> dict[str, object]:
    return {
        "node": {
            "id": str(i),
            "username": username,
            "full_name": username.title(),
            "profile_pic_url": pic,
            "is_private": private,
            "is_verified": False,
            "followed_by_viewer": False,
            "requested_by_viewer": False,
        }
    }


def test_a_graphql_follower_page_is_read_as_its_nodes(store: Store, tmp_path: Path) -> None:
    """Instagram's web follower page (``data.user.edge_followed_by.edges[].node``) was read as
    one account without a handle (``edge_followed_by`` as its followers) and scored 100% fake,
    while `import audience --creator` refused it: each node is an account, quarantined by the
    line where its edge starts. A profile's own edges (its mutual followers) stay its own."""
    nodes = [
        _node(0, "real.anna", CDN + "123_n.jpg"),
        _node(1, "user55512345", OLD_DEFAULT),
        _node(2, "priv.tom", CDN + "456_n.jpg", private=True),
    ]
    page = {
        "data": {
            "user": {
                "edge_followed_by": {
                    "count": 3,
                    "page_info": {"has_next_page": False, "end_cursor": None},
                    "edges": nodes,
                }
            }
        },
        "status": "ok",
    }
    text = json.dumps(page, indent=1)
    f = _write(tmp_path / "followers.json", text)
    pf = read_profiles(f)
    assert [r["handle"] for r in pf.rows] == ["real.anna", "user55512345", "priv.tom"]
    assert [r["has_profile_pic"] for r in pf.rows] == [True, False, True]
    assert [r["is_private"] for r in pf.rows] == [False, False, True]
    assert pf.columns_used["username"] == "handle" and "edge_followed_by" not in pf.columns_used
    # each account by the line where its edge starts
    edges = [
        text.rfind("{", 0, text.rfind('"node"', 0, text.index(f'"id": "{i}"'))) for i in range(3)
    ]
    assert pf.lines == [text.count("\n", 0, at) + 1 for at in edges]
    scored = score_file(store, "default", ScoreIn(path=f))
    assert (scored.n, scored.n_rejected) == (3, 0)
    # one node without a username (a reviewer's case): the page is still a list of accounts,
    # and that node alone is set aside
    odd = json.loads(text)
    del odd["data"]["user"]["edge_followed_by"]["edges"][1]["node"]["username"]
    g = _write(tmp_path / "odd.json", json.dumps(odd, indent=1))
    scored = score_file(store, "default", ScoreIn(path=g))
    assert (scored.n, scored.n_rejected) == (2, 1)
    F.creator(store, "host", 5_000)
    res = _import(store, f, creator="@host")
    assert (res.loaded, res.quarantined) == (3, 0)
    # a page a JSON line (and an array of pages) reads the same; the last page's empty list is
    # no account, not one account without a handle
    lines = _write(tmp_path / "pages.jsonl", json.dumps(page) + "\n" + json.dumps(page) + "\n")
    pl = read_profiles(lines)
    assert [r["handle"] for r in pl.rows] == ["real.anna", "user55512345", "priv.tom"]
    assert pl.n_duplicates == 3
    last = {"data": {"user": {"edge_followed_by": {"count": 3, "edges": []}}}, "status": "ok"}
    with pytest.raises(ValidationError, match="no account in the file"):
        read_profiles(_write(tmp_path / "last.json", json.dumps(last)))
    # a web_profile_info answer is one profile, whatever its mutual followers' edges hold
    one = {
        "data": {
            "user": {
                "username": "solo",
                "edge_followed_by": {"count": 120},
                "edge_follow": {"count": 80},
                "edge_mutual_followed_by": {"count": 1, "edges": [_node(9, "mutual", "")]},
            }
        },
        "status": "ok",
    }
    po = read_profiles(_write(tmp_path / "one.json", json.dumps(one)))
    assert [(r["handle"], r["followers"]) for r in po.rows] == [("solo", 120)]


def test_score_and_import_refuse_and_set_aside_the_same_rows(store: Store, tmp_path: Path) -> None:
    """`audience score` counted a row without a handle that `import audience --creator`
    quarantined: both now set such rows aside (quarantined, not counted), so the two give the
    same numbers."""
    F.creator(store, "host", 5_000)
    f = _write(
        tmp_path / "nohandle.csv",
        "username,full_name,followers_count,following_count\n"
        "good.one,Good One,1200,300\n,No Handle,100,100\ngood.two,Good Two,900,1100\n",
    )
    scored = score_file(store, "default", ScoreIn(path=f))
    assert (scored.n, scored.n_rejected) == (2, 1)
    assert (scored.rejected[0].line, scored.rejected[0].field) == (3, "username")
    assert "no handle" in scored.rejected[0].reason
    res = _import(store, f, creator="@host")
    assert (res.loaded, res.quarantined) == (2, 1)
    assert [(e.line, e.field) for e in res.files[0].errors] == [(3, "username")]
    # no handle column: the creator import refuses it, naming the columns (profileName is no
    # tool's handle column we know of: mapped by hand, it is read); the score reads it, as it
    # reads the labelled datasets (InstaFake, Kaggle, Purba, and others' sets), none with handles
    named = _write(
        tmp_path / "profilename.csv",
        "profileName,followers,following\nanna,10,20\nbob,30,40\n",
    )
    with pytest.raises(ValidationError, match="no handle column.*profilename"):
        _import(store, named, creator="@host")
    assert score_file(store, "default", ScoreIn(path=named)).n == 2
    mapped = score_file(store, "default", ScoreIn(path=named, map={"profileName": "handle"}))
    assert mapped.n == 2
    counts_only = _write(tmp_path / "counts.csv", "followers,following\n10,20\n30,40\n")
    assert score_file(store, "default", ScoreIn(path=counts_only)).n == 2
    with pytest.raises(ValidationError, match="no handle column"):
        _import(store, counts_only, creator="@host")


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Has Profile Picture", "has_profile_pic"),
        ("has_profile_picture", "has_profile_pic"),
        ("Pic", "has_profile_pic"),
        ("Website URL", "external_url"),
        ("Link in bio", "external_url"),
        ("Profile Picture", "profile_pic_url"),
        ("Has avatar", "has_profile_pic"),
        ("hasProfilePic", "has_profile_pic"),
        ("Website", "external_url"),
    ],
)
def test_header_names_of_hand_made_sheets(tmp_path: Path, header: str, field: str) -> None:
    """`Has Profile Picture`, `has_profile_picture`, `Pic`, `Website URL` and `Link in bio`
    were ignored while `Profile Picture`, `Has avatar` and `Website` were read."""
    f = _write(tmp_path / "h.csv", f"username,{header}\nabc1,Yes\nabc2,No\nabc3,Yes\n")
    pf = read_profiles(f)
    assert pf.columns_used == {"username": "handle", header.lower(): field}
    target = "has_external_url" if field == "external_url" else "has_profile_pic"
    assert [r[target] for r in pf.rows] == [True, False, True]


def test_a_tick_columns_blank_cell_is_no(store: Store, tmp_path: Path) -> None:
    """In a column whose filled cells are all tick marks ("x", "✓", "✔", "*"), a blank cell is
    "no", not unknown; in any other column a blank cell stays unknown."""
    F.creator(store, "lena.fit", 12_500)
    f = _write(
        tmp_path / "xmarks.tsv",
        "Handle\tName\tFollowers\tFollowing\tPrivate\tVerified\tPic\n"
        "anna.x\tAnna\t300\t200\tx\t\t✓\n"
        "bob.y\tBob\t400\t250\t\t\t✔\n"
        "cara.z\tCara\t500\t260\t\tX\t\n",
    )
    rows = {r["handle"]: r for r in read_profiles(f).rows}
    assert [rows[h]["is_private"] for h in ("anna.x", "bob.y", "cara.z")] == [True, False, False]
    assert [rows[h]["is_verified"] for h in ("anna.x", "bob.y", "cara.z")] == [False, False, True]
    assert [rows[h]["has_profile_pic"] for h in ("anna.x", "bob.y", "cara.z")] == [
        True,
        True,
        False,
    ]
    res = _import(store, f, creator="@lena.fit")
    assert (res.loaded, res.quarantined) == (3, 0)
    got = store.query("SELECT handle, is_private, is_verified FROM audience_samples ORDER BY 1")
    assert [(r["handle"], r["is_private"], r["is_verified"]) for r in got] == [
        ("anna.x", True, False),
        ("bob.y", False, False),
        ("cara.z", False, True),
    ]
    # a "no picture" column (the inverted flag) ticked: its blank is "has a picture"
    pic = _write(tmp_path / "pic.csv", "Handle,No profile pic,Followers\nanna,,3\nbob,*,4\n")
    assert [r["has_profile_pic"] for r in read_profiles(pic).rows] == [True, False]
    # yes/no words, or a tick beside another word: a blank stays unknown
    for cells in (("yes", ""), ("x", "n/a"), ("x", "maybe")):
        other = _write(
            tmp_path / "o.csv",
            f"Handle,Private,Followers\nanna,{cells[0]},3\nbob,{cells[1]},4\ncarl,,5\n",
        )
        assert read_profiles(other).rows[2]["is_private"] is None, cells
    # a JSON null is unknown even beside ticks
    j = _write(
        tmp_path / "t.jsonl",
        '{"username": "a", "is_private": "x"}\n{"username": "b", "is_private": null}\n'
        '{"username": "c", "is_private": ""}\n',
    )
    assert [r["is_private"] for r in read_profiles(j).rows] == [True, None, False]


def test_demographics_repeated_buckets_and_bare_shares_are_said(
    store: Store, tmp_path: Path
) -> None:
    """`gender,Female,72%` then `gender,Women,70%` (and `Germany` then `DE`) silently kept the
    later row; a bare `0.08` among '%' shares became 0.08% silently. Both are warnings naming
    file, line and field, and the repeat says which share was kept."""
    f = _write(
        tmp_path / "demo.csv",
        "platform,handle,dimension,bucket,share\n"
        "instagram,lena.fit,gender,Female,72%\n"
        "instagram,lena.fit,gender,Male,28%\n"
        "instagram,lena.fit,gender,Women,70%\n"
        "instagram,lena.fit,country,Germany,45%\n"
        "instagram,lena.fit,country,DE,40%\n"
        "instagram,lena.fit,country,Switzerland,0.08\n"
        "instagram,lena.fit,country,Austria,12\n"  # a bare 12 among '%': 12%, nothing to say
        "instagram,lena.fit,country,France,0\n"  # 0 is 0 on either scale (a reviewer's case)
        "instagram,bo,age,18-24,0.3\n"  # bo's breakdown is in fractions: its own unit
        "instagram,bo,age,25-34,0.7\n",
    )
    res = import_demographics(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_merged, res.n_warnings) == (10, 0, 2, 3)
    d = {
        (r["creator_id"], r["dimension"], r["bucket"]): r["share"]
        for r in store.query("SELECT * FROM audience_demographics")
    }
    assert d[("instagram:lena.fit", "gender", "F")] == pytest.approx(0.70)
    assert d[("instagram:lena.fit", "country", "DE")] == pytest.approx(0.40)
    assert d[("instagram:lena.fit", "country", "CH")] == pytest.approx(0.0008)
    q = store.query("SELECT file, line, field, level, reason FROM quarantine ORDER BY line, field")
    assert [(r["line"], r["field"], r["level"]) for r in q] == [
        (4, "bucket", "warning"),
        (6, "bucket", "warning"),
        (7, "share", "warning"),
    ]
    assert all(r["file"] == str(f) for r in q)
    assert "'Female' 72%" in q[0]["reason"] and "'Women' 70%" in q[0]["reason"]
    assert "kept, the later line's: 70% (line 4)" in q[0]["reason"]
    assert "'Germany' 45%" in q[1]["reason"] and "40% (line 6)" in q[1]["reason"]
    assert "line 7: '0.08'" in q[2]["reason"] and "write 8% if a fraction" in q[2]["reason"]
    # the same file again: nothing new, nothing said again
    again = import_demographics(store, "default", f)
    assert (again.n_loaded, again.n_warnings, again.n_merged) == (0, 0, 0)
