"""`discover --like` with no lookalike prints why, as the API and the web say it (the
service's ``empty_reason``): it printed only the niche-and-market note, with no count, no
reason and no way to widen the search."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import open_store
from tests.match.conftest import load_creators


def test_discover_like_with_no_lookalike_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    db = tmp_path / "like.duckdb"
    st = open_store(db, create=True)
    load_creators(st)
    with st.transaction() as tx:  # homefit_us in another niche, the GB audiences elsewhere
        tx.insert_rows(
            "creator_niche",
            [dict(workspace_id="default", creator_id=f"instagram:{h}", niche=n, model="t")
             for h, n in (("gamer_us", "gaming"), ("homefit_us", "fitness"))],
        )  # fmt: skip
    st.close()
    r = CliRunner().invoke(app, ["discover", "--like", "@gamer_us", "--db", str(db)])
    assert r.exit_code == 0, r.output
    out = " ".join(r.output.split())
    assert "no lookalike of @gamer_us found" in out
    assert "all 5 creators nearest it" in out
    assert "ask for lookalikes outside the creator's niche and market" in out
