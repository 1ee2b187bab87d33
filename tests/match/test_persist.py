"""Derived match data persisted per data version (closeknit.match.persist)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from closeknit.match import Brief, discover, persist, rank, vectors
from closeknit.match import candidates as cand
from closeknit.match import index as mindex
from closeknit.match.bm25 import BM25
from closeknit.match.niche import assign_niches
from closeknit.store import Store, open_store
from tests.match.conftest import CREATORS
from tests.sql_trace import tables_read

BRIEFS = [
    Brief(text="home workout hiit gear", countries=["GB"], audience_age="18-24"),
    Brief(text="marathon running", countries=["GB", "US"], audience_gender="F", budget=90),
    Brief(text="baking cakes", competitors=["stridelab"]),
]


def _new_process() -> None:
    """Drop every in-process memo, as a new CLI process starts without them."""
    cand.forget()
    cand._schema.clear()
    mindex._mem.clear()
    mindex._checked.clear()
    vectors._seen.clear()
    rank._evidence_texts.clear()
    rank._bm25_cache.clear()
    rank._evidence_saved.clear()
    persist._content_keys.clear()


def _results(st: Store) -> list[Any]:
    if not st.scalar("SELECT count(*) FROM creator_niche"):
        # discover assigns niches once when there are none (a counted write): do it first
        assign_niches(st, "default")
        _new_process()  # as the CLI: the niches were assigned by an earlier process
    out = []
    for b in BRIEFS:
        r = discover(st, "default", b.validated(), 10)
        out.append(
            [(m.creator_id, m.score, m.fee_estimate, m.factors, m.evidence) for m in r.matches]
        )
    return out


def _no_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if anything is re-derived: the candidate build, the documents, the vector read."""

    def boom(*a: Any, **k: Any) -> Any:
        raise AssertionError("re-derived although the cache was current")

    monkeypatch.setattr(cand, "build", boom)
    monkeypatch.setattr(rank, "creator_texts", boom)
    monkeypatch.setattr(vectors, "creator_texts", boom)
    monkeypatch.setattr(mindex, "creator_matrix", boom)
    monkeypatch.setattr(mindex, "fingerprint", boom)


