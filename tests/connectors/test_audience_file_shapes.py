"""``connectors.audience.read_profiles`` (``closeknit audience score FILE``) on the shapes a
tester's probe found misread: wrapped web profiles, flags as pandas and other tools write them,
duplicates, an unclosed quote, deep JSON, compressed and Excel files, profile links, conflicting
maps, and files with nothing to read. Each test failed before the fix it names."""

from __future__ import annotations

import bz2
import gzip
import json
import sys
import zipfile
from pathlib import Path

import pytest

from closeknit.connectors.audience import read_profiles
from closeknit.errors import ValidationError


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _web(handle: str, followers: int = 120, private: bool = False) -> dict[str, object]:
    return {
        "username": handle,
        "biography": "hi",
        "edge_followed_by": {"count": followers},
        "edge_follow": {"count": 80},
        "edge_owner_to_timeline_media": {"count": 12, "edges": []},
        "profile_pic_url": f"https://cdn.example.com/{handle}.jpg",
        "is_private": private,
    }


def _csv(n: int, flag: str = "1", extra: str = "") -> str:
    head = "username,followers,following,posts,is_private" + (",x" if extra else "")
    rows = [f"u{i},{100 + i},50,{i % 7},{flag}" + (f",{extra}" if extra else "") for i in range(n)]
    return head + "\n" + "\n".join(rows) + "\n"


def test_web_profile_info_and_graphql_wrappers_are_unwrapped(tmp_path: Path) -> None:
    """``{"data": {"user": <web profile>}, "status": "ok"}`` and ``{"graphql": {"user": ...}}``
    per line: before, the handle was the repr of the whole dict and every count was ignored."""
    for key in ("data", "graphql"):
        lines = [json.dumps({key: {"user": _web(f"a{i}", 100 + i)}, "status": "ok"})
                 for i in range(3)]  # fmt: skip
        pf = read_profiles(_write(tmp_path / f"{key}.jsonl", "\n".join(lines) + "\n"))
        assert [r["handle"] for r in pf.rows] == ["a0", "a1", "a2"]
        assert [r["followers"] for r in pf.rows] == [100, 101, 102]
        assert pf.rows[0]["posts_count"] == 12 and pf.rows[0]["has_profile_pic"] is True
        assert "followers" not in pf.fields_missing


def test_a_json_object_is_never_read_as_a_handle(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "o.jsonl",
        '{"username": {"id": 1}, "followers": 3}\n{"username": "b"}\n{"username": "c"}\n',
    )
    pf = read_profiles(f)
    assert [r["handle"] for r in pf.rows] == ["b", "c"] and pf.rejected[0].field == "username"
    assert "JSON object, not text" in pf.rejected[0].reason


@pytest.mark.parametrize(
    ("yes", "no"),
    [
        ("1.0", "0.0"),
        ("y", "n"),
        ("Y", "N"),
        ("on", "off"),
        ("VRAI", "FAUX"),
        ("wahr", "falsch"),
        ("Private", "Public"),
    ],  # fmt: skip
)
def test_flags_as_exports_write_them(tmp_path: Path, yes: str, no: str) -> None:
    """pandas' 1.0/0.0, y/n, on/off, French/German words and Private/Public: before, each row
    holding one was rejected (995 of 1000 rows of a pandas export)."""
    text = "username,followers,is_private\n" + "".join(
        f"{h}{i},{i},{flag}\n" for h, flag in (("a", yes), ("b", no)) for i in range(4)
    )
    pf = read_profiles(_write(tmp_path / "f.csv", text))
    assert len(pf.rows) == 8 and not pf.rejected
    assert [r["is_private"] for r in pf.rows] == [True] * 4 + [False] * 4


def test_floats_in_json_flags_are_read(tmp_path: Path) -> None:
    f = _write(
        tmp_path / "f.jsonl",
        '{"username": "a", "followers": 12.0, "is_private": 1.0, "has_profile_pic": 0.0}\n'
        '{"username": "b", "followers": 7, "is_private": "yes", "has_profile_pic": 1}\n',
    )
    pf = read_profiles(f)
    assert [(r["is_private"], r["has_profile_pic"]) for r in pf.rows] == [(True, False),
                                                                          (True, True)]  # fmt: skip


