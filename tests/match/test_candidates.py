"""discover's columnar candidate table: same results as the per-row definitions, never stale."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from closeknit.features.fees import estimate_fees, set_rate
from closeknit.match import Brief, discover
from closeknit.match import candidates as cand
from closeknit.match import index as mindex
from closeknit.match.audience import audience_fit
from closeknit.match.rank import (
    DEFAULT_WEIGHTS,
    geo_mean,
    load_demographics,
    load_features,
)
from closeknit.store import Store, open_store
from tests.sql_trace import tables_read


def _add_features(st: Store) -> None:
    st.execute("DELETE FROM creator_features WHERE workspace_id = 'default'")
    rows = [
        ("instagram:homefit_gb", 0.04, 70.0, 80.0, 0.1, ["GymCo"]),
        ("instagram:runner_gb", 0.02, 55.0, 40.0, 0.6, []),
        ("instagram:bakes_gb", 0.03, None, 90.0, None, ["FlourCo"]),
    ]
    with st.transaction() as tx:
        tx.insert_rows(
            "creator_features",
            [
                dict(workspace_id="default", creator_id=c, feature_set_version="t",
                     computed_at=dt.datetime(2026, 1, 1), engagement_rate=er,
                     engagement_quality_score=eq, authenticity_score=au, sponsored_rate=sr,
                     sponsor_brands=sb)
                for c, er, eq, au, sr, sb in rows
            ],
        )  # fmt: skip


BRIEFS = [
    Brief(text="home workout hiit gear", countries=["GB"], audience_age="18-24"),
    Brief(text="marathon running", countries=["GB", "US"], audience_gender="F", budget=90),
    Brief(text="baking cakes", min_authenticity=50, max_sponsored_rate=0.5, competitors=["gymco"]),
    Brief(text="gaming", tiers=["nano", "micro"], exclude=["@lipstick_gb"], languages=["en"]),
    Brief(text="anything at all"),
]


def test_results_equal_the_per_row_definitions(small: Store) -> None:
    """Every returned factor and score equals the per-row functions on the store's rows."""
    _add_features(small)
    for b in BRIEFS:
        r = discover(small, "default", b.validated(), 10)
        ids = [m.creator_id for m in r.matches]
        feats = load_features(small, "default", ids)
        demo = load_demographics(small, "default", ids)
        rows = {
            x["creator_id"]: x
            for x in small.query("SELECT creator_id, platform, followers, country FROM creators")
        }
        assert r.candidates >= len(ids)
        planned = estimate_fees(small, "default", [m.creator_id for m in r.matches])
        for m in r.matches:
            f = feats.get(m.creator_id)
            c = rows[m.creator_id]
            aud, _ = audience_fit(b.validated(), demo.get(m.creator_id), c["country"])
            assert m.factors["audience"] == aud
            assert m.vetted == (f is not None)
            want_eng = (f or {}).get("engagement_quality_score")
            assert m.factors["engagement"] == (None if want_eng is None else want_eng / 100.0)
            # the planner's fee model: the same number the plan will pay
            want_fee = planned[m.creator_id].formats["post"].mid
            assert m.fee_estimate is not None and math.isclose(m.fee_estimate, want_fee)
            assert m.fee_source == planned[m.creator_id].formats["post"].method
            er = (f or {}).get("engagement_rate")
            if er is not None:
                assert m.expected_engagements == er * c["followers"]
            # a missing factor is scored at the median of the candidates that have it (every
            # candidate is returned here: the store has six creators)
            assert r.candidates == len(r.matches)
            for k in m.missing:
                have = [x.factors[k] for x in r.matches if x.factors[k] is not None]
                assert m.imputed.get(k) == (statistics.median(have) if have else None)
            filled = {k: m.imputed.get(k, v) for k, v in m.factors.items()}
            assert math.isclose(m.score, geo_mean(filled, DEFAULT_WEIGHTS), rel_tol=0, abs_tol=0)
        # scores sorted, ties by id
        assert [(-m.score, m.creator_id) for m in r.matches] == sorted(
            (-m.score, m.creator_id) for m in r.matches
        )
    # feature filters and competitor tags on posts and in features
    r = discover(small, "default", BRIEFS[2], 10)
    handles = {m.handle for m in r.matches}
    assert "homefit_gb" not in handles  # GymCo in its features' sponsor brands
    assert "runner_gb" not in handles and r.excluded["authenticity"] == 1
    assert r.excluded["competitor"] == 1


