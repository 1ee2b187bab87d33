"""`closeknit features build` and `closeknit vet` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.store import open_store
from tests.features import factory as F


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    st = open_store(path, create=True)
    cid = F.creator(st, "Vettee", 12_000, categories=["cooking"])
    pids = F.daily_posts(
        st, cid, 16, likes=300, comments=12, caption="New pan from @panco #ad", mentions=["panco"]
    )
    F.comments(
        st,
        [
            {
                "comment_id": f"instagram:k{i}",
                "post_id": pids[5],
                "author_handle": f"f{i}",
                "text": "delicious!",
            }
            for i in range(12)
        ],
    )
    st.close()
    return path


def test_features_build_and_vet_json(tmp_path: Path) -> None:
    db = _db(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["features", "build", "--db", str(db), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n_recomputed"] == 1
    res = runner.invoke(
        app, ["vet", "@vettee", "--db", str(db), "--json", "--competitors", "PanCo,other"]
    )
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    e = d["engagement"]
    assert e["status"] == "ok" and len(e["posts_used"]) == 12
    assert e["engagement_rate"] == e["posts_used"][0]["er"] == (300 + 12) / 12_000
    assert d["sponsorship"]["competitor_conflicts"][0]["brand"] == "panco"
    assert d["sponsorship"]["disclosed_posts"][0]["markers"] == ["#ad"]
    assert {p["name"] for p in d["scores"]["authenticity"]["parts"]} >= {"audience_not_fake"}
    assert d["two_way"]["comment_sentiment"] == 1.0
    # every part names what it measured and how it reads (the CLI shows "bot comments 0.0%",
    # not a bare 0 beside "human comments")
    for sc in d["scores"].values():
        for p in sc["parts"]:
            assert p["measure"] and p["unit"] in ("share", "change", "number"), p
    res = runner.invoke(app, ["vet", "@vettee", "--db", str(db)])
    assert res.exit_code == 0 and "Engagement" in res.stdout
    assert "comment sentiment" in res.stdout and "sentiment (-1 to +1) 1.00" in res.stdout


def test_vet_unknown_creator_fails_one_line(tmp_path: Path) -> None:
    db = _db(tmp_path)
    res = CliRunner().invoke(app, ["vet", "@nobody", "--db", str(db)])
    assert res.exit_code != 0
    res = CliRunner().invoke(app, ["vet", "@nobody", "--db", str(db), "--json"])
    assert res.exit_code != 0
    assert json.loads(res.stdout)["error"]["type"] == "NotFound"


def test_vet_of_a_channel_that_hides_its_follower_count_reads_in_words(tmp_path: Path) -> None:
    """A YouTube channel may hide its subscriber count: the header read "None followers ·
    tier None" (Python's word for missing, on a page for people)."""
    path = tmp_path / "hidden.duckdb"
    st = open_store(path, create=True)
    F.creator(st, "quietchannel", None, platform="youtube")  # type: ignore[arg-type]
    st.close()
    res = CliRunner().invoke(app, ["vet", "youtube:quietchannel", "--db", str(path)])
    assert res.exit_code == 0, res.output
    head = res.stdout.split("\n\n")[0]
    assert "None" not in res.stdout, head
    assert "follower count not known" in head and "tier –" in head, head