def test_a_picture_column_of_urls_means_has_a_picture(tmp_path: Path) -> None:
    """``profilePic`` (read as a has-a-picture flag) holding URLs: a URL is "has one", an empty
    cell unknown. Before, every account with a picture was rejected (95.9% fake, truly 10%)."""
    f = _write(
        tmp_path / "p.csv",
        "Username,Followers,profilePic,Avatar\n"
        "a,10,https://cdn.example.com/a.jpg,Y\nb,20,,N\nc,30,no,\n",
    )
    pf = read_profiles(f)
    assert not pf.rejected and pf.columns_used["profilepic"] == "has_profile_pic"
    assert [r["has_profile_pic"] for r in pf.rows] == [True, None, False]
    # an Avatar column of Y/N (before: every account "had a picture")
    g = _write(tmp_path / "y.csv", "Username,Followers,Avatar\na,10,Y\nb,20,N\n")
    assert [r["has_profile_pic"] for r in read_profiles(g).rows] == [True, False]


def test_an_unreadable_flag_leaves_that_field_unknown_not_the_row(tmp_path: Path) -> None:
    """One bad optional flag made the whole row go; now the field is unknown on that row and a
    note names file, line and field. The value is quoted as written, not lower-cased."""
    text = _csv(10, "0")
    text = text.replace("u3,103,50,3,0", "u3,103,50,3,Maybe")
    f = _write(tmp_path / "f.csv", text)
    pf = read_profiles(f)
    assert len(pf.rows) == 10 and not pf.rejected
    assert pf.rows[3]["is_private"] is None and pf.rows[2]["is_private"] is False
    (note,) = pf.notes
    assert (note.file, note.line, note.field) == (str(f), 5, "is_private")
    assert "'Maybe'" in note.reason


def test_a_flag_column_unreadable_in_most_rows_is_not_used(tmp_path: Path) -> None:
    """An "Account Type" of Business / Creator is no private flag: ignored as a whole."""
    f = _write(
        tmp_path / "t.csv",
        "username,followers,Account Type\na,1,Business\nb,2,Creator\nc,3,Private\n",
    )
    pf = read_profiles(f)
    assert len(pf.rows) == 3 and "account type" not in pf.columns_used
    assert "is_private" in pf.fields_missing and not pf.notes
    assert all("is_private" not in r for r in pf.rows)


def test_more_than_half_of_the_rows_rejected_is_an_error(tmp_path: Path) -> None:
    """Before: exit 0 and an estimate from the few rows left."""
    text = "username,followers\n" + "".join(f"u{i},lots\n" for i in range(6)) + "a,1\nb,2\n"
    with pytest.raises(ValidationError, match=r"6 of 8 rows rejected.*line 2, field followers"):
        read_profiles(_write(tmp_path / "bad.csv", text))


def test_a_handle_is_counted_once(tmp_path: Path) -> None:
    """Duplicate rows (the same handle, any case or written as @ or a profile link) counted
    once, the later ones rejected naming the first line. Before: all counted (30.5% vs 10%)."""
    f = _write(
        tmp_path / "d.csv",
        "username,followers\nanna,10\nbob,20\nAnna,10\n@bob,20\n"
        "https://www.instagram.com/anna/,10\ncarl,5\n",
    )
    pf = read_profiles(f)
    assert [r["handle"] for r in pf.rows] == ["anna", "bob", "carl"]
    assert pf.n_duplicates == 3 and pf.n_rows == 6
    assert [(r.line, r.field) for r in pf.rejected] == [(4, "username"), (5, "username"),
                                                        (6, "username")]  # fmt: skip
    assert "line 2" in pf.rejected[0].reason


def test_an_unclosed_quote_loses_one_row_not_the_rest(tmp_path: Path) -> None:
    """Before: the rest of the file was one cell ("19 of 20 rows used" on 100 rows)."""
    rows = [f"u{i},bio {i},{i},5,https://cdn.example.com/{i}.jpg" for i in range(100)]
    rows[20] = 'u20,"bio that never ends,20,5,https://cdn.example.com/20.jpg'
    f = _write(tmp_path / "q.csv", "username,bio,followers,following,pic url\n" + "\n".join(rows))
    pf = read_profiles(f)
    assert pf.n_rows == 100 and len(pf.rows) == 99
    (bad,) = pf.rejected
    assert bad.line == 22 and bad.field == "bio" and "never closed" in bad.reason
    assert pf.rows[20]["handle"] == "u21" and pf.rows[-1]["followers"] == 99
    # a bio written over several lines is no unclosed quote
    g = _write(tmp_path / "ml.csv", 'username,bio,followers\na,"one, two\nthree\nfour",3\nb,,4\n')
    assert [r["bio"] for r in read_profiles(g).rows] == ["one, two\nthree\nfour", ""]