def test_a_data_change_is_picked_up(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    b = Brief(text="marathon running", countries=["GB"])
    first = discover(small, "default", b, 10)
    t1 = cand.get_table(small, "default")
    assert first.matches[0].handle == "runner_gb" and first.matches[0].followers == 5000
    # a follower count changes: the next query sees it (new table, new fee)
    small.execute("UPDATE creators SET followers = 123456 WHERE handle = 'runner_gb'")
    again = discover(small, "default", b, 10)
    t2 = cand.get_table(small, "default")
    assert t2 is not t1 and t2.version != t1.version
    top = next(m for m in again.matches if m.handle == "runner_gb")
    fee_then = estimate_fees(small, "default", ["instagram:runner_gb"])
    assert top.followers == 123456
    assert top.fee_estimate == pytest.approx(fee_then["instagram:runner_gb"].formats["post"].mid)
    # a rate-card override moves discover's fee too (the planner's model is discover's)
    set_rate(
        small, "default", platform="instagram", tier="macro", format="post",
        low=40.0, mid=50.0, high=60.0,
    )  # fmt: skip
    top2 = next(m for m in discover(small, "default", b, 10).matches if m.handle == "runner_gb")
    assert top2.fee_estimate == pytest.approx(
        estimate_fees(small, "default", ["instagram:runner_gb"])["instagram:runner_gb"]
        .formats["post"]
        .mid
    )
    assert top2.fee_estimate != pytest.approx(top.fee_estimate)
    # an audience change moves the audience factor and the country filter
    small.execute(
        "UPDATE audience_demographics SET share = 0.01 WHERE creator_id = 'instagram:bakes_gb' "
        "AND dimension = 'country' AND bucket = 'GB'"
    )
    r = discover(small, "default", Brief(text="baking", countries=["GB"]), 10)
    bake = next(m for m in r.matches if m.handle == "bakes_gb")
    # 1% of the audience in the brief's country: far below the floor of a fitting audience
    assert bake.signals["country_share"] == pytest.approx(0.01)
    assert bake.factors["audience"] is not None and bake.factors["audience"] < 0.05
    # new features vet a creator from the next query on
    _add_features(small)
    r = discover(small, "default", b, 10)
    assert next(m for m in r.matches if m.handle == "runner_gb").vetted
    # with no change the table is reused
    assert cand.get_table(small, "default") is cand.get_table(small, "default")


def test_slow_checks_are_throttled_and_forget_rechecks(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cand, "THROTTLE_ABOVE", 0)  # as if the workspace were large
    # with the store's write signature every call checks (one tiny read): a change shows at once
    t0 = cand.get_table(small, "default")
    small.execute("UPDATE creators SET followers = 6 WHERE handle = 'runner_gb'")
    assert 6 in cand.get_table(small, "default").followers and 6 not in t0.followers
    # without one (an old store opened read-only) the data scan is throttled
    from closeknit.match import persist

    monkeypatch.setattr(persist, "cache_key", lambda store, tables=None: None)
    cand.forget(small)
    t1 = cand.get_table(small, "default")
    small.execute("UPDATE creators SET followers = 7 WHERE handle = 'runner_gb'")
    assert cand.get_table(small, "default") is t1  # trusted for CHECK_EVERY_S
    cand.forget(small)
    t2 = cand.get_table(small, "default")
    assert t2 is not t1 and 7 in t2.followers
    monkeypatch.setattr(cand, "CHECK_EVERY_S", 0.0)
    monkeypatch.setattr(cand, "CHECK_BUDGET", 0.0)
    small.execute("UPDATE creators SET followers = 8 WHERE handle = 'runner_gb'")
    assert 8 in cand.get_table(small, "default").followers


def test_saved_usearch_index_is_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new process loads the saved HNSW file instead of rebuilding it, unless data moved."""
    monkeypatch.setattr(mindex, "USEARCH_MIN", 10)
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    st = open_store(tmp_path / "u.duckdb", create=True)
    rng = np.random.default_rng(0)
    mat = rng.standard_normal((300, 256)).astype(np.float32)
    mat /= np.linalg.norm(mat, axis=1, keepdims=True)
    name = mindex.get_embedder(None).name
    with st.transaction() as tx:
        tx.insert_rows(
            "creator_embeddings",
            [dict(workspace_id="default", creator_id=f"c{i:03d}", model=name,
                  vector=mat[i].tolist(), source_hash=str(i)) for i in range(300)],
        )  # fmt: skip
    built = mindex.refresh(st, "default")
    assert built["rebuilt"] and built["kind"] == "usearch"
    want = mindex.get_index(st, "default").search(mat[5], 5)[0]
    mindex._mem.clear()  # as in a new process
    again = mindex.refresh(st, "default")
    assert again.get("restored") and not again["rebuilt"]
    assert mindex.get_index(st, "default").search(mat[5], 5)[0] == want
    mindex._mem.clear()
    st.execute("UPDATE creator_embeddings SET source_hash = 'x' WHERE creator_id = 'c001'")
    moved = mindex.refresh(st, "default")  # stale file: updated, not restored
    assert not moved.get("restored") and moved["updated"] == 1
    st.close()


def test_the_table_is_keyed_by_the_tables_it_is_built_from(small: Store) -> None:
    # CANDIDATE_TABLES must name every table a build reads (else a write to one would leave a
    # stale table): the SQL of a build, traced, reads no other
    from closeknit.match import persist

    read = tables_read(small, lambda: cand.build(small, "default", "x"))
    assert "creators" in read and read <= set(cand.CANDIDATE_TABLES), read
    # an order leaves the table; a creator's figures rebuild it
    cand.forget()
    first = cand.get_table(small, "default")
    key = persist.cache_key(small, tables=cand.CANDIDATE_TABLES)
    small.execute("DELETE FROM orders WHERE 1 = 0")
    assert persist.cache_key(small, tables=cand.CANDIDATE_TABLES) == key
    assert cand.get_table(small, "default") is first
    small.execute("UPDATE creators SET followers = followers + 1")
    assert cand.get_table(small, "default") is not first


def _canon(x: object) -> object:
    if isinstance(x, np.ndarray):
        return [("nan" if isinstance(v, float) and math.isnan(v) else v) for v in x.tolist()]
    if isinstance(x, dict):
        return {k: _canon(v) for k, v in x.items()}
    if hasattr(x, "__dataclass_fields__"):
        return {k: _canon(v) for k, v in vars(x).items() if k not in _NOT_DATA}
    return x


_NOT_DATA = {"version", "built_s", "_index_rows", "parts", "reused"}


@pytest.mark.parametrize("table", ["creators", "posts"])
def test_any_column_change_that_changes_the_table_moves_its_data_version(
    tmp_path: Path, table: str
) -> None:
    # data_version keys the table where the store has no write signature (an in-memory
    # store): every column a build reads must be in it, or a change is served stale
    from tests.match.conftest import column_edits

    moved = []
    for col, st, edit in column_edits(tmp_path, table, ("workspace_id", "creator_id", "post_id")):
        before = cand.build(st, "default", "x")
        v0 = cand.data_version(st, "default")
        edit()
        if _canon(cand.build(st, "default", "x")) != _canon(before):
            moved.append(col)
            assert cand.data_version(st, "default") != v0, f"{table}.{col}"
    assert "followers" in moved or "likes" in moved  # the check is not vacuous


def test_each_part_reads_only_its_tables(small: Store) -> None:
    # a part is taken from the previous table while PARTS' tables for it have not moved: its
    # SQL must read no other (the creators only for their positions, checked by the ids)
    _add_features(small)
    base = tables_read(small, lambda: cand._base(small, "default", "x"))
    assert base == {"creators"}
    for part, read in cand._READ.items():
        t = cand._base(small, "default", "x")
        got = tables_read(small, lambda read=read, t=t: read(small, "default", t))
        assert got <= {"creators", *cand.PARTS[part]}, (part, got)
        assert got - {"creators"}, part  # the trace sees the part's own table
    assert set(cand._READ) == set(cand.PARTS) == set(cand.PART_FIELDS)


# one write of each kind, and the parts a table built after it takes from the one before
_WRITES = [
    ("UPDATE creators SET followers = followers + 1",
     {"features", "demographics", "niche", "posts"}),
    ("UPDATE creator_features SET engagement_rate = engagement_rate * 2",
     {"demographics", "niche", "posts"}),
    ("UPDATE audience_demographics SET share = share / 2 WHERE bucket = 'GB'",
     {"features", "niche", "posts", "fees"}),
    ("UPDATE posts SET likes = likes + 3, mentions = ['someone']",
     {"features", "demographics", "niche"}),
    ("INSERT INTO creator_niche (workspace_id, creator_id, niche, model) "
     "VALUES ('default', 'instagram:bakes_gb', 'food', 'm')",
     {"features", "demographics", "posts"}),
    ("INSERT INTO creators (workspace_id, creator_id, platform, handle, followers) "
     "VALUES ('default', 'instagram:aaa_new', 'instagram', 'aaa_new', 4000)", set()),
    ("DELETE FROM creators WHERE handle = 'gamer_us'", set()),
]  # fmt: skip


def test_a_table_built_from_the_previous_one_equals_a_fresh_build(small: Store) -> None:
    from closeknit.match import persist

    _add_features(small)
    cand.forget(small)
    cand.get_table(small, "default")
    for sql, kept in _WRITES:
        small.execute(sql)
        t = cand.get_table(small, "default")
        assert set(t.reused) == kept, sql
        fresh = cand.build(small, "default", "x")
        assert _canon(t) == _canon(fresh), sql
        assert t.parts == {p: persist.cache_key(small, tables=tb) for p, tb in cand.PARTS.items()}


def test_a_new_process_takes_the_parts_of_the_saved_table(small: Store) -> None:
    _add_features(small)
    cand.forget(small)
    cand.get_table(small, "default")
    small.execute("UPDATE creators SET followers = 99 WHERE handle = 'runner_gb'")
    cand.forget(small)  # as in a new process: the last table comes from its file
    t = cand.get_table(small, "default")
    assert set(t.reused) == {"features", "demographics", "niche", "posts"}
    assert 99 in t.followers
    assert _canon(t) == _canon(cand.build(small, "default", "x"))
    cand.forget(small)  # and the table saved after it is whole
    again = cand.get_table(small, "default")
    assert again.reused == [] and _canon(again) == _canon(t)


def test_brand_rows_equal_the_per_creator_loop() -> None:
    # the competitor filter's brands per creator, from Arrow lists: the rule of the Python
    # loop it replaced (each list's names lower-cased by Python, each (brand, row) once)
    import random

    import pyarrow as pa

    rnd = random.Random(3)
    names = ["GymCo", "gymco", "GYMCO", "FlourCo", "İstanbulWear", "Straße", "ÉCLAIR", "", "x"]
    lists = [
        None if rnd.random() < 0.1
        else [None if rnd.random() < 0.1 else rnd.choice(names) for _ in range(rnd.randint(0, 4))]
        for _ in range(500)
    ]  # fmt: skip
    rows = np.array(rnd.sample(range(2000), 500), np.int64)
    want: dict[str, set[int]] = {}
    for row, brands in zip(rows.tolist(), lists, strict=True):
        for b in {x.lower() for x in (brands or []) if x is not None}:
            want.setdefault(b, set()).add(row)
    typ = pa.list_(pa.string())
    for col in (
        pa.array(lists, type=typ),
        pa.chunked_array([pa.array(lists[:200], type=typ), pa.array(lists[200:], type=typ)]),
    ):
        got = cand.brand_rows(col, rows)
        assert {k: set(v.tolist()) for k, v in got.items()} == want
        assert all(np.all(np.diff(v) > 0) for v in got.values())  # sorted, each row once
    assert cand.brand_rows(pa.array([], type=typ), rows[:0]) == {}
    assert cand.brand_rows(pa.array([None, []], type=typ), rows[:2]) == {}


def test_a_hidden_follower_count_is_the_one_vetting_measured(small: Store) -> None:
    # a profile that hides its count (a YouTube channel hiding its subscribers) has the one the
    # features measured from its follower snapshots: the table read creators.followers alone,
    # so discover showed the creator's followers, tier and fee blank and no budget could take it
    _add_features(small)
    small.execute("UPDATE creator_features SET followers = 7000")  # its three rows
    small.execute("UPDATE creators SET followers = NULL WHERE handle IN ('bakes_gb', 'gamer_us')")
    cand.forget(small)
    t = cand.get_table(small, "default")
    row = t.index["instagram:bakes_gb"]
    assert t.followers[row] == 7000 and t.tier[row] == "nano" and t.followers_measured[row]
    assert np.isfinite(t.fee[row]) and t.fee[row] > 0
    # with no measured count either (gamer_us has no features row), it stays unknown
    none = t.index["instagram:gamer_us"]
    assert np.isnan(t.followers[none]) and t.tier[none] is None and np.isnan(t.fee[none])
    assert not t.followers_measured[none]
    # the profile's count, where there is one, is the count
    fit = t.index["instagram:homefit_gb"]
    assert t.followers[fit] == 8000 and not t.followers_measured[fit]
    # a new measurement rebuilds the table (and its data version moves)
    v0 = cand.data_version(small, "default")
    small.execute(
        "UPDATE creator_features SET followers = 12000 WHERE creator_id = 'instagram:bakes_gb'"
    )
    assert cand.data_version(small, "default") != v0
    again = cand.get_table(small, "default")
    assert again.followers[row] == 12000 and again.tier[row] == "micro"
    assert _canon(again) == _canon(cand.build(small, "default", "x"))
