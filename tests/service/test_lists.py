"""Saved lists: create, add, note, remove, export, delete; each workspace sees only its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from closeknit.errors import NotFound, ValidationError
from closeknit.service import lists as svc
from closeknit.store import open_store
from tests.api.seeding import build_template


def test_list_lifecycle_and_isolation(tmp_path: Path) -> None:
    a, b = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        lst = svc.create_list(
            st, a.workspace, svc.ListIn(name=" Launch shortlist ", notes="for May"),
            actor="user:x", creators=[f"@{a.handles[2]}", a.creators[3], a.creators[3]],
        )  # fmt: skip
        assert lst.name == "Launch shortlist" and lst.notes == "for May"
        assert [c.creator_id for c in lst.creators] == [a.creators[2], a.creators[3]]
        c = lst.creators[0]
        assert c.fee_low is not None and c.fee_low <= (c.fee_mid or 0) <= (c.fee_high or 0)
        lst = svc.add_to_list(
            st, a.workspace, lst.list_id,
            svc.AddToListIn(creators=[a.creators[4]], note="great reels"), actor="user:x",
        )  # fmt: skip
        assert [c.note for c in lst.creators] == [None, None, "great reels"]
        lst = svc.set_item_note(
            st, a.workspace, lst.list_id, a.creators[2], svc.ItemNoteIn(note="media kit asked"),
            actor="user:x",
        )  # fmt: skip
        rows = svc.export_rows(st, a.workspace, lst.list_id, actor="user:x")
        assert rows[0]["handle"] == a.handles[2] and rows[0]["note"] == "media kit asked"
        assert list(rows[0]) == list(svc.EXPORT_COLUMNS)
        assert rows[0]["currency"] == "USD"  # the fees' currency, in every row
        lst = svc.remove_from_list(st, a.workspace, lst.list_id, a.creators[3], actor="user:x")
        assert len(lst.creators) == 2
        summary = svc.list_lists(st, a.workspace)
        assert any(s.list_id == lst.list_id and s.n_creators == 2 for s in summary)
        # the other workspace sees none of it, and cannot add its creators to it
        assert lst.list_id not in {s.list_id for s in svc.list_lists(st, b.workspace)}
        with pytest.raises(NotFound):
            svc.get_list(st, b.workspace, lst.list_id)
        with pytest.raises(NotFound):
            svc.add_to_list(
                st, a.workspace, lst.list_id, svc.AddToListIn(creators=[b.creators[0]]),
                actor="user:x",
            )  # fmt: skip
        actions = {
            r["action"]
            for r in st.query(
                "SELECT action FROM audit_log WHERE workspace_id = ? AND object_id = ?",
                [a.workspace, lst.list_id],
            )
        }
        assert {"list_create", "list_add", "list_note", "list_remove", "export"} <= actions
        svc.delete_list(st, a.workspace, lst.list_id, actor="user:x")
        with pytest.raises(NotFound):
            svc.get_list(st, a.workspace, lst.list_id)
        with pytest.raises(ValueError, match="needs a name"):
            svc.ListIn(name="   ")
        with pytest.raises(ValidationError):
            svc.update_list(st, a.workspace, a.list_id, svc.ListPatch(name=" "), actor="x")
    finally:
        st.close()


def test_an_empty_list_id_is_no_list(tmp_path: Path) -> None:
    """'' read as "no filter": the newest list answered, and an add wrote an orphan row."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        svc.create_list(st, a.workspace, svc.ListIn(name="B"), actor="user:x")
        for bad in ("", "  ", None):
            with pytest.raises(NotFound, match="no list"):
                svc.get_list(st, a.workspace, bad)  # type: ignore[arg-type]
            with pytest.raises(NotFound, match="no list"):
                svc.add_to_list(st, a.workspace, bad, svc.AddToListIn(creators=[a.creators[0]]),  # type: ignore[arg-type]
                                actor="user:x")  # fmt: skip
        assert st.scalar("SELECT count(*) FROM creator_list_items WHERE list_id = ''") == 0
    finally:
        st.close()