def test_json_nested_too_deeply_is_quarantined_not_a_traceback(tmp_path: Path) -> None:
    depth = sys.getrecursionlimit() + 100
    f = _write(tmp_path / "d.jsonl", '{"username": "a", "followers": 3}\n' + "[" * depth + "\n")
    pf = read_profiles(f)
    assert len(pf.rows) == 1 and pf.rejected[0].line == 2
    assert "nested too deeply" in pf.rejected[0].reason
    g = _write(tmp_path / "d.json", "[" * depth)
    with pytest.raises(ValidationError, match="line 1: nested too deeply"):
        read_profiles(g)


def test_compressed_and_excel_exports_are_read(tmp_path: Path) -> None:
    """gzip / bzip2 CSV and JSON lines are read decompressed, an .xlsx as its first sheet.
    Before: "header cell 1 is not UTF-8" and a suggestion of an option the command lacks."""
    text = _csv(5)
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "a.csv.bz2").write_bytes(bz2.compress(text.encode()))
    lines = "".join(json.dumps(_web(f"a{i}")) + "\n" for i in range(5))
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(lines.encode()))
    for name in ("a.csv.gz", "a.csv.bz2", "a.jsonl.gz"):
        pf = read_profiles(tmp_path / name)
        assert len(pf.rows) == 5 and pf.rows[0]["followers"] in (100, 120), name
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in text.strip().split("\n"):
        ws.append(row.split(","))
    wb.save(tmp_path / "a.xlsx")
    pf = read_profiles(tmp_path / "a.xlsx")
    assert len(pf.rows) == 5 and pf.rows[4]["handle"] == "u4"
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as z:
        z.writestr("inner.csv", text)
    with pytest.raises(ValidationError, match="zip archive") as e:
        read_profiles(tmp_path / "z.xlsx")
    assert "--encoding" not in e.value.message
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(text.encode())[:30])
    with pytest.raises(ValidationError, match="cannot be unpacked"):
        read_profiles(tmp_path / "cut.csv.gz")


def test_profile_links_as_handles_and_as_the_link_column(tmp_path: Path) -> None:
    """A handle written as the profile's link is the handle; a ``Link`` column holding the
    account's own profile is no external link (before: every row had one)."""
    f = _write(
        tmp_path / "l.csv",
        "Account,Link,Followers,Profile Picture\n"
        "https://www.instagram.com/anna/,https://www.instagram.com/anna/,10,https://x.example/a.jpg\n"
        "instagram.com/bob,https://www.instagram.com/bob/,20,\n"
        "@carl,https://www.instagram.com/carl/,30,https://x.example/c.jpg\n",
    )
    pf = read_profiles(f)
    assert [r["handle"] for r in pf.rows] == ["anna", "bob", "carl"]
    assert "link" not in pf.columns_used and "has_external_url" in pf.fields_missing
    assert pf.columns_used["profile picture"] == "profile_pic_url"
    assert [r["has_profile_pic"] for r in pf.rows] == [True, False, True]
    # a real external link column is still read
    g = _write(
        tmp_path / "w.csv",
        "username,website,followers\nanna,https://anna.example,1\nbob,,2\n"
        "carl,https://www.instagram.com/carl/,3\n",
    )
    assert [r.get("has_external_url") for r in read_profiles(g).rows] == [True, False, None]


def test_photo_headers_and_account_type_are_recognised(tmp_path: Path) -> None:
    for header in ("Profile Photo", "Photo URL", "Picture URL"):
        f = _write(tmp_path / "h.csv", f"username,{header},Account Type\na,https://x/a.jpg,Private\n"
                   "b,,Public\n")  # fmt: skip
        pf = read_profiles(f)
        assert pf.columns_used[header.lower()] == "profile_pic_url", header
        assert [r["is_private"] for r in pf.rows] == [True, False]


