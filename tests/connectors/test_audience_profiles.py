"""``connectors.audience.read_profiles`` on follower exports in the shapes real tools and
public datasets produce: every field read as written, a field the file does not give unknown."""

from __future__ import annotations

from pathlib import Path

from closeknit.connectors.audience import read_profiles


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_a_0_1_link_column_is_a_flag_not_a_link(tmp_path: Path) -> None:
    """Kaggle's ``external URL`` (and any "has a link" column named like the URL) holds 0/1:
    '0' is no link. Before, any non-empty cell was a link, so every Kaggle row had one."""
    f = _write(
        tmp_path / "kaggle.csv",
        "profile pic,external URL,private,#posts,#followers,#follows\n"
        "1,0,0,32,1000,955\n1,1,0,286,2740,533\n0,0,1,0,12,3000\n",
    )
    pf = read_profiles(f)
    assert pf.columns_used["external url"] == "external_url"
    assert [r["has_external_url"] for r in pf.rows] == [False, True, False]
    j = _write(
        tmp_path / "flags.jsonl",
        '{"username": "a", "external_url": 0, "profile_pic_url": 1}\n'
        '{"username": "b", "external_url": "true", "profile_pic_url": false}\n'
        '{"username": "c", "external_url": "https://x.y/c", "profile_pic_url": "no"}\n',
    )
    rows = read_profiles(j).rows
    assert [r["has_external_url"] for r in rows] == [False, True, True]
    assert [r["has_profile_pic"] for r in rows] == [True, False, False]


def test_a_column_blank_in_every_row_is_unknown(tmp_path: Path) -> None:
    """A picture, link or bio column left blank on every row was not collected (a follower
    collector that did not open the profiles): unknown, not "no picture" on every account, which
    read as fakes (the share of a 50-row export doubled). A blank cell beside filled ones is a
    known empty value."""
    f = _write(
        tmp_path / "pb.csv",
        "username,fullName,bio,imgUrl,website,followerCount\n"
        "anna,Anna,,,,120\nbob,,hi there,,,80\ncarl,Carl,,,,15\n",
    )
    pf = read_profiles(f)
    assert [r["bio"] for r in pf.rows] == ["", "hi there", ""]
    assert [r["full_name"] for r in pf.rows] == ["Anna", "", "Carl"]
    for r in pf.rows:
        assert r.get("has_profile_pic") is None and r.get("has_external_url") is None
    assert {"imgurl", "website"}.isdisjoint(pf.columns_used)
    assert {"has_profile_pic", "has_external_url"} <= set(pf.fields_missing)
    assert "bio" not in pf.fields_missing
    j = _write(
        tmp_path / "f.jsonl",
        '{"username": "a", "profile_pic_url": null, "external_url": null, "biography": ""}\n'
        '{"username": "b", "profile_pic_url": "", "external_url": null, "biography": null}\n',
    )
    pj = read_profiles(j)
    assert all(r.get("has_external_url") is None and r.get("bio") is None for r in pj.rows)
    assert {"has_external_url", "bio", "has_profile_pic"} <= set(pj.fields_missing)
