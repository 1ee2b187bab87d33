"""Five bad inputs that loaded without a word (2026-12-06): a CSV cut mid-row, a count with a
fraction, a JSON line with a syntax error said only "invalid JSON", demographics of a dimension
no score reads, and shop orders whose codes no campaign issued. Each now names the file, line
and field in the quarantine list, and loses no good row."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from closeknit.connectors.audience import import_demographics
from closeknit.connectors.bulk import fraction_sql, whole_count_sql
from closeknit.connectors.csvio import iter_csv
from closeknit.connectors.importer import import_path
from closeknit.connectors.posts_csv import import_posts_csv
from closeknit.connectors.shopify import import_shopify
from closeknit.connectors.snapshots import import_snapshots
from closeknit.connectors.values import is_fraction
from closeknit.connectors.vendor_csv import import_vendor_csv
from closeknit.service import imports as isvc
from closeknit.store import Store
from tests.connectors._util import counts
from tests.features import factory as F


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _q(store: Store) -> list[dict[str, object]]:
    return store.query("SELECT file, line, field, level, reason FROM quarantine ORDER BY line")


# --- 1. a file cut inside its last row ----------------------------------------------------------

POSTS = (
    "platform,handle,post_id,posted_at,caption,likes,comments,views\n"
    "instagram,ana,p1,2026-03-01,hello,10,2,100\n"
    "instagram,ana,p2,2026-03-02\n"  # trailing empty cells dropped: still loads
    "instagram,ana,p3,2026-03-03,Great sum"  # the file stops here: cut
)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_cut_last_line_is_rejected_not_loaded_half_empty(
    store: Store, tmp_path: Path, encoding: str
) -> None:
    """Both readers (blocks for UTF-8, row by row for cp1252): the last line without a line end
    and with fewer cells than the header is quarantined naming the column it stops in; a short
    line that ends (a spreadsheet's dropped empty cells) still loads."""
    f = _write(tmp_path / "posts.csv", POSTS.replace("hello", "héllo"), encoding)
    res = import_posts_csv(store, "default", f, encoding=encoding)
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 2, 1)
    assert {r["post_id"] for r in store.query("SELECT post_id FROM posts")} == {
        "instagram:p1",
        "instagram:p2",
    }
    (rej,) = [r for r in _q(store) if r["level"] == "rejected"]
    assert (rej["file"], rej["line"], rej["field"]) == (str(f), 4, "caption")
    assert rej["reason"] == (
        '5 of 8 fields (the line may be cut short: the file ends in it, in "caption", '
        "without a line end)"
    )
    before = counts(store)
    again = import_posts_csv(store, "default", f, encoding=encoding)
    assert again.n_loaded == 0 and counts(store) == before


def test_a_cut_last_line_in_every_csv_source(store: Store, tmp_path: Path) -> None:
    snaps = _write(
        tmp_path / "snaps.csv",
        "platform,handle,date,followers,following\ninstagram,ana,2026-03-01,1200,300\n"
        "instagram,ben,2026-03-01,12",
    )
    res = import_snapshots(store, "default", snaps)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    demo = _write(
        tmp_path / "demo.csv",
        "platform,handle,dimension,bucket,share\ninstagram,ana,country,DE,0.5\ninstagram,ana,age",
    )
    res = import_demographics(store, "default", demo)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    vend = _write(
        tmp_path / "vendor_2026-03.csv",
        "Handle,Platform,Followers,Engagement Rate,Country\nana,instagram,12000,3.1%,DE\n"
        "ben,instagram,9000,2.0%,FR\ncy,instagram,80",
    )
    res = import_vendor_csv(store, "default", vend)
    assert (res.n_loaded, res.n_quarantined) == (2, 1)
    shop = _write(
        tmp_path / "orders.csv",
        "Name,Email,Financial Status,Currency,Subtotal,Total,Created at,Lineitem quantity,"
        "Lineitem name,Lineitem price,Id\n"
        "#1001,a@b.example,paid,USD,60.00,60.00,2026-05-01 10:00:00 -0400,1,Kit,60.00,9001\n"
        "#1002,c@d.example,paid,USD,10.00,10.00,2026-05-02 10:00:00 -0400,1,X",
    )
    res = import_shopify(store, "default", shop)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    got = {(r["file"], r["line"], r["field"]) for r in _q(store) if r["level"] == "rejected"}
    assert got == {
        (str(snaps), 3, "followers"),
        (str(demo), 3, "dimension"),
        (str(vend), 4, "followers"),
        (str(shop), 3, "lineitem name"),
    }
    assert all(
        "the line may be cut short" in str(r["reason"])
        for r in _q(store)
        if r["level"] == "rejected"
    )


