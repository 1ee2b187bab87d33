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


def test_an_api_answer_wrapping_its_list_is_read_element_by_element(tmp_path: Path) -> None:
    """The Graph API's ``{"data": [...], "paging": ...}``, Instagram's and X's follower pages
    ``{"users": [...], "next_max_id": ...}`` and a pretty-printed single profile: their
    profiles are read (before: "no usable column. Columns found: data, cursors"), a bad
    element is rejected by the line where it starts."""
    graph = _write(
        tmp_path / "graph.json",
        '{\n  "data": [\n    {"username": "anna", "followers_count": 120, "follows_count": 80,\n'
        '     "media_count": 12, "website": "https://a.example"},\n'
        '    {"username": "bob", "followers_count": "lots", "follows_count": 5,\n'
        '     "media_count": 0, "website": null}\n  ],\n'
        '  "paging": {"cursors": {"after": "QVFI"}}\n}\n',
    )
    pf = read_profiles(graph)
    assert pf.n_rows == 2 and [r["followers"] for r in pf.rows] == [120]
    assert pf.columns_used["followers_count"] == "followers"
    assert [(r.line, r.field) for r in pf.rejected] == [(5, "followers_count")]
    page = _write(
        tmp_path / "page.json",
        '{"users": [{"pk": 1, "username": "anna", "is_private": false},'
        ' {"pk": 2, "username": "bob", "is_private": true}],'
        ' "big_list": true, "next_max_id": "QVFE", "status": "ok"}',
    )
    assert [r["is_private"] for r in read_profiles(page).rows] == [False, True]
    one = _write(
        tmp_path / "one.json",
        '{\n  "username": "anna",\n  "followersCount": 120,\n  "latestPosts": [{"id": "1"}]\n}\n',
    )
    p1 = read_profiles(one)
    assert p1.n_rows == 1 and p1.rows[0]["followers"] == 120 and not p1.rejected


def test_a_default_avatar_or_a_no_picture_flag_is_no_picture(tmp_path: Path) -> None:
    """X's default egg (``default_profile_images/``) is no picture, as Instagram's default avatar
    is; X's ``default_profile_image`` and Instagram's ``has_anonymous_profile_picture`` say
    "no picture" when true. Before, X's default image read as a picture and both flags were
    ignored."""
    egg = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
    own = "https://pbs.twimg.com/profile_images/1/x_normal.jpg"
    v2 = _write(
        tmp_path / "x.jsonl",
        f'{{"username": "a", "profile_image_url": "{egg}"}}\n'
        f'{{"username": "b", "profile_image_url": "{own}"}}\n',
    )
    assert [r["has_profile_pic"] for r in read_profiles(v2).rows] == [False, True]
    v1 = _write(
        tmp_path / "x1.json",
        f'[{{"screen_name": "a", "default_profile_image": true,'
        f' "profile_image_url_https": "{own}"}},'
        f' {{"screen_name": "b", "default_profile_image": false,'
        f' "profile_image_url_https": "{egg}"}}]',
    )
    pf = read_profiles(v1)
    assert [r["has_profile_pic"] for r in pf.rows] == [False, True]
    assert pf.columns_used["default_profile_image"] == "no_profile_pic"
    assert "has_profile_pic" not in pf.fields_missing
    ig = _write(
        tmp_path / "ig.csv",
        "username,has_anonymous_profile_picture\na,True\nb,False\nc,\n",
    )
    assert [r["has_profile_pic"] for r in read_profiles(ig).rows] == [False, True, None]


