"""The portable build's reply rate (sql/replies_people.sql) against the product build's.

The product build takes the reply rate over people's top-level comments, bots left out by its
comment judge (closeknit.features.comments: rules, plus the calibrated model when installed). The
portable build runs the judge's deterministic rules in SQL: with the model off the two builds
must agree exactly; with the model on, within the tolerance docs/vetting.md states.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from closeknit.features import builder as fb
from closeknit.features import comments as fc
from closeknit.features import distributed
from closeknit.store import Store, open_store
from tests.features import factory as F

COLS = ["creator_id", "n_top_comments", "n_replied", "reply_rate", "median_reply_minutes"]


def _rules_only(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(fc, "load_model", lambda: (None, "rules only (test)"))


def _product(store: Store) -> pd.DataFrame:
    return store.df(f"SELECT {', '.join(COLS)} FROM creator_features ORDER BY creator_id")


def _portable(store: Store, root: Path) -> pd.DataFrame:
    distributed.export_inputs(store, "default", root / "in")
    distributed.build_portable(root / "in", root / "out", engine="duckdb")
    df = pd.read_parquet(root / "out" / "replies")
    return df.sort_values("creator_id").reset_index(drop=True)


def _comment(cid: str, post: str, author: str, text: str | None, **kw: object) -> dict:
    return {
        "comment_id": cid,
        "post_id": post,
        "author_handle": author,
        "text": text,
        "posted_at": F.T0 - dt.timedelta(hours=1),
        **kw,
    }


def _reply(cid: str, post: str, parent: str, author: str) -> dict:
    return _comment(cid, post, author, "thank you!", parent_comment_id=parent)


def _fixture(store: Store) -> None:
    """Creator ``a``: 7 people's comments (3 answered) and one of each bot rule; ``b`` and ``c``
    carry the repeated bot text too; ``d``'s comments have no text (nothing to judge)."""
    posts = {h: F.daily_posts(store, F.creator(store, h, 5_000), 6) for h in "abcd"}
    rows: list[dict] = []
    people = [
        "I tried this recipe yesterday, so good",
        "where did you buy that jacket?",
        "my kids loved it",
        "can you do one on bread next",
        "the lighting here is unreal",
        "nice 好",  # Python's \w keeps 好; an ASCII \w would fold this to the generic "nice"
        "saving this for the weekend",
    ]
    for i, text in enumerate(people):
        rows.append(_comment(f"instagram:a-p{i}", posts["a"][i % 6], f"fan{i}", text))
        if i < 3:
            rows.append(_reply(f"instagram:a-r{i}", posts["a"][i % 6], f"instagram:a-p{i}", "a"))
    bots = [
        ("spammer1", "omg 🔥🔥 vibes"),  # the same text under a, b and c: same_text_across_creators
        ("spammer2", "visit www.cheapfollowers.xyz"),  # link
        ("spammer3", "Follow me back!!"),  # promo
        ("spammer4", "Nice pic 😍"),  # generic praise
    ]
    for i, (author, text) in enumerate(bots):
        rows.append(_comment(f"instagram:a-b{i}", posts["a"][i], author, text))
    for h in "bc":
        rows.append(_comment(f"instagram:{h}-b0", posts[h][0], "spammer1", "OMG 🔥🔥 vibes "))
        for i in range(5):
            rows.append(_comment(f"instagram:{h}-p{i}", posts[h][i], f"fan{h}{i}", f"q{i} {h}?"))
        rows.append(_reply(f"instagram:{h}-r0", posts[h][0], f"instagram:{h}-p0", h))
    for i in range(6):
        rows.append(_comment(f"instagram:d-p{i}", posts["d"][i], f"fand{i}", None))
    rows.append(_reply("instagram:d-r0", posts["d"][0], "instagram:d-p0", "d"))
    F.comments(store, rows)