def test_apify_tiktok_author_meta(tmp_path: Path) -> None:
    """``authorMeta.name`` is the handle (was read as the full name), ``video`` the posts."""
    items = [
        {"authorMeta": {"id": "1", "name": "dancer1", "nickName": "Dancer", "fans": 1206,
                        "following": 962, "video": 141, "privateAccount": True,
                        "avatar": "https://p16.tiktokcdn.com/a.jpeg"},
         "text": "a caption", "musicMeta": {"musicName": "song"}},
    ]  # fmt: skip
    pf = read_profiles(_write(tmp_path / "t.json", json.dumps(items)))
    (row,) = pf.rows
    assert row["handle"] == "dancer1" and row["full_name"] == "Dancer"
    assert (row["followers"], row["following"], row["posts_count"]) == (1206, 962, 141)
    assert row["is_private"] is True and row["has_profile_pic"] is True


def test_conflicting_maps_are_refused(tmp_path: Path) -> None:
    f = _write(tmp_path / "m.csv", "a,b,c\nx,y,1\n")
    with pytest.raises(ValidationError, match="handle is given by two columns"):
        read_profiles(f, mapping={"a": "handle", "b": "handle"})
    with pytest.raises(ValidationError, match="column 'a' is mapped twice"):
        read_profiles(f, mapping={"a": "handle", "followers": "a"})
    # a swap is no conflict
    g = _write(tmp_path / "s.csv", "followers,following\n1,2\n")
    got = read_profiles(g, mapping={"followers": "following", "following": "followers"})
    assert got.rows == [{"followers": 2, "following": 1}]


def test_files_with_nothing_to_read_say_what_they_hold(tmp_path: Path) -> None:
    cases = {
        "n.json": ("42\n", "line 1: not a JSON object \\(a number\\)"),
        "a.jsonl": ('["a", 1]\n["b", 2]\n', "line 1: not a JSON object \\(an array\\)"),
        "c.jsonl": ("username,followers\na,1\n", "it looks like CSV"),
        "h.csv": ("username,followers\n", "no account in the file"),
        "e.json": ("[]", "no account in the file"),
    }
    for name, (text, msg) in cases.items():
        with pytest.raises(ValidationError, match=msg):
            read_profiles(_write(tmp_path / name, text))
    j = _write(tmp_path / "j.txt", json.dumps(_web("a")) + "\n")
    with pytest.raises(ValidationError, match="looks like JSON") as e:
        read_profiles(j, fmt="csv")
    assert len(e.value.message.replace(str(j), "")) < 160  # the record is cut, not printed


def test_a_cut_off_json_line_says_so(tmp_path: Path) -> None:
    f = _write(tmp_path / "t.jsonl", '{"username": "a", "followers": 3}\n{"username": "b", "fo\n')
    pf = read_profiles(f)
    assert len(pf.rows) == 1 and "cut off" in pf.rejected[0].reason


def test_a_totals_footer_is_no_account(tmp_path: Path) -> None:
    f = _write(tmp_path / "x.csv", "username,bio,followers\na,hi,1\nb,,2\nTotal,,3\n")
    pf = read_profiles(f)
    assert [r["handle"] for r in pf.rows] == ["a", "b"]
    assert pf.rejected[0].line == 4 and "totals row" in pf.rejected[0].reason


def test_pandas_to_json_tables_and_nested_objects(tmp_path: Path) -> None:
    """``DataFrame.to_json()`` (orient columns, pandas' default, and index) is read as its rows
    (before: "no usable column. Columns found: 0, 1, 2..."); an object nested two deep (X's
    last tweet's ``{"user": {"id": 1}}``) is not lifted into the profile as its "user"."""
    cols = {"handle": {"0": "a", "1": "b"}, "followers": {"0": 10, "1": 20}}
    pf = read_profiles(_write(tmp_path / "c.json", json.dumps(cols)))
    assert [(r["handle"], r["followers"]) for r in pf.rows] == [("a", 10), ("b", 20)]
    idx = {"0": {"handle": "a", "followers": 10}, "1": {"handle": "b", "followers": 20}}
    pf = read_profiles(_write(tmp_path / "i.json", json.dumps(idx)))
    assert [(r["handle"], r["followers"]) for r in pf.rows] == [("a", 10), ("b", 20)]
    x = {"users": [{"screen_name": f"x{i}", "followers_count": i, "entities": {"url": {}},
                    "status": {"text": "hi", "user": {"id": 1}}} for i in range(3)]}  # fmt: skip
    pf = read_profiles(_write(tmp_path / "x.json", json.dumps(x)))
    assert [r["handle"] for r in pf.rows] == ["x0", "x1", "x2"] and not pf.rejected
    with pytest.raises(ValidationError, match="line 1: an empty JSON object"):
        read_profiles(_write(tmp_path / "e.json", "{}"))