def test_the_labelled_datasets_and_odd_headers_are_read(tmp_path: Path) -> None:
    """InstaFake's ``userFollowerCount``... and Purba's ``flw``/``flg``/``pos``/``pic``/``lin``
    layouts (refused before: "no usable column"), X v2's ``tweet_count``, and a hand-made sheet's
    "Has profile pic?" (its question mark kept it from matching) with yes/no cells, "Following "
    with a trailing space, counts as "1,234", "12.5K", "1.2M", a byte-order mark and ';'."""
    insta = _write(
        tmp_path / "instafake.json",
        '[{"userFollowerCount": 25, "userFollowingCount": 1937, "userMediaCount": 0,'
        ' "userHasProfilPic": 1, "userIsPrivate": 0, "isFake": 1}]',
    )
    pf = read_profiles(insta)
    assert pf.rows == [{"followers": 25, "following": 1937, "posts_count": 0,
                        "has_profile_pic": True, "is_private": False}]  # fmt: skip
    purba = _write(
        tmp_path / "purba.csv",
        "pos,flw,flg,bl,pic,lin,cl,erl,class\n69,541,440,293,1,0,223,10.12,r\n"
        "0,12,3000,0,0,1,0,0,a\n",
    )
    pp = read_profiles(purba)
    assert [(r["posts_count"], r["followers"], r["following"], r["has_profile_pic"],
             r["has_external_url"]) for r in pp.rows] == [
        (69, 541, 440, True, False), (0, 12, 3000, False, True)]  # fmt: skip
    # the short names are Purba's only beside flw and flg: elsewhere 'pos' is no posts count
    other = _write(tmp_path / "o.csv", "username,pos\nanna,3\n")
    assert read_profiles(other).columns_used == {"username": "handle"}
    x2 = _write(
        tmp_path / "x2.jsonl",
        '{"username": "a", "public_metrics": {"followers_count": 5, "following_count": 9,'
        ' "tweet_count": 41, "listed_count": 0}}\n',
    )
    assert read_profiles(x2).rows[0]["posts_count"] == 41
    hand = tmp_path / "hand.csv"
    hand.write_text(
        "Username;Followers;Following ;Posts;Has profile pic?;Private;Engagement %\n"
        "@anna;1,234;12.5K;;yes;TRUE;2.5%\n"
        "bob;1.2M;310;17;no;FALSE;0.1%\n",
        encoding="utf-8-sig",
    )
    ph = read_profiles(hand)
    assert ph.columns_used == {
        "username": "handle",
        "followers": "followers",
        "following": "following",
        "posts": "posts_count",
        "has profile pic?": "has_profile_pic",
        "private": "is_private",
    }
    keys = ("handle", "followers", "following", "posts_count", "has_profile_pic", "is_private")
    assert [tuple(r[k] for k in keys) for r in ph.rows] == [
        ("anna", 1234, 12500, None, True, True),
        ("bob", 1_200_000, 310, 17, False, False),
    ]


def test_a_datasets_precomputed_features_count_as_the_fields_they_come_from(
    tmp_path: Path,
) -> None:
    """InstaFake gives a bio's and a username's length and digits, Kaggle the username's and full
    name's digit ratios, word count and name==username, Purba the bio length (``bl``), not the
    texts: the estimate uses them as the account model does (it was trained on them). Before,
    they were ignored, so these files were scored without the bio and the username. The same
    accounts as raw fields and as InstaFake's columns give the same estimate."""
    import json

    import pandas as pd

    from closeknit.features import audience
    from closeknit.features.models import account_model

    raw = [
        {
            "handle": f"{'user' if i % 3 else 'x'}{i * 7919 % 1000 if i % 4 == 0 else ''}ab{i}",
            "bio": "" if i % 5 == 0 else "hello " * (i % 7),
            "followers": 10 + i * 37 % 900,
            "following": 50 + i * 113 % 4000,
            "posts_count": i * 13 % 40,
            "has_profile_pic": i % 6 != 0,
            "is_private": i % 4 == 1,
        }  # fmt: skip
        for i in range(60)
    ]
    insta = [
        {
            "userFollowerCount": r["followers"],
            "userFollowingCount": r["following"],
            "userBiographyLength": len(str(r["bio"])),
            "userMediaCount": r["posts_count"],
            "userHasProfilPic": int(bool(r["has_profile_pic"])),
            "userIsPrivate": int(bool(r["is_private"])),
            "usernameDigitCount": sum(c.isdigit() for c in str(r["handle"])),
            "usernameLength": len(str(r["handle"])),
            "isFake": 0,
        }  # fmt: skip
        for r in raw
    ]
    (tmp_path / "raw.jsonl").write_text("".join(json.dumps(r) + "\n" for r in raw))
    (tmp_path / "insta.json").write_text(json.dumps(insta))
    pr, pi = read_profiles(tmp_path / "raw.jsonl"), read_profiles(tmp_path / "insta.json")
    assert pi.columns_used["userBiographyLength"] == "bio_length"
    assert pi.columns_used["usernameDigitCount"] == "username_digits"
    m = account_model()
    a = audience.estimate(pd.DataFrame(pr.rows), m)
    b = audience.estimate(pd.DataFrame(pi.rows), m)
    assert a is not None and b is not None
    assert (a.fake_share, a.fake_lo, a.fake_hi) == (b.fake_share, b.fake_lo, b.fake_hi)
    kaggle = _write(
        tmp_path / "kaggle.csv",
        "profile pic,nums/length username,fullname words,nums/length fullname,name==username,"
        "description length,external URL,private,#posts,#followers,#follows,fake\n"
        "1,0.27,0,0,0,53,0,0,32,1000,955,0\n",
    )
    pk = read_profiles(kaggle)
    assert pk.rows[0]["username_digit_ratio"] == 0.27 and pk.rows[0]["bio_length"] == 53
    assert pk.rows[0]["fullname_words"] == 0 and pk.rows[0]["name_equals_username"] is False