def test_a_cut_follower_export_row_is_rejected(store: Store, tmp_path: Path) -> None:
    F.creator(store, "host", 5_000)
    f = _write(
        tmp_path / "fol.csv", "username,followers,following,posts\nx1,100,50,3\nx2,200,10,4\nx3,3"
    )
    req = isvc.ImportIn.model_validate({"source": "audience", "path": str(f), "creator": "@host"})
    out = isvc.import_files(store, "default", req)
    assert (out.loaded, out.quarantined) == (2, 1)
    (rej,) = [r for r in _q(store) if r["level"] == "rejected"]
    assert (rej["line"], rej["field"]) == (4, "followers")
    assert str(rej["reason"]).startswith("2 of 4 fields (the line may be cut short")


def test_the_reader_says_a_cut_line_even_when_short_rows_load(tmp_path: Path) -> None:
    f = _write(tmp_path / "x.csv", "a,b,c\n1,2\n3,4")
    _h, rows = iter_csv(f, short_rows=True)
    first, last = list(rows)
    assert first.error is None and first.cells == ["1", "2"]
    assert last.error is not None and last.error.startswith("2 of 3 fields")
    assert (last.line, last.field) == (3, "b")


# --- 2. a count with a fraction -----------------------------------------------------------------


def test_a_count_with_a_fraction_is_left_empty_and_said(store: Store, tmp_path: Path) -> None:
    """'5.7' likes read 6 without a word; '5.7k', '1,234' and '12k' are counts."""
    f = _write(
        tmp_path / "posts.csv",
        "platform,handle,post_id,posted_at,caption,likes,comments,views\n"
        "instagram,ana,p1,2026-03-01,hello,5.7,2,100\n"
        'instagram,ana,p2,2026-03-02,hi,5.7k,"1,234",12k\n'
        'instagram,ana,p3,2026-03-03,yo,12.300,"3,5",5.0\n',
    )
    res = import_posts_csv(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (3, 0, 2)
    got = {
        r["post_id"]: (r["likes"], r["comments"], r["views"])
        for r in store.query("SELECT * FROM posts")
    }
    assert got == {
        "instagram:p1": (None, 2, 100),
        "instagram:p2": (5700, 1234, 12000),
        "instagram:p3": (12300, None, 5),
    }
    w = [(r["line"], r["field"], r["level"], r["reason"]) for r in _q(store)]
    assert w == [
        (2, "likes", "warning", 'likes is not a whole number: "5.7" (row kept, value left empty)'),
        (4, "comments", "warning",
         'comments is not a whole number: "3,5" (row kept, value left empty)'),
    ]  # fmt: skip


def test_fractions_in_snapshots_vendor_files_and_json_profiles(
    store: Store, tmp_path: Path
) -> None:
    snaps = _write(
        tmp_path / "snaps.csv",
        "platform,handle,date,followers,following\ninstagram,ana,2026-03-01,1200.5,300\n",
    )
    assert import_snapshots(store, "default", snaps).n_warnings == 1
    assert store.query("SELECT followers, following FROM follower_snapshots") == [
        {"followers": None, "following": 300}
    ]
    # followers are whole; an average may have a fraction
    vend = _write(
        tmp_path / "vendor_2026-03.csv",
        'Handle,Platform,Followers,Avg Likes\nbo,instagram,9000.5,20.25\ncy,instagram,"1,234",12\n',
    )
    res = import_vendor_csv(store, "default", vend)
    assert (res.n_loaded, res.n_warnings) == (2, 1)
    assert res.warnings[0]["field"] == "followers"
    assert '"9000.5"' in res.warnings[0]["reason"] and "whole number" in res.warnings[0]["reason"]
    foll = {
        r["creator_id"]: r["followers"]
        for r in store.query("SELECT creator_id, followers FROM creators WHERE creator_id <> ''")
    }
    assert foll["instagram:bo"] is None and foll["instagram:cy"] == 1234
    # JSON profiles reject a count that is not a whole number (a number, or text)
    prof = tmp_path / "profiles-1.jsonl"
    prof.write_text(
        json.dumps({"username": "dee", "edge_followed_by": {"count": 5.7}}) + "\n"
        + json.dumps({"username": "eve", "edge_followed_by": {"count": 57}}) + "\n"
    )  # fmt: skip
    res = import_path(store, "default", "instagram", prof)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    assert res.errors[0]["field"] == "edge_followed_by.count"


def test_a_follower_export_count_with_a_fraction_is_rejected(store: Store, tmp_path: Path) -> None:
    F.creator(store, "host", 5_000)
    f = _write(tmp_path / "fol.csv", "username,followers,following\nx1,100,50\nx2,200.5,10\n")
    req = isvc.ImportIn.model_validate({"source": "audience", "path": str(f), "creator": "@host"})
    out = isvc.import_files(store, "default", req)
    assert (out.loaded, out.quarantined) == (1, 1)
    (rej,) = _q(store)
    assert (rej["line"], rej["field"]) == (3, "followers")
    assert rej["reason"] == 'not a whole number: "200.5"'


CELLS = ["5.7", "5,7", "1,5", "12.300", "1,234", "5.0", "5.7k", "12k", "1,234.5", "1.234,5",
         "12.30", " 5.7 ", "123", "abc", "", "-5.7", "1 234,5", "0.500", "1.2345"]  # fmt: skip


def test_the_fraction_test_has_one_rule_in_sql_and_python(store: Store) -> None:
    for c in CELLS:
        sql, whole = store.query(
            f"SELECT {fraction_sql('c')} AS f, {whole_count_sql('c')} AS w "
            "FROM (SELECT ?::VARCHAR AS c)",
            [c],
        )[0].values()
        assert sql == is_fraction(c), c
        assert (whole is None) or not sql, c
    assert is_fraction(5.7) and not is_fraction(5.0) and not is_fraction(5)


# --- 3. invalid JSON in words -------------------------------------------------------------------


def _item(pid: str) -> str:
    obj = {"id": pid, "ownerUsername": "kim", "timestamp": "2026-01-06T10:00:00Z", "caption": "c"}
    return json.dumps({**obj, "likesCount": 1, "commentsCount": 0, "type": "Image"})


def test_invalid_json_says_where_and_what(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "posts.jsonl"
    f.write_text(
        _item("61") + "\n"
        + _item("62")[:-1] + "\n"  # cut before its closing brace
        + _item("63").replace('"c"', "'c'") + "\n"  # single quotes
        + _item("64").replace('"c",', '"c",,') + "\n"  # two commas
    )  # fmt: skip
    res = import_path(store, "default", "instagram", f)
    assert (res.n_loaded, res.n_quarantined) == (1, 3)
    got = {e["line"]: e["reason"] for e in res.errors}
    assert got[2].startswith("invalid JSON at column ")
    assert got[2].endswith("the record ends before it is closed (the line may be cut short)")
    assert got[3].endswith("text in single quotes (JSON needs double quotes)")
    assert got[4].endswith("two commas in a row")


def test_invalid_json_orders_say_a_comma_before_a_closing_brace(
    store: Store, tmp_path: Path
) -> None:
    good = {"id": 1, "name": "#1", "created_at": "2026-01-08T10:00:00Z", "currency": "USD",
            "total_price": "20.00"}  # fmt: skip
    f = tmp_path / "orders.jsonl"
    f.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": 2})[:-1] + ",}\n")
    res = import_path(store, "default", "shopify", f)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    assert res.errors[0]["line"] == 2
    assert res.errors[0]["reason"].endswith('a comma before a closing brace "}"')
    assert res.errors[0]["reason"].startswith("invalid JSON at column ")


# --- 4. a demographics dimension no score reads --------------------------------------------------


def test_an_unknown_dimension_is_said_once_per_file(store: Store, tmp_path: Path) -> None:
    f = _write(
        tmp_path / "demo.csv",
        "platform,handle,dimension,bucket,share\n"
        "instagram,ana,Audience Country,DE,0.5\n"
        "instagram,ana,income,high,0.3\n"
        "instagram,ana,income,low,0.7\n"
        "instagram,ana,Age group,18-24,0.4\n"
        "instagram,ana,pets,dogs,0.2\n",
    )
    res = import_demographics(store, "default", f)
    assert (res.n_loaded, res.n_quarantined) == (5, 0)
    dims = {r["dimension"] for r in store.query("SELECT dimension FROM audience_demographics")}
    assert {"country", "age"} <= dims
    w = [x for x in res.warnings if x["field"] == "dimension"]
    assert len(w) == 1 and w[0]["line"] == 3
    reason = w[0]["reason"]
    assert reason.startswith("3 rows name a dimension the audience scores do not read")
    assert '"income": 2 rows (lines 3, 4)' in reason and '"pets": 1 row (line 6)' in reason
    assert "country, age and gender" in reason
    again = import_demographics(store, "default", f)
    assert (again.n_loaded, again.n_warnings) == (0, 0)


# --- 5. shop orders whose codes no campaign issued ----------------------------------------------

SHOP_COLS = ["Name", "Email", "Financial Status", "Currency", "Subtotal", "Total",
             "Discount Code", "Created at", "Lineitem quantity", "Lineitem name",
             "Lineitem price", "Id"]  # fmt: skip


def _orders(path: Path, codes: list[str]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SHOP_COLS)
        for i, code in enumerate(codes):
            when = "2026-05-01 10:00:00 -0400"
            w.writerow([f"#{1000 + i}", "a@b.example", "paid", "USD", "10.00", "10.00", code,
                        when, "1", "Kit", "10.00", str(9000 + i)])  # fmt: skip
    return path


def test_orders_with_codes_no_campaign_issued_load_and_are_said(
    store: Store, tmp_path: Path
) -> None:
    store.execute(
        "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, discount_code) "
        "VALUES ('default', 'c1', 'instagram:ana', 'ANA15')"
    )
    codes = ["WELCOME10"] * 30 + ["SUMMER5"] * 11 + ["ana15", ""] + [f"X{i}" for i in range(5)]
    f = _orders(tmp_path / "orders.csv", codes)
    res = import_shopify(store, "default", f)
    assert (res.n_loaded, res.n_quarantined, res.n_warnings) == (48, 0, 1)
    (w,) = res.warnings
    assert (w["file"], w["line"], w["field"]) == (str(f), 2, "Discount Code")
    assert w["reason"].startswith(
        "46 orders used codes no campaign issued: WELCOME10 (30), SUMMER5 (11), X0 (1), X1 (1), "
        "X2 (1) and 2 other codes. They load as the shop's sales and credit no creator by code"
    )
    assert "--" not in w["reason"] and "closeknit" not in w["reason"]
    again = import_shopify(store, "default", f)
    assert (again.n_loaded, again.n_warnings) == (0, 0)


def test_json_orders_with_an_unissued_code(store: Store, tmp_path: Path) -> None:
    code = {"code": "WELCOME10", "amount": "2.00"}
    o = {"id": 1, "name": "#1", "created_at": "2026-01-08T10:00:00Z", "currency": "USD",
         "total_price": "20.00", "discount_codes": [code]}  # fmt: skip
    f = tmp_path / "orders.jsonl"
    f.write_text(json.dumps(o) + "\n")
    # no campaign has issued a code yet (a shop's history first, as the demo imports it):
    # nothing to mistype, and a warning would read as stale once the campaigns came
    assert import_shopify(store, "default", f).warnings == []
    store.execute(
        "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, discount_code) "
        "VALUES ('default', 'c1', 'instagram:ana', 'ANA15')"
    )
    o["id"], o["name"] = 2, "#2"
    f.write_text(json.dumps(o) + "\n")
    res = import_shopify(store, "default", f)
    (w,) = res.warnings
    assert w["field"] == "discount_codes"
    assert w["reason"].startswith("1 order used a code no campaign issued: WELCOME10 (1). It loads")