def test_portable_reply_rate_leaves_out_the_bots(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fixture(store)
    _rules_only(monkeypatch)
    fb.build(store, "default", incremental=False)
    port = _portable(store, tmp_path).set_index("creator_id")
    # a: 7 people, 3 answered; the 4 bots are not followers to talk back to
    assert port.loc["instagram:a", "n_top_comments"] == 7
    assert port.loc["instagram:a", "n_top_comments_all"] == 11
    assert port.loc["instagram:a", "reply_rate"] == pytest.approx(3 / 7)
    for h in "bc":  # the repeated text is a bot's under them too
        assert port.loc[f"instagram:{h}", "reply_rate"] == pytest.approx(1 / 5)
    # d: no text to judge, so every top-level comment counts, as in the product build
    assert port.loc["instagram:d", "n_top_comments"] == 6
    prod = _product(store).set_index("creator_id")
    pd.testing.assert_frame_equal(
        port[COLS[1:]], prod[COLS[1:]], check_dtype=False, check_exact=False, rtol=1e-12
    )


@pytest.fixture(scope="module")
def world_builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, pd.DataFrame]]:
    """A 100-creator world built by the product with and without the comment model, and by the
    portable build on DuckDB."""
    from closeknit.connectors.importer import import_world
    from closeknit.world import generate

    root = tmp_path_factory.mktemp("portable_replies")
    generate(root / "world", creators=100, seed=11)
    out: dict[str, pd.DataFrame] = {}
    st = open_store(root / "rules.duckdb", create=True)
    try:
        import_world(st, "default", root / "world")
        with pytest.MonkeyPatch.context() as mp:
            _rules_only(mp)
            fb.build(st, "default", incremental=False)
        out["rules"] = _product(st)
        out["portable"] = _portable(st, root)
    finally:
        st.close()
    shutil.copy(root / "rules.duckdb", root / "model.duckdb")
    st = open_store(root / "model.duckdb", create=True)
    try:
        fb.build(st, "default", incremental=False)
        out["model"] = _product(st)
    finally:
        st.close()
    yield out


def _joined(builds: dict[str, pd.DataFrame], product: str) -> pd.DataFrame:
    j = builds[product].merge(builds["portable"], on="creator_id", suffixes=("", "_port"))
    return j[j["reply_rate"].notna()]


def test_portable_matches_the_rules_only_product_build_on_a_world(
    world_builds: dict[str, pd.DataFrame],
) -> None:
    j = _joined(world_builds, "rules")
    assert len(j) >= 90
    assert (j["n_top_comments_all"] > j["n_top_comments"]).sum() >= 20  # bots were left out
    assert (j["n_top_comments"] == j["n_top_comments_port"]).all()
    assert (j["n_replied"] == j["n_replied_port"]).all()
    np.testing.assert_allclose(j["reply_rate_port"], j["reply_rate"], rtol=1e-12)
    # the reply delay over the same people's comments in both builds
    assert j["median_reply_minutes"].notna().sum() >= 50
    np.testing.assert_allclose(
        j["median_reply_minutes_port"], j["median_reply_minutes"], rtol=1e-9, equal_nan=True
    )


def test_portable_is_within_tolerance_of_the_product_build_with_its_model(
    world_builds: dict[str, pd.DataFrame],
) -> None:
    """The model flags some texts no rule does and clears generic praise it reads as a fan's;
    docs/vetting.md's tolerance: mean |difference| ≤ 1 point, none over 15 points (counted over
    all top-level comments, bots included, it was 1.27 and 21.3 on this world; 0.65 and 6.6
    with the pod's comments still counted, which diluted the one pod member's rate: without
    them the same 21 comments the model clears are 12.8 points of its rate, not 2.3)."""
    if fc.load_model()[0] is None:
        pytest.skip("comment model not installed: the product build is rules only")
    j = _joined(world_builds, "model")
    diff = (j["reply_rate_port"] - j["reply_rate"]).abs() * 100
    assert diff.mean() <= 1.0
    assert diff.max() <= 15.0
