"""The Python facade as a notebook meets it: opening a store, frames of plain lists, a
notebook's column as a list field, and whether a plan was saved."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import closeknit as ck
from closeknit.errors import NotFound, StoreError, ValidationError


def test_open_store_refuses_a_missing_file_unless_asked_to_create(tmp_path: Path) -> None:
    """`ck.open_store("typo.duckbd")` made an empty store (even in a missing folder) and
    discover said "no creators yet"; the CLI refuses a missing --db. Now the facade says the
    path, leaves nothing behind, and makes a store only when asked."""
    for missing in (tmp_path / "typo.duckbd", tmp_path / "nonexist" / "x.duckdb"):
        for kw in ({}, {"read_only": True}):
            with pytest.raises(StoreError, match="no store at") as e:
                ck.open_store(missing, **kw)
            assert str(missing) in e.value.message and e.value.details["path"] == str(missing)
        assert not missing.exists() and not Path(f"{missing}.cache").exists()
    assert not (tmp_path / "nonexist").exists()
    made = tmp_path / "new" / "s.duckdb"
    ck.open_store(made, create=True).close()
    assert made.exists()
    st = ck.open_store(str(made))  # an existing store opens without the flag
    try:
        assert ck.list_workspaces(st)[0].workspace_id == "default"
    finally:
        st.close()
    ck.open_store(":memory:").close()


@pytest.fixture
def st(small_world: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "w.duckdb"
    shutil.copy(small_world, db)
    s = ck.open_store(db)
    yield s
    s.close()


def test_to_frame_of_a_list_of_values_is_one_column(st: ck.Store) -> None:
    """`to_frame("notes")` raised pandas' bare TypeError (json_normalize of strings)."""
    p = ck.make_plan(st, "default", {"text": "sustainable fashion", "budget": 3000})
    df = p.to_frame("notes")
    assert list(df.columns) == ["notes"] and df["notes"].tolist() == p.notes
    d = ck.discover(st, "default", {"text": "sustainable fashion"})
    assert list(d.to_frame("notes").columns) == ["notes"]
    assert len(d.to_frame()) == len(d.results)  # the rows are still the default
    with pytest.raises(ValidationError, match="no list of rows"):
        p.to_frame("bogus")


def test_a_notebook_column_is_a_list_field_of_a_request(st: ck.Store) -> None:
    """`CompareIn(creators=series)` and `{"creators": tuple(...)}` were refused ("Input
    should be a valid list") although the bare list arguments took them."""
    hs = [f"@{r['handle']}" for r in st.query("SELECT handle FROM creators LIMIT 2")]
    want = [r.creator_id for r in ck.compare(st, "default", ck.CompareIn(creators=hs))]
    for given in (pd.Series(hs), tuple(hs), np.array(hs)):
        req = ck.CompareIn(creators=given)
        assert req.creators == hs
        assert [r.creator_id for r in ck.compare(st, "default", req)] == want
        assert [r.creator_id for r in ck.compare(st, "default", {"creators": given})] == want
    assert ck.FeesIn(creators=tuple(hs)).creators == hs
    assert ck.AddCreatorsIn(creators=pd.Series(hs)).creators == hs
    assert ck.AddToListIn(creators=np.array(hs)).creators == hs
    assert ck.PlanIn(text="x", budget=100, lock=tuple(hs)).lock == hs
    with pytest.raises(ValidationError):  # one handle is still not a list of its letters
        ck.CompareIn(creators=hs[0])
    with pytest.raises(ValidationError):
        ck.FeesIn(creators=pd.Series([1.5, 2.5]))  # numbers are not handles


def test_a_plan_says_whether_it_was_saved(st: ck.Store) -> None:
    """An unsaved plan had a plan_id get_plan could not find, and nothing said so."""
    p = ck.make_plan(st, "default", {"text": "sustainable fashion", "budget": 3000})
    assert p.saved is False
    with pytest.raises(NotFound):
        ck.get_plan(st, "default", p.plan_id)
    s = ck.make_plan(st, "default", {"text": "sustainable fashion", "budget": 3000, "save": True})
    assert s.saved is True
    back = ck.get_plan(st, "default", s.plan_id)
    assert back.saved is True and back == s