def test_cache_hit_equals_fresh_computation(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _new_process()
    first = _results(small)  # computes and saves
    cache = Path(str(small.path) + ".cache")
    assert any(cache.rglob("candidates.npz")) and any(cache.rglob("vectors-*.npy"))
    _new_process()
    with monkeypatch.context() as mp:
        _no_derivation(mp)
        hit = _results(small)
    assert hit == first
    t_hit = cand.get_table(small, "default")
    _new_process()
    with monkeypatch.context() as mp:
        mp.setattr(
            persist, "cache_key", lambda store, tables=None: None
        )  # no cache: fresh computation
        fresh = _results(small)
        t_fresh = cand.get_table(small, "default")
    assert hit == fresh
    for a in cand._ARRAYS:
        x, y = getattr(t_hit, a), getattr(t_fresh, a)
        assert x.dtype == y.dtype, a
        if x.dtype == object:
            assert x.tolist() == y.tolist(), a
        else:
            np.testing.assert_array_equal(x, y, err_msg=a)
    assert t_hit.fee_source == t_fresh.fee_source
    assert {k: sorted(v) for k, v in t_hit.demo.items()} == {
        k: sorted(v) for k, v in t_fresh.demo.items()
    }
    for dim, buckets in t_fresh.demo.items():
        for b, sp in buckets.items():
            np.testing.assert_array_equal(t_hit.demo[dim][b].rows, sp.rows)
            np.testing.assert_array_equal(t_hit.demo[dim][b].share, sp.share)
    assert {k: v.tolist() for k, v in t_hit.post_terms.items()} == {
        k: v.tolist() for k, v in t_fresh.post_terms.items()
    }


def test_any_write_invalidates(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _new_process()
    _results(small)
    k0 = persist.cache_key(small, tables=cand.CANDIDATE_TABLES)
    assert persist.load(small, "default", "candidates", k0) is not None
    small.execute("UPDATE creators SET followers = 12345 WHERE handle = 'runner_gb'")
    k1 = persist.cache_key(small, tables=cand.CANDIDATE_TABLES)
    assert k1 != k0
    assert persist.load(small, "default", "candidates", k1) is None  # stale: ignored
    _new_process()
    assert 12345 in cand.get_table(small, "default").followers
    # a caption change reaches the vectors: the refresh runs again at the new version
    with small.transaction() as tx:
        tx.execute("UPDATE posts SET caption = 'sourdough bread baking' WHERE post_id = ?",
                   ["instagram:40"])  # fmt: skip
    _new_process()
    text = vectors.text_key(small, "default")
    assert persist.vectors_fresh(small, "default", "hash-v1", text) is None
    upd = vectors.refresh_creator_vectors(small, "default")
    assert upd.updated == 1


def test_derived_writes_leave_the_signature(small: Store) -> None:
    s0 = small.write_signature()
    assert s0 is not None
    with small.transaction(derived=True) as tx:
        tx.execute("DELETE FROM match_index_state")
    assert small.write_signature() == s0
    with small.transaction() as tx:
        tx.execute("DELETE FROM match_index_state")
    assert small.write_signature() != s0
    s1 = small.write_signature()
    with pytest.raises(RuntimeError), small.transaction() as tx:
        tx.execute("DELETE FROM match_index_state")
        raise RuntimeError("rolled back")
    assert small.write_signature() == s1  # nothing committed, nothing moved


def test_code_change_invalidates(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _new_process()
    _results(small)
    k0 = persist.cache_key(small, tables=cand.CANDIDATE_TABLES)
    monkeypatch.setattr(persist, "_code_md5", "another version of the code")
    k1 = persist.cache_key(small, tables=cand.CANDIDATE_TABLES)
    assert k1 != k0
    assert persist.load(small, "default", "candidates", k1) is None
    text = vectors.text_key(small, "default")
    assert persist.vectors_fresh(small, "default", "hash-v1", text) is None
    _new_process()
    built: list[int] = []
    real = cand.build
    monkeypatch.setattr(cand, "build", lambda *a, **k: built.append(1) or real(*a, **k))
    assert cand.get_table(small, "default").reused == []  # nothing of another code's table
    assert built == [1]


@pytest.mark.parametrize("damage", ["garbage", "truncate", "wrong-arrays"])
def test_corrupted_cache_is_ignored(
    small: Store, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    _new_process()
    first = _results(small)
    cache = Path(str(small.path) + ".cache")
    for p in [*cache.rglob("*.npz"), *cache.rglob("*.npy")]:
        if damage == "garbage":
            p.write_bytes(b"not a numpy file")
        elif damage == "truncate":
            p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
        elif p.name == "candidates.npz":  # readable, right key, wrong contents
            key = persist.cache_key(small, tables=cand.CANDIDATE_TABLES)
            np.savez(p, __key__=np.array(key), **{"a:ids": np.arange(3)})
    _new_process()
    assert _results(small) == first
    _new_process()
    with monkeypatch.context() as mp:  # rewritten: the next process hits again
        _no_derivation(mp)
        assert _results(small) == first


def test_old_store_gets_the_migration(tmp_path: Path) -> None:
    st = open_store(tmp_path / "o.duckdb", create=True)
    with st.transaction(derived=True) as tx:  # as a store written before migration 0002
        tx.execute("DROP TABLE store_writes")
        tx.execute("DELETE FROM schema_migrations WHERE id = '0002_store_writes'")
    st.close()
    ro = open_store(tmp_path / "o.duckdb", read_only=True)
    assert ro.write_signature() is None and persist.cache_key(ro) is None
    ro.close()
    st = open_store(tmp_path / "o.duckdb")
    s0 = st.write_signature()
    assert s0 is not None
    st.execute("CREATE TABLE t (x INT)")
    assert st.write_signature() != s0
    st.close()


def test_fee_model_fit_is_saved_with_the_table(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new process takes the deal fit from the saved table: the plan's fees fit nothing."""
    from closeknit.features import fees
    from closeknit.features.frame import creator_frame

    with small.transaction() as tx:  # enough agreed deals for the regression
        for i, (h, *_rest) in enumerate(CREATORS * 2):
            tx.execute(
                "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, stage, fee) "
                "VALUES ('default', ?, ?, 'paid', ?)",
                [f"c{i}", f"instagram:{h}", 100.0 + 37 * i],
            )
    _new_process()
    fees._deal_models.clear()
    t = cand.get_table(small, "default")
    assert t.fee_source.startswith("deals_regression")
    fr = creator_frame(small, "default", None)
    want = fees.fee_arrays(small, "default", fr, "reel")
    _new_process()
    fees._deal_models.clear()
    with monkeypatch.context() as mp:
        _no_derivation(mp)
        mp.setattr(fees, "_fit_deal_model", lambda *a: pytest.fail("fitted again"))
        assert cand.get_table(small, "default").fee_source == t.fee_source
        got = fees.fee_arrays(small, "default", fr, "reel")
    for a, b in zip(want[:3], got[:3], strict=True):
        np.testing.assert_array_equal(a, b)


def test_served_frames_equal_the_query(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a saved table is loaded, creator frames are row selections equal to the query's."""
    import pandas as pd

    from closeknit.features import frame

    _new_process()
    _results(small)
    small.execute("UPDATE creators SET followers = NULL WHERE handle = 'gamer_us'")
    _new_process()
    frame._full.clear()
    ids = [f"instagram:{h}" for h, *_ in CREATORS]
    subsets = [ids, ids[::-1], ids[:3], [ids[5], "instagram:nobody", ids[5], ids[1]], []]
    want = [frame.creator_frame(small, "default", s) for s in subsets]  # the query
    cand.get_table(small, "default")  # builds and saves
    _new_process()
    frame._full.clear()
    cand.get_table(small, "default")  # loads: frames are served
    assert frame._full
    with monkeypatch.context() as mp:
        mp.setattr(small, "df", lambda *a, **k: pytest.fail("queried"))
        got = [frame.creator_frame(small, "default", s) for s in subsets]
        cols = [frame.creator_columns(small, "default", s) for s in subsets]  # the planner's
    for w, c in zip(want, cols, strict=True):
        ref = frame.frame_arrays(w)
        assert sorted(c) == sorted(ref)
        for k, v in ref.items():
            if v.dtype == object:
                assert frame.filled(c[k], None) == frame.filled(v, None), k
            else:
                assert c[k].dtype == v.dtype and np.array_equal(c[k], v, equal_nan=True), k
    for w, g in zip(want, got, strict=True):
        if w.empty:
            assert g.empty and list(g.columns) == list(w.columns)
            continue
        pd.testing.assert_frame_equal(w.reset_index(drop=True), g.reset_index(drop=True))
    # served across a write to a table the frame is not read from (an order)
    small.execute("DELETE FROM orders WHERE 1 = 0")
    with monkeypatch.context() as mp:
        mp.setattr(small, "df", lambda *a, **k: pytest.fail("queried"))
        frame.creator_frame(small, "default", ids)
    small.execute("UPDATE creators SET followers = 5 WHERE handle = 'gamer_us'")
    assert 5 in frame.creator_frame(small, "default", ids)["followers"].tolist()
    # FRAME_TABLES names every table the frame is read from: traced, no other
    read = tables_read(small, lambda: frame.creator_frame(small, "default", None))
    assert read == set(frame.FRAME_TABLES)


def test_served_frames_age_with_the_utc_day(small: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A frame served from memory ages with the clock like the cache on disk: the engagement
    fallback counts posts older than three days, so a new UTC day queries again."""
    from closeknit.features import frame

    _new_process()
    frame._full.clear()
    cand.get_table(small, "default")
    _new_process()
    frame._full.clear()
    cand.get_table(small, "default")  # loads: frames are served
    assert frame._full
    ids = [f"instagram:{h}" for h, *_ in CREATORS]
    queried: list[int] = []
    real_df = small.df

    def counting(*a: object, **k: object) -> object:
        queried.append(1)
        return real_df(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(small, "df", counting)
    frame.creator_frame(small, "default", ids)
    assert not queried
    from closeknit.store import memo

    monkeypatch.setattr(memo, "utc_day", lambda: "2999-01-01")
    frame.creator_frame(small, "default", ids)
    assert queried


def test_mapped_members_are_mapped_and_checked(small: Store) -> None:
    # large members a process reads a few rows of (the evidence posts) are memory-mapped; one
    # left by another version is not taken for the current one
    key = persist.cache_key(small)
    text = np.frombuffer(("caption " * 5000).encode(), np.uint8)
    arrays = {"ids": np.array(["a", None], dtype=object), "text": text, "off": np.arange(3)}
    persist.save(small, "default", "t", key, arrays, mapped=("text", "off"))
    got = persist.load(small, "default", "t", key)
    assert got is not None and got["ids"].tolist() == ["a", None]
    assert isinstance(got["text"], np.memmap) and isinstance(got["off"], np.memmap)
    np.testing.assert_array_equal(got["text"], text)
    np.testing.assert_array_equal(got["off"], np.arange(3))
    assert persist.load(small, "default", "t", "another version") is None
    # a mapped file damaged (other contents under the same name): refused
    other = persist._mapped_path(small, "default", "t", "text", key)
    np.save(other, np.frombuffer(("other " * 5000).encode(), np.uint8))
    assert persist.load(small, "default", "t", key) is None
    # each version's files carry it: a save at another version leaves one set of files
    persist.save(small, "default", "t", "another version", arrays, mapped=("text",))
    folder = other.parent
    assert [p.name for p in folder.glob("t.text.*.npy")] == [
        persist._mapped_path(small, "default", "t", "text", "another version").name
    ]
    persist.save(small, "default", "t", key, arrays, mapped=("text", "off"))
    # the same data saved whole (as before members were mapped) still loads
    persist.save(small, "default", "t", key, arrays)
    whole = persist.load(small, "default", "t", key)
    assert whole is not None and not isinstance(whole["text"], np.memmap)
    np.testing.assert_array_equal(whole["text"], text)
    with pytest.raises(TypeError):
        persist.save(small, "default", "t", key, arrays, mapped=("ids",))


def test_text_columns_round_trip_whichever_way_they_are_kept() -> None:
    # few distinct values are kept as codes into them, many as one buffer, text holding the
    # separator as a unicode array; each loads back equal, None where there was None
    few = np.array((["instagram", "tiktok", None, "youtube"] * 40), dtype=object)
    many = np.array([f"creator {i}" for i in range(200)] + [None], dtype=object)
    odd = np.array(["a\x00b", None, "c"], dtype=object)
    short = np.array(["x", "x", None], dtype=object)  # too few rows for codes
    enc = persist._encode({"few": few, "many": many, "odd": odd, "short": short})
    assert {k[:2] for k in enc if k.endswith("few")} == {"c:", "k:", "m:"}
    assert "j:many" in enc and "s:odd" in enc and "j:short" in enc
    dec = persist._decode(enc)
    for name, a in (("few", few), ("many", many), ("odd", odd), ("short", short)):
        assert dec[name].dtype == object and dec[name].tolist() == a.tolist(), name


def test_a_saved_plan_or_a_list_keeps_the_derived_data(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # saving a plan or making a list writes nothing discover or the plan derive from: the
    # next process reads the saved data (at 100k creators, 1.2 s instead of 24 s)
    from closeknit.plan import saved
    from closeknit.service import lists

    _new_process()
    first = _results(small)
    key = persist.cache_key(small)
    saved.write(small, "default", plan_id="p1", brief="b", budget=1.0, method="m", result={})
    made = lists.create_list(
        small, "default", lists.ListIn(name="shortlist"), actor="me", creators=["@runner_gb"]
    )
    lists.delete_list(small, "default", made.list_id, actor="me")
    assert persist.cache_key(small) == key
    _new_process()
    with monkeypatch.context() as mp:
        _no_derivation(mp)
        assert _results(small) == first
    # a write of data they read still re-derives
    small.execute("UPDATE creators SET followers = followers + 1 WHERE handle = 'runner_gb'")
    assert persist.cache_key(small) != key


def _no_text_read(mp: pytest.MonkeyPatch) -> None:
    def boom(*a: Any, **k: Any) -> Any:
        raise AssertionError("read every creator's posts although no text changed")

    mp.setattr(rank, "creator_texts", boom)
    mp.setattr(vectors, "creator_texts", boom)


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE creator_features SET engagement_rate = engagement_rate * 1.5",
        # a connector refreshing a creator's figures writes `creators`, not its text
        "UPDATE creators SET followers = followers + 1000 WHERE handle = 'runner_gb'",
        "UPDATE posts SET likes = likes + 7",
        "UPDATE creators SET bio = NULL WHERE coalesce(bio, '') = ''",  # NULL reads as ''
    ],
)
def test_a_write_that_leaves_the_creators_text_keeps_their_vectors(
    small: Store, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    # a change of a creator's figures (not its name, bio or posts' text) rebuilds the
    # candidate table but reads no creator's posts again: the vectors, BM25 and evidence are
    # keyed by the documents' content. TEXT_TABLES names every table they are read from.
    read = tables_read(small, lambda: vectors.creator_texts(small, "default"))
    assert read == set(vectors.TEXT_TABLES)
    _new_process()
    _results(small)
    text, data = vectors.text_key(small, "default"), persist.cache_key(small)
    small.execute(write)
    assert persist.cache_key(small) != data
    _new_process()
    assert vectors.text_key(small, "default") == text
    built: list[int] = []
    real = cand.build
    with monkeypatch.context() as mp:
        mp.setattr(cand, "build", lambda *a, **k: built.append(1) or real(*a, **k))
        _no_text_read(mp)
        hit = _results(small)
    if "followers" in write or "engagement_rate" in write:
        assert built == [1]  # the figures did change: the table is rebuilt
    _new_process()
    with monkeypatch.context() as mp:
        mp.setattr(persist, "cache_key", lambda store, tables=None: None)
        assert hit == _results(small)  # the same as computing everything afresh


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE creators SET bio = bio || ' sourdough' WHERE handle = 'runner_gb'",
        "UPDATE creators SET name = 'Someone Else' WHERE handle = 'runner_gb'",
        "UPDATE posts SET caption = caption || ' sourdough' WHERE post_id = 'instagram:40'",
        "UPDATE posts SET hashtags = ['sourdough'] WHERE post_id = 'instagram:40'",
        # which posts are a creator's latest (creator_texts orders by it)
        "UPDATE posts SET posted_at = posted_at - INTERVAL 400 DAY WHERE post_id = 'instagram:40'",
        "DELETE FROM posts WHERE post_id = 'instagram:40'",
    ],
)
def test_a_change_of_any_text_the_documents_read_moves_the_text_key(
    small: Store, write: str
) -> None:
    _new_process()
    before = vectors.text_key(small, "default")
    assert before is not None
    small.execute(write)
    _new_process()
    assert vectors.text_key(small, "default") != before
    small_key = vectors.text_key(small, "default")
    # asked again at the same write version: answered from the saved record, no scan
    _new_process()
    assert tables_read(small, lambda: vectors.text_key(small, "default")) <= {"store_writes"}
    assert vectors.text_key(small, "default") == small_key


def _spy_texts(mp: pytest.MonkeyPatch) -> list[list[str] | None]:
    """Record which creators each read of the documents' texts asked for (None: all)."""
    calls: list[list[str] | None] = []
    for mod in (vectors, rank):
        real = mod.creator_texts

        def spy(store: Store, ws: str, creator_ids: Any = None, *a: Any, _r: Any = real,
                **k: Any) -> Any:  # fmt: skip
            calls.append(None if creator_ids is None else sorted(creator_ids))
            return _r(store, ws, creator_ids, *a, **k)

        mp.setattr(mod, "creator_texts", spy)
    return calls


def _saved_derivations(st: Store) -> dict[str, Any]:
    """What the text-keyed derivations saved at the current version, decoded."""
    key = vectors.text_key(st, "default")
    ev = vectors.load_evidence_texts(st, "default", key)
    bm = persist.load(st, "default", "bm25-hash-v1", key)
    assert ev is not None and bm is not None
    b = BM25.from_arrays(bm)
    ids, mat = vectors.creator_matrix(st, "default")
    return {
        "evidence": {c: ev.get(c) for c in ev.pos},
        "bm25": {q: b.scores(q).tolist() for q in ("hiit home", "marathon", "bread cakes")},
        "bm25_ids": bm["ids"].tolist(),
        "vectors": dict(zip(ids, mat.tolist(), strict=True)),
    }


@pytest.mark.parametrize(
    "write, touched",
    [
        ("UPDATE creators SET bio = bio || ' and sourdough bread' WHERE handle = 'runner_gb'",
         ["runner_gb"]),
        ("UPDATE posts SET caption = 'sourdough bread baking #bread' WHERE creator_id = "
         "(SELECT creator_id FROM creators WHERE handle = 'homefit_gb') AND post_id = "
         "(SELECT min(post_id) FROM posts p JOIN creators c USING (creator_id) "
         "WHERE c.handle = 'homefit_gb')", ["homefit_gb"]),
        ("INSERT INTO posts (workspace_id, post_id, external_id, creator_id, platform, caption, "
         "posted_at) SELECT workspace_id, 'instagram:new1', 'new1', creator_id, 'instagram', "
         "'marathon training long run #marathon', now() FROM creators WHERE handle = 'homefit_gb'",
         ["homefit_gb"]),
        ("DELETE FROM posts WHERE creator_id = (SELECT creator_id FROM creators "
         "WHERE handle = 'runner_gb')", ["runner_gb"]),
    ],
)  # fmt: skip
def test_a_text_change_reads_again_only_the_creators_it_touched(
    small: Store, monkeypatch: pytest.MonkeyPatch, write: str, touched: list[str]
) -> None:
    # the vectors, BM25 and evidence posts of the earlier version are updated with the
    # touched creators' texts, and come out as a derivation from scratch would make them
    _new_process()
    _results(small)
    small.execute(write)
    ids = {
        r["handle"]: r["creator_id"] for r in small.query("SELECT handle, creator_id FROM creators")
    }
    _new_process()
    with monkeypatch.context() as mp:
        calls = _spy_texts(mp)
        got = _results(small)
    assert calls, "the texts changed: some were read"
    assert all(c == sorted(ids[h] for h in touched) for c in calls), calls
    inc = _saved_derivations(small)
    # from scratch: nothing saved to start from
    for p in Path(str(small.path) + ".cache").rglob("*"):
        if p.is_file():
            p.unlink()
    small.execute("DELETE FROM creator_embeddings")
    _new_process()
    with monkeypatch.context() as mp:
        calls = _spy_texts(mp)
        fresh = _results(small)
    assert None in calls  # every creator's texts read
    assert fresh == got
    assert _saved_derivations(small) == inc


@pytest.mark.parametrize("case", ["mixed", "none new", "all new", "nothing"])
def test_evidence_updated_from_an_earlier_version_equals_one_saved_whole(
    small: Store, case: str
) -> None:
    # creators added, removed, changed (more posts, fewer, none) and kept, in any order;
    # non-ASCII text: byte offsets, not characters
    rng = np.random.default_rng(3)

    def posts(c: str, k: int) -> list[tuple[str, str]]:
        return [(f"{c}:p{j}", f"caption {c} {j} é✓ " * int(rng.integers(1, 4))) for j in range(k)]

    before = {f"c{i:03d}": posts(f"c{i:03d}", int(rng.integers(0, 7))) for i in range(60)}
    after = {c: p for c, p in before.items() if int(c[1:]) % 7}  # some removed
    changed = [c for c in after if int(c[1:]) % 5 == 0]
    added = [f"c{i:03d}" for i in range(60, 70)]
    if case == "none new":  # only removals: every creator left comes from the saved arrays
        changed, added = [], []
    elif case == "all new":
        changed = list(after)
    elif case == "nothing":
        after, changed, added = {}, [], []
    for c in changed:
        after[c] = posts(c + "x", int(rng.integers(0, 7)))
    for c in added:
        after[c] = posts(c, int(rng.integers(0, 7)))

    def hashes(d: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
        ids = sorted(d)
        return np.array(ids, object), np.array([hash(str(d[c])) % 2**63 for c in ids], np.uint64)

    vectors.save_evidence_texts(small, "default", "k1", before, hashes(before))
    base = persist.load(small, "default", "evidence", "k1")
    assert base is not None
    redo = sorted(set(changed) | set(added))
    first = {c: after[c] for c in redo}
    vectors.save_evidence_texts(
        small, "default", "k2", first, hashes(after), since=(dict(base), redo)
    )
    inc = vectors.load_evidence_texts(small, "default", "k2")
    vectors.save_evidence_texts(small, "default", "k3", after, hashes(after))
    whole = vectors.load_evidence_texts(small, "default", "k3")
    assert inc is not None and whole is not None
    assert sorted(inc.pos) == sorted(whole.pos) == sorted(after)
    assert {c: inc.get(c) for c in after} == {c: whole.get(c) for c in after} == after


def test_after_a_code_change_the_documents_are_derived_whole(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # what an earlier version of the code saved may have been derived otherwise: not updated
    _new_process()
    _results(small)
    assert persist.load_any(small, "default", "evidence") is not None
    monkeypatch.setattr(persist, "_code_md5", "another version of the code")
    assert persist.load_any(small, "default", "evidence") is None
    _new_process()
    with monkeypatch.context() as mp:
        calls = _spy_texts(mp)
        _results(small)
    assert None in calls


@pytest.mark.parametrize("table", ["creators", "posts"])
def test_any_column_change_that_changes_a_document_moves_its_text_hash_and_key(
    tmp_path: Path, table: str
) -> None:
    # the documents' data is updated from the creators whose hash moved: every column
    # creator_texts reads must be in the hash, or an edit would never reach the vectors; and
    # the key (a digest in two parts, the posts' part kept per posts write) must move whenever
    # one creator's hash does, or the derived data would be served stale
    from tests.match.conftest import column_edits

    moved, hashed = [], []
    for col, st, edit in column_edits(tmp_path, table, ("workspace_id", "creator_id")):
        _new_process()
        before, key0 = vectors.creator_texts(st, "default"), vectors.text_key(st, "default")
        ids0, h0 = vectors.creator_text_hashes(st, "default")
        edit()
        _new_process()
        after, key1 = vectors.creator_texts(st, "default"), vectors.text_key(st, "default")
        ids1, h1 = vectors.creator_text_hashes(st, "default")
        assert ids1.tolist() == ids0.tolist()
        for k, c in enumerate(ids0.tolist()):
            if after[c] != before[c]:
                moved.append(col)
                assert h1[k] != h0[k], f"{table}.{col}"
        if not np.array_equal(h0, h1):
            hashed.append(col)
            assert key1 != key0, f"{table}.{col}"
    assert moved and hashed  # the checks are not vacuous


def test_a_write_to_the_creators_alone_reads_no_post_for_the_text_key(small: Store) -> None:
    _new_process()
    key = vectors.text_key(small, "default")
    small.execute("UPDATE creators SET followers = followers + 1")
    _new_process()
    assert tables_read(small, lambda: vectors.text_key(small, "default")) == {"creators"}
    assert vectors.text_key(small, "default") == key
    small.execute("UPDATE posts SET likes = likes + 1")  # the posts' part is read again
    _new_process()
    assert "posts" in tables_read(small, lambda: vectors.text_key(small, "default"))
    assert vectors.text_key(small, "default") == key


def test_rounds_of_edits_keep_the_saved_data_equal_to_a_fresh_derivation(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each round updates the last round's saved data: after creators and posts added,
    # edited and deleted in any order, what is saved is what the texts now give
    import random

    rnd = random.Random(7)
    _new_process()
    _results(small)

    def pick(sql: str) -> str:
        return str(rnd.choice([r["x"] for r in small.query(sql)]))

    for round_ in range(5):
        for _ in range(3):
            kind = rnd.choice(["bio", "caption", "new post", "drop post", "new creator",
                               "drop creator", "followers"])  # fmt: skip
            if kind == "bio":
                small.execute("UPDATE creators SET bio = bio || ' sourdough' WHERE creator_id = ?",
                              [pick("SELECT creator_id AS x FROM creators")])  # fmt: skip
            elif kind == "caption":
                small.execute("UPDATE posts SET caption = 'marathon taper week' WHERE post_id = ?",
                              [pick("SELECT post_id AS x FROM posts")])  # fmt: skip
            elif kind == "new post":
                small.execute(
                    "INSERT INTO posts (workspace_id, post_id, external_id, creator_id, platform,"
                    " caption, hashtags, posted_at) VALUES ('default', ?, ?, ?, 'instagram',"
                    " 'bread baking at home #sourdough', ['sourdough'], now())",
                    [f"instagram:n{round_}{_}{kind}", f"n{round_}{_}",
                     pick("SELECT creator_id AS x FROM creators")],
                )  # fmt: skip
            elif kind == "drop post":
                small.execute("DELETE FROM posts WHERE post_id = ?",
                              [pick("SELECT post_id AS x FROM posts")])  # fmt: skip
            elif kind == "new creator":
                cid = f"instagram:new_{round_}_{_}"
                small.execute(
                    "INSERT INTO creators (workspace_id, creator_id, platform, handle, bio,"
                    " followers, country, language) VALUES ('default', ?, 'instagram', ?,"
                    " 'home cooking and baking', 5000, 'GB', 'en')",
                    [cid, cid.split(":")[1]],
                )
                small.execute(
                    "INSERT INTO posts (workspace_id, post_id, external_id, creator_id, platform,"
                    " caption, posted_at) VALUES ('default', ?, ?, ?, 'instagram',"
                    " 'cakes for busy families', now() - INTERVAL 9 DAY)",
                    [cid + ":p", cid + "p", cid],
                )
            elif kind == "drop creator":
                cid = pick("SELECT creator_id AS x FROM creators")
                small.execute("DELETE FROM posts WHERE creator_id = ?", [cid])
                small.execute("DELETE FROM creators WHERE creator_id = ?", [cid])
            else:
                small.execute("UPDATE creators SET followers = followers + 10")
        _new_process()
        got = _results(small)
        saved = _saved_derivations(small)
        first: dict[str, list[tuple[str, str]]] = {}
        texts = vectors.creator_texts(small, "default", first=first, first_n=vectors.EVIDENCE_FROM)
        assert saved["evidence"] == {c: first.get(c, []) for c in texts}, round_
        docs = [rank._document(texts, c) for c in saved["bm25_ids"]]
        fresh = BM25(docs)
        assert saved["bm25"] == {q: fresh.scores(q).tolist() for q in saved["bm25"]}, round_
        current = vectors._current(small, "default", "hash-v1")
        for c, (bio, posts) in texts.items():  # every vector is of the document as it is now
            doc = vectors.creator_document(bio, [t for _, t in posts])
            assert not doc or current.get(c) == vectors.md5(doc), (round_, c)
        _new_process()
        with monkeypatch.context() as mp:
            mp.setattr(persist, "cache_key", lambda store, tables=None: None)
            assert _results(small) == got, round_  # nothing saved: the same answers


def test_a_store_without_a_data_version_checks_the_texts_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # in memory there is nothing saved: the process remembers the texts' signature, skips a
    # refresh when it holds, and embeds a changed document when it moved
    from tests.match.conftest import load_creators

    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    st = open_store(":memory:")
    try:
        load_creators(st)
        _new_process()
        assert vectors.text_key(st, "default") is None
        assert vectors.refresh_creator_vectors(st, "default").updated == 6
        with monkeypatch.context() as mp:
            _no_text_read(mp)
            assert vectors.refresh_creator_vectors(st, "default").updated == 0
        st.execute("UPDATE posts SET caption = 'sourdough bread baking' WHERE post_id = ?",
                   ["instagram:40"])  # fmt: skip
        assert vectors.refresh_creator_vectors(st, "default").updated == 1
    finally:
        st.close()


def test_niche_purity_is_kept_across_writes_that_leave_the_vectors_and_niches(
    small: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from closeknit.match import relevance

    _new_process()
    _results(small)
    computed: list[float | None] = []
    real = relevance.niche_purity

    def spy(*a: Any) -> float | None:
        computed.append(real(*a))
        return computed[-1]

    monkeypatch.setattr(relevance, "niche_purity", spy)
    for write, again in [
        ("UPDATE creators SET followers = followers + 1", False),
        ("UPDATE creator_features SET engagement_rate = engagement_rate", False),
        ("UPDATE creator_niche SET niche = 'food' WHERE creator_id = 'instagram:bakes_gb'", True),
        ("UPDATE creators SET bio = bio || ' sourdough' WHERE handle = 'runner_gb'", True),
    ]:
        computed.clear()
        small.execute(write)
        _new_process()
        hit = _results(small)
        assert bool(computed) == again, write
        _new_process()
        with monkeypatch.context() as mp:
            mp.setattr(persist, "cache_key", lambda store, tables=None: None)
            assert hit == _results(small), write  # the same as computing it afresh
