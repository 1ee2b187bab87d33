"""``closeknit audience score``: any follower export, bad input, and the same estimate on every
path (audience score on JSONL or CSV, the audience import + feature build, the Python API)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.connectors.audience import import_samples, instagram_profile
from closeknit.errors import ValidationError
from closeknit.features import audience, build
from closeknit.features.models import account_model
from closeknit.service.audience import ScoreIn, score_file
from closeknit.store import Store, open_store
from closeknit.world import audience as waud
from tests.features import factory as F

runner = CliRunner()


def _profiles(n_fake: int, n_inactive: int, n_real: int) -> list[dict[str, object]]:
    mids = np.concatenate(
        [
            waud.member_id(waud.FAKE_POOL_ID, np.arange(n_fake)),
            waud.member_id(waud.INACTIVE_POOL_ID, np.arange(n_inactive)),
            waud.member_id(7, np.arange(n_real)),
        ]
    )
    return [json.loads(t) for t in waud.member_profiles(3, mids)]


def _csv(rows: list[dict[str, object]], path: Path) -> Path:
    flat = pd.DataFrame([instagram_profile(p) for p in rows])
    flat.to_csv(path, index=False)
    return path


def test_the_same_estimate_on_every_path(store: Store, tmp_path: Path) -> None:
    profs = _profiles(12, 6, 62)
    jl = tmp_path / "followers.jsonl"
    jl.write_text(
        "".join(
            json.dumps({"creator": "instagram:host", "relation": "follower", "profile": p}) + "\n"
            for p in profs
        ),
        encoding="utf-8",
    )
    a = score_file(store, "default", ScoreIn(path=jl))
    b = score_file(store, "default", ScoreIn(path=_csv(profs, tmp_path / "followers.csv")))
    c = audience.estimate(pd.DataFrame([instagram_profile(p) for p in profs]), account_model())
    F.creator(store, "host", 5_000)
    import_samples(store, "default", jl)
    build(store, "default")
    f = store.query("SELECT * FROM creator_features WHERE creator_id = 'instagram:host'")[0]
    assert c is not None and a.n == b.n == c.n == f["audience_sample_size"] == 80
    for k in ("fake", "inactive", "real"):
        vals = [getattr(a, f"{k}_share"), getattr(b, f"{k}_share"), getattr(c, f"{k}_share"),
                f[f"audience_{k}_share"]]  # fmt: skip
        assert max(vals) - min(vals) < 1e-12, (k, vals)
        assert getattr(a, f"{k}_lo") == pytest.approx(f[f"audience_{k}_lo"], abs=1e-12)
        assert getattr(a, f"{k}_hi") == pytest.approx(f[f"audience_{k}_hi"], abs=1e-12)
    assert abs(a.fake_share - 12 / 80) < 0.1
    # how well the sample fits the labelled populations: the same on every path too
    ev = json.loads(f["evidence"])["audience"]
    assert a.lack_of_fit == b.lack_of_fit == ev["lack_of_fit"] == round(c.lack_of_fit or 0, 4)
    assert a.unlike_sources is b.unlike_sources is ev["unlike_sources"] is False
    assert a.shift == b.shift == ev["shift"] == round(c.shift, 4)


def test_synonyms_unknown_columns_and_quarantined_rows(store: Store, tmp_path: Path) -> None:
    rows = [instagram_profile(p) for p in _profiles(5, 0, 25)]
    df = pd.DataFrame(rows).rename(
        columns={"handle": "Username", "followers": "Follower Count", "posts_count": "posts"}
    )
    df["Score From Vendor"] = 7
    df = df.drop(columns=["is_verified"])
    df = df.astype(object)
    df.loc[3, "Follower Count"] = "lots"
    df.loc[7, "is_private"] = "maybe"
    path = tmp_path / "export.csv"
    df.to_csv(path, index=False)
    res = score_file(store, "default", ScoreIn(path=path))
    # an unreadable count rejects its row; an unreadable flag leaves only that flag unknown
    # (the row is used, and the result says which row and field)
    assert (res.n_rows, res.n_used, res.n_rejected, res.n) == (30, 29, 1, 29)
    assert res.columns_used["follower count"] == "followers"
    assert "score from vendor" in res.columns_ignored
    assert res.fields_missing == ["is_verified"]
    assert {(r.line, r.field) for r in res.rejected} == {(5, "follower count")}  # header: 1
    assert res.n_warnings == 1 and [(w.line, w.field) for w in res.warnings] == [(9, "is_private")]
    q = store.query("SELECT file, line, field, reason FROM quarantine ORDER BY line")
    assert [(r["line"], r["field"]) for r in q] == [(5, "follower count")]
    assert all(r["file"] == str(path) for r in q)
    again = score_file(store, "default", ScoreIn(path=path))  # quarantined once, not twice
    assert again.n_rejected == 1 and again.quarantine_batch is None
    assert store.scalar("SELECT count(*) FROM quarantine") == 1


def test_a_column_mapped_twice_is_refused() -> None:
    from closeknit.errors import ValidationError
    from closeknit.service.audience import parse_maps

    assert parse_maps(["a=handle", "a=handle", "b=followers"]) == {"a": "handle", "b": "followers"}
    with pytest.raises(ValidationError, match="mapped twice"):
        parse_maps(["a=handle", "a=followers"])


def test_the_usual_export_shapes_give_the_same_estimate(store: Store, tmp_path: Path) -> None:
    """Instaloader's CSV (followees, mediacount), a camelCase export, flat Graph-API-style
    objects (a username and a biography but counts as plain numbers, not Instagram's web edges)
    as JSON lines and as one JSON array: every field read, the same estimate as the canonical
    columns."""
    rows = [instagram_profile(p) for p in _profiles(6, 3, 31)]
    base = score_file(store, "default", ScoreIn(path=_csv(_profiles(6, 3, 31), tmp_path / "a.csv")))
    names = {"handle": "username", "bio": "biography", "following": "followees",
             "posts_count": "mediacount"}  # fmt: skip
    loader = pd.DataFrame(rows).rename(columns=names)
    loader.to_csv(tmp_path / "loader.csv", index=False)
    camel = pd.DataFrame(rows).rename(
        columns={
            "followers": "followersCount",
            "following": "followingCount",
            "posts_count": "mediaCount",
            "full_name": "fullName",
        }  # fmt: skip
    )
    camel.to_csv(tmp_path / "camel.csv", index=False)
    graph = [
        {
            "username": r["handle"],
            "name": r["full_name"],
            "biography": r["bio"],
            "followers_count": r["followers"],
            "follows_count": r["following"],
            "media_count": r["posts_count"],
            "has_profile_pic": r["has_profile_pic"],
            "is_private": r["is_private"],
            "is_verified": r["is_verified"],
            "has_external_url": r["has_external_url"],
        }  # fmt: skip
        for r in rows
    ]
    (tmp_path / "graph.jsonl").write_text(
        "".join(json.dumps(g) + "\n" for g in graph), encoding="utf-8"
    )
    (tmp_path / "graph.json").write_text(json.dumps(graph, indent=2), encoding="utf-8")
    for name in ("loader.csv", "camel.csv", "graph.jsonl", "graph.json"):
        got = score_file(store, "default", ScoreIn(path=tmp_path / name))
        assert got.n == base.n == 40, name
        assert got.fields_missing == [], (name, got.fields_missing)
        assert got.fake_share == pytest.approx(base.fake_share, abs=1e-12), name
        assert (got.fake_lo, got.fake_hi) == pytest.approx((base.fake_lo, base.fake_hi)), name
    got = score_file(store, "default", ScoreIn(path=tmp_path / "loader.csv"))
    assert got.columns_used["followees"] == "following"
    assert got.columns_used["mediacount"] == "posts_count"
    # a bad element of a JSON array is quarantined by the line where it starts
    graph[2]["followers_count"] = "lots"
    (tmp_path / "bad.json").write_text(json.dumps(graph, indent=2), encoding="utf-8")
    bad = score_file(store, "default", ScoreIn(path=tmp_path / "bad.json"))
    assert bad.n_rejected == 1 and bad.n == 39
    text = (tmp_path / "bad.json").read_text(encoding="utf-8")
    line = text[: text.index('"lots"')].rfind("{")
    assert bad.rejected[0].line == text.count("\n", 0, line) + 1
    assert bad.rejected[0].field == "followers_count"


def test_no_usable_column_names_the_columns_found(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,score,country\n1,0.3,GB\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Columns found: id, score, country"):
        score_file(store, "default", ScoreIn(path=path))
    req = ScoreIn(path=_csv(_profiles(2, 0, 8), tmp_path / "y.csv"),
                  map={"followers": "following", "following": "followers"})  # fmt: skip
    mapped = score_file(store, "default", req)
    assert mapped.columns_used["followers"] == "following"


def test_cli_json_shape_and_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "c.duckdb")
    path = _csv(_profiles(4, 2, 30), tmp_path / "f.csv")
    r = runner.invoke(app, ["audience", "score", str(path), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert list(d)[:7] == ["n", "fake_share", "fake_lo", "fake_hi", "inactive_share",
                           "real_share", "method"]  # fmt: skip
    assert d["n"] == 36 and d["fake_lo"] <= d["fake_share"] <= d["fake_hi"]
    r = runner.invoke(app, ["audience", "score", str(path), "--db", db])
    assert r.exit_code == 0 and "fake/bot" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    # each population's weight and what it alone reads, not a bare "instafake 100%"
    assert "(weight " in r.stdout and "% fake)" in " ".join(r.stdout.split())
    other = tmp_path / "o.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    r = runner.invoke(app, ["audience", "score", str(other), "--db", db, "--json"])
    assert r.exit_code != 0
    err = json.loads(r.stdout)["error"]
    assert err["type"] == "ValidationError" and "a, b" in err["message"]
    r = runner.invoke(app, ["audience", "score", str(path), "--db", db, "--map", "nope"])
    assert r.exit_code != 0 and "COLUMN=FIELD" in r.output
    r = runner.invoke(app, ["audience", "score", str(path), "--db", db, "--format", "xml"])
    assert r.exit_code != 0 and "csv or jsonl" in r.output


def test_an_estimate_the_fields_cannot_pin_down_is_said_to_be_too_thin(tmp_path: Path) -> None:
    """A follower list of a handle and two flags read "36.6% fake [2.3%, 71.6%]" where 4.8%
    was true, the point value shown as if it meant something, and "ok"."""
    from closeknit.service.audience import WIDE_INTERVAL, thin_reason

    assert thin_reason(500, 0.08, 0.12) is None
    assert "spans 69 points" in str(thin_reason(500, 0.023, 0.716))
    assert "under the" in str(thin_reason(5, 0.0, 0.1))
    assert WIDE_INTERVAL == 0.3
    db = str(tmp_path / "c.duckdb")
    few = _csv(_profiles(4, 2, 30)[:8], tmp_path / "few.csv")
    r = runner.invoke(app, ["audience", "score", str(few), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["status"] == "thin" and "accounts, under the" in d["thin_reason"]
    r = runner.invoke(app, ["audience", "score", str(few), "--db", db])
    assert "too thin to judge (8 accounts, under the" in " ".join(r.stdout.split())


def test_a_list_without_counts_read_otherwise_by_another_population_is_thin(
    tmp_path: Path,
) -> None:
    """A tester's 79 followers as handles and two flags read 62.5% fake [45.5, 80.4] from
    InstaFake's table, status 'ok'-looking, while Kaggle's table, seeing the same two fields,
    read 33.4% and the accounts' full profiles 23.0%: without counts a good fit does not say
    which population a list is like, and the other reading is said."""
    from closeknit.service.audience import thin_reason

    both = [
        {"source": "instafake", "fake_share": 0.6, "fields_seen": ["handle", "is_private"]},
        {"source": "kaggle", "fake_share": 0.334, "fields_seen": ["handle", "is_private"]},
    ]
    said = thin_reason(79, 0.455, 0.804, both, counts_given=False)
    assert said is not None and "Kaggle's 33.4%" in said and "counts" in said, said
    # with counts the fit tells the population; a reading inside the interval says nothing;
    # a source seeing one field reads noise (the picture flag alone: 100%)
    assert thin_reason(79, 0.455, 0.6, both, counts_given=True) is None
    assert thin_reason(79, 0.33, 0.62, both, counts_given=False) is None
    noise = [both[0], {"source": "purba", "fake_share": 1.0, "fields_seen": ["has_profile_pic"]}]
    assert thin_reason(79, 0.455, 0.7, noise, counts_given=False) is None
    d = score_file(
        open_store(tmp_path / "c.duckdb", create=True),
        "default",
        ScoreIn(path=Path(__file__).parents[1] / "fixtures" / "audience" / "handles_two_flags.csv"),
    )
    assert d.status == "thin" and d.thin_reason is not None
    assert "Kaggle's" in d.thin_reason, d.thin_reason
    assert {s.source: s.fields_seen for s in d.sources}["kaggle"] == ["handle", "is_private"]


def test_a_shifted_export_says_its_interval_carries_the_sources_disagreement(
    tmp_path: Path,
) -> None:
    """100 fakes and 900 real followers of whom 360 show no picture fit no labelled source
    well: the JSON carries the between-population term, and the text says the intervals were
    widened by it; an ordinary export carries none."""
    db = str(tmp_path / "c.duckdb")
    rows = [instagram_profile(p) for p in _profiles(100, 0, 900)]
    for r in rows[100:460]:
        r["has_profile_pic"] = False
    odd = tmp_path / "odd.csv"
    pd.DataFrame(rows).to_csv(odd, index=False)
    r = runner.invoke(app, ["audience", "score", str(odd), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["shift"] > 0.005 and d["lack_of_fit"] > 0.06
    r = runner.invoke(app, ["audience", "score", str(odd), "--db", db])
    assert r.exit_code == 0 and "intervals widened by the labelled sources'" in r.stdout
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
    usual = _csv(_profiles(100, 0, 900), tmp_path / "usual.csv")
    r = runner.invoke(app, ["audience", "score", str(usual), "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["shift"] == 0.0


def test_a_map_in_the_other_commands_order_is_read_the_same(store: Store, tmp_path: Path) -> None:
    """`import vendor-csv --map` takes FIELD=COLUMN and `audience score --map` COLUMN=FIELD:
    one side being a field name, either order now maps the same column."""
    from closeknit.connectors.vendor_csv import parse_map

    frame = pd.DataFrame([instagram_profile(p) for p in _profiles(2, 0, 8)])
    path = tmp_path / "renamed.csv"
    frame.rename(columns={"followers": "Fans (IG)"}).to_csv(path, index=False)
    a = score_file(store, "default", ScoreIn(path=path, map={"Fans (IG)": "followers"}))
    b = score_file(store, "default", ScoreIn(path=path, map={"followers": "Fans (IG)"}))
    assert a.columns_used == b.columns_used and a.columns_used["fans (ig)"] == "followers"
    assert a.fake_share == b.fake_share
    assert parse_map(["IG Fans=followers", "following=IG Following"]) == {
        "followers": "IG Fans", "following": "IG Following"}  # fmt: skip