def test_exports_import_back_as_the_same_creators(tmp_path: Path) -> None:
    """A list export wrote '@anna' (escaped "'@anna" for spreadsheets) and re-imported with its
    tier column as the handles (two creators became one called 'nano'); creators.csv
    re-imported with the creator_id column as every name, and percentiles, scores and the
    audience sample as engagement, shares and followers."""
    from closeknit.connectors.vendor_csv import import_vendor_csv
    from closeknit.report.tables import csv_text
    from closeknit.service import creators as csvc

    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        lst = svc.create_list(
            st, a.workspace, svc.ListIn(name="short"), actor="user:x", creators=a.creators[:4]
        )
        f = tmp_path / "list.csv"
        f.write_text(csv_text(svc.export_rows(st, a.workspace, lst.list_id, actor="user:x")))
        import_vendor_csv(st, "rt-list", f)
        rows = csvc.export_creators(st, a.workspace, csvc.CreatorsQuery(limit=500), actor="x")
        g = tmp_path / "creators.csv"
        g.write_text(csv_text([r.to_json() for r in rows], list(csvc.CreatorRow.model_fields)))
        import_vendor_csv(st, "rt-all", g)
        cols = "creator_id, platform, handle, name, followers, country"
        q = f"SELECT {cols} FROM creators WHERE workspace_id = ? ORDER BY creator_id"
        want = st.query(q, [a.workspace])
        assert st.query(q, ["rt-all"]) == want
        got = st.query(q, ["rt-list"])
        assert got == [w for w in want if w["creator_id"] in set(a.creators[:4])]
        extra = st.query("SELECT extra FROM creators WHERE workspace_id = 'rt-all'")
        # the scores stay the exporter's extra columns, not vendor engagement or shares
        assert all("eng_avg" not in str(e["extra"]) for e in extra)
        assert all("avg_shares" not in str(e["extra"]) for e in extra)
    finally:
        st.close()


@pytest.mark.parametrize("bad", ["x\x00y", "two\nlines", "tab\there"])
def test_a_name_is_one_line_of_visible_text(bad: str) -> None:
    """'x\\x00y' was stored as a list's name and came back in every export."""
    from closeknit.service import campaigns, workspaces

    with pytest.raises(ValidationError, match="name"):
        svc.ListIn(name=bad)
    with pytest.raises(ValidationError, match="name"):
        campaigns.CampaignIn(name=bad)
    with pytest.raises(ValidationError, match="name"):
        workspaces.WorkspaceIn(workspace="w", name=bad)


def test_a_note_or_a_removal_moves_the_list_up(tmp_path: Path) -> None:
    """Lists show most recently changed first; a note's change left the list where it was."""
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        one = svc.create_list(st, a.workspace, svc.ListIn(name="one"), actor="user:x",
                              creators=[a.creators[0], a.creators[1]])  # fmt: skip
        two = svc.create_list(st, a.workspace, svc.ListIn(name="two"), actor="user:x")
        assert [s.list_id for s in svc.list_lists(st, a.workspace)][0] == two.list_id
        was = one.updated_at
        one = svc.set_item_note(st, a.workspace, one.list_id, a.creators[0],
                                svc.ItemNoteIn(note="asked for rates"), actor="user:x")  # fmt: skip
        assert was is not None and one.updated_at is not None and one.updated_at > was
        assert [s.list_id for s in svc.list_lists(st, a.workspace)][0] == one.list_id
        svc.add_to_list(st, a.workspace, two.list_id, svc.AddToListIn(creators=[a.creators[2]]),
                        actor="user:x")  # fmt: skip
        svc.remove_from_list(st, a.workspace, one.list_id, a.creators[1], actor="user:x")
        assert [s.list_id for s in svc.list_lists(st, a.workspace)][0] == one.list_id
    finally:
        st.close()


def test_an_unknown_list_or_brief_suggests_the_closest(tmp_path: Path) -> None:
    """A saved plan's 404 named the closest ids; a list's and a brief's said only "no list X"."""
    from closeknit.service import briefs

    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb")
    try:
        lst = svc.create_list(st, a.workspace, svc.ListIn(name="one"), actor="user:x")
        with pytest.raises(NotFound) as e:
            svc.get_list(st, a.workspace, lst.list_id[:-1])
        assert e.value.details["suggestions"] == [lst.list_id]
        assert f"did you mean {lst.list_id}?" in e.value.message
        b = briefs.create_brief(st, a.workspace, briefs.NewBriefIn(text="vegan snacks"),
                              actor="user:x")  # fmt: skip
        with pytest.raises(NotFound) as e:
            briefs.get_brief(st, a.workspace, b.brief_id[:-1] + "x")
        assert e.value.details["suggestions"] == [b.brief_id]
    finally:
        st.close()
