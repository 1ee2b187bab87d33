"""Issue 20, item 8: one stray invalid byte must not re-decode a whole CSV as cp1252."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.connectors.csvio import detect_encoding, iter_csv
from closeknit.connectors.importer import import_path
from closeknit.connectors.vendor_csv import import_vendor_csv, inspect
from closeknit.errors import ValidationError
from closeknit.store import Store, open_store

UTF8_WITH_STRAY_BYTE = (
    b"handle,name,followers,country\n"
    + "jose,José Müller,1200,España\n".encode()
    + b"bad,Caf\xe9 Stray,900,France\n"  # one cp1252 byte in a UTF-8 file
    + "zoe,Zoë Ørsted,26.1K,Danmark\n".encode()
)


def test_stray_byte_quarantines_its_row_and_keeps_the_rest_utf8(
    store: Store, tmp_path: Path
) -> None:
    f = tmp_path / "creators-2024-05.csv"
    f.write_bytes(UTF8_WITH_STRAY_BYTE)
    assert detect_encoding(f) == "utf-8-sig"
    res = import_vendor_csv(store, "default", f, platform="instagram")
    assert (res.n_input, res.n_loaded, res.n_quarantined) == (3, 2, 1)
    rows = {r["handle"]: r for r in store.query("SELECT * FROM creators")}
    assert rows["jose"]["name"] == "José Müller" and rows["jose"]["country"] == "ES"
    assert rows["zoe"]["name"] == "Zoë Ørsted" and rows["zoe"]["followers"] == 26_100
    (q,) = store.query("SELECT * FROM quarantine")
    assert (q["line"], q["field"], q["level"]) == (3, "name", "rejected")
    assert q["reason"] == (
        "name is not UTF-8 text (byte 0xE9); name the text encoding if the whole file is in "
        'another one: "Caf\\xe9 Stray"'
    )
    assert "Caf\\\\xe9" in q["raw"]  # the raw row (JSON) shows the byte, it is not dropped


def test_cli_exits_zero_and_reports_the_quarantined_row(tmp_path: Path) -> None:
    f = tmp_path / "creators-2024-05.csv"
    f.write_bytes(UTF8_WITH_STRAY_BYTE)
    db = tmp_path / "cli.duckdb"
    r = CliRunner().invoke(app, ["import", "vendor-csv", str(f), "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["loaded"], out["quarantined"]) == (2, 1)
    st = open_store(db)
    try:
        assert st.scalar("SELECT name FROM creators WHERE handle = 'jose'") == "José Müller"
    finally:
        st.close()


def test_encoding_option_reads_a_mixed_file_as_asked(tmp_path: Path) -> None:
    f = tmp_path / "latin.csv"
    f.write_bytes(UTF8_WITH_STRAY_BYTE)
    db = tmp_path / "cli.duckdb"
    r = CliRunner().invoke(
        app,
        ["import", "vendor-csv", str(f), "--encoding", "cp1252", "--db", str(db), "--json"],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["loaded"] == 3  # as asked: every byte is cp1252 text
    st = open_store(db)
    try:
        assert st.scalar("SELECT name FROM creators WHERE handle = 'bad'") == "Café Stray"
    finally:
        st.close()
    r = CliRunner().invoke(
        app, ["import", "vendor-csv", str(f), "--encoding", "klingon", "--db", str(db)]
    )
    assert r.exit_code != 0 and "unknown text encoding" in r.output


def test_a_whole_cp1252_file_is_read_as_cp1252(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "excel.csv"
    f.write_bytes(
        "Usuario;Nombre;Seguidores;País\r\njose;José Müller;1200;España\r\n".encode("cp1252")
    )
    assert detect_encoding(f) == "cp1252"
    assert inspect(f, platform="instagram")["encoding"] == "cp1252"
    res = import_vendor_csv(store, "default", f, platform="instagram")
    assert (res.n_loaded, res.n_quarantined) == (1, 0)
    row = store.query("SELECT * FROM creators")[0]
    assert (row["name"], row["country"]) == ("José Müller", "ES")


def test_cp1252_bytes_beside_real_utf8_is_not_cp1252(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    # cp1252 could decode every byte here, but "ü" is a valid UTF-8 sequence: UTF-8 it is
    f.write_bytes(b"a,b\n" + b"\xe9,1\n" + "ü,2\n".encode())
    assert detect_encoding(f) == "utf-8-sig"
    # a byte cp1252 does not define (0x81) cannot make a file "provably cp1252"
    f.write_bytes(b"a,b\n\xe9,1\n\x81,2\n")
    assert detect_encoding(f) == "utf-8-sig"


def test_utf16_with_bom_is_read(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "unicode-text.tsv"
    f.write_bytes("handle\tname\tfollowers\r\nana\tAñá\t5\r\n".encode("utf-16"))
    assert detect_encoding(f) == "utf-16"
    res = import_vendor_csv(store, "default", f, platform="tiktok")
    assert res.n_loaded == 1
    assert store.scalar("SELECT name FROM creators") == "Añá"


def test_undecodable_header_is_one_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "h.csv"
    f.write_bytes(b"handle," + b"caf\xe9\n" + "ana,é\n".encode())
    with pytest.raises(ValidationError, match=r"line 1: header cell 2 is not UTF-8 text"):
        iter_csv(f)


def test_other_csv_importers_quarantine_the_row_too(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "snap.csv"
    f.write_bytes(
        b"platform,handle,date,followers\n"
        + "instagram,señor,2024-01-01,10\n".encode()
        + b"instagram,se\xf1or,2024-01-02,11\n"
    )
    res = import_path(store, "default", "snapshots", f)
    assert (res.n_loaded, res.n_quarantined) == (1, 1)
    assert store.scalar("SELECT creator_id FROM follower_snapshots") == "instagram:señor"
    assert store.scalar("SELECT field FROM quarantine") == "handle"
