"""The column-wise shard writers must write exactly what the per-post / per-member reference
code writes: whole shards (posts, comments, replies, pods, bots, sponsored and campaign posts on
both platforms) and each vectorized helper against its scalar original."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from closeknit.world import audience as aud
from closeknit.world import ids, vocab
from closeknit.world import shard as sh
from closeknit.world import text as tx
from closeknit.world.config import WorldConfig
from closeknit.world.creators import make_creators
from closeknit.world.draw_posts import CampaignPost
from closeknit.world.write_truth import csv_cells
from closeknit.world.write_youtube import iso, iso_many


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _campaigns(cfg: WorldConfig) -> dict[int, list[CampaignPost]]:
    """Campaign posts on a few Instagram and YouTube creators (two on one creator)."""
    c = make_creators(cfg, 0)
    ig = np.flatnonzero(c.platform == 0)[:4].tolist()
    yt = np.flatnonzero(c.platform == 1)[:2].tolist()
    out: dict[int, list[CampaignPost]] = {}
    for k, i in enumerate(ig + yt):
        days = [5 + 20 * k] + ([200] if k == 0 else [])
        out[int(c.gidx[i])] = [
            CampaignPost(f"c{k}", "GlowLab", f"CODE{k}", f"https://glowlab.example/?r={k}", ts)
            for ts in (cfg.reference_ts - 86400 * d for d in days)
        ]
    return out


def test_vector_shard_equals_per_post_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = WorldConfig(
        creators=700,
        seed=5,
        shard_size=700,
        youtube_share=0.3,
        comment_fraction=0.5,
        pod_share=0.15,
        bot_target_share=0.3,
    )
    camps = _campaigns(cfg)
    results = {}
    for mode in (False, True):
        out = tmp_path / str(mode)
        (out / "truth" / "_accounts").mkdir(parents=True)
        monkeypatch.setattr(sh, "VECTOR_POSTS", mode)
        results[mode] = sh.write_shard(cfg, 0, out, camps)
    assert _digests(tmp_path / "False") == _digests(tmp_path / "True")
    assert results[False] == results[True]
    # the shard really holds what the vectorized writer must get right
    out = tmp_path / "True"
    posts = (out / "instagram" / "posts-00000.jsonl").read_text(encoding="utf-8")
    threads = (out / "youtube" / "comments-00000.json").read_text(encoding="utf-8")
    videos = (out / "youtube" / "videos-00000.json").read_text(encoding="utf-8")
    truth = (out / "_parts" / "creators-00000.csv").read_text(encoding="utf-8")
    assert results[True].comments > 1000 and results[True].pods
    assert '"edge_threaded_comments": {"count": 1' in posts  # creator replies
    assert '"sponsor": {"id"' in posts and '"is_ad": true' in posts
    assert "CODE0" in posts and "CODE4" in videos  # campaign posts on both platforms
    assert '"parentId"' in threads and '"hasPaidProductPlacement": true' in videos
    assert truth.count("\n") == 701


def _rows(n: int, seed: int) -> tuple[Any, ...]:
    r = np.random.default_rng(seed)
    rnd = r.integers(0, 1 << 30, (n, 12))
    return rnd, r.integers(0, 30, n), r.integers(0, 6, n), r.random(n) < 0.3, r


def test_vector_captions_split_equal_scalar_captions() -> None:
    n = 4000
    rnd, niche, lang, noise, r = _rows(n, 1)
    disc = r.integers(0, 5, n)
    bi = r.integers(0, 5, n)
    brand = tx._obj([tx.brand_handle(tx.BRANDS[a][b]) for a, b in zip(niche, bi, strict=True)])
    text, tags = tx.caption_parts_many(niche, lang, rnd, noise, brand, disc)
    want = [
        tx.caption(int(a), int(b), q, False, bool(z), s, int(d), None, None)
        for a, b, q, z, s, d in zip(niche, lang, rnd.tolist(), noise, brand, disc, strict=True)
    ]
    assert [w.partition("\n\n")[::2] for w in want] == list(zip(text, tags, strict=True))
    assert tx.caption_json_many(text, tags).tolist() == [tx.jstr(w) for w in want]
    assert tx.text_json_many(text).tolist() == [tx.jstr(t) for t in text]
    assert max(len(t) for t in text) > 100  # YouTube titles are cut: long texts occur

    text, tags = tx.caption_plain_parts_many(niche, lang, rnd, noise)
    want = [
        tx.caption_plain(int(a), int(b), q, bool(z))
        for a, b, q, z in zip(niche, lang, rnd.tolist(), noise, strict=True)
    ]
    assert [w.partition("\n\n")[::2] for w in want] == list(zip(text, tags, strict=True))
    as_bytes = tx.caption_plain_json_many(niche, lang, rnd, noise, as_bytes=True).tolist()
    assert as_bytes == [tx.jstr(w).encode() for w in want]


def test_vector_comment_texts_equal_scalar() -> None:
    rnd, niche, lang, _, r = _rows(3000, 2)
    a, b = rnd[:, 0], rnd[:, 1]
    got = tx.fan_comment_json_many(niche, lang, a, b).tolist()
    assert got == [
        tx.fan_comment_json(int(x), int(y), int(p), int(q))
        for x, y, p, q in zip(niche, lang, a, b, strict=True)
    ]
    handles = tx._obj([f"fan.{k}_x" for k in range(len(a))])
    assert tx.reply_json_many(lang, a, handles).tolist() == [
        tx.reply_json(int(x), int(p), h) for x, p, h in zip(lang, a, handles, strict=True)
    ]


def test_vector_ids_and_times_equal_scalar() -> None:
    n = np.array([0, 1, 77, 2**40 + 5, 1_900_000_000_123_456], dtype=np.int64)
    n = np.concatenate([n, np.random.default_rng(3).integers(0, 2**62, 500)])
    for length in (11, 22):
        assert ids.yt_ids(n, length) == [ids.yt_id(int(x), length) for x in n.tolist()]
    ts = np.array([0, 1_700_000_000, 1_761_955_200, 2_000_000_001], dtype=np.int64)
    assert iso_many(ts) == [iso(int(t)) for t in ts.tolist()]
    pid = ids.POST_ID_BASE + np.arange(0, 10**9, 99_991, dtype=np.int64)
    assert ids.shortcodes(pid, as_bytes=True) == [ids.shortcode(int(x)).encode() for x in pid]


# Per-member references for member_handles / member_profiles: the same draws (the copula's latent
# normals come from the shared member_latent), assembled one member at a time.
def _ref_handles(seed: int, mids: np.ndarray) -> list[str]:
    h = aud._mix(mids.astype(np.int64) * 7919 + seed).tolist()
    kinds = aud.member_kind(mids).tolist()
    counts = aud._counts(aud.member_kind(mids), aud.member_latent(seed, mids))
    out = []
    for i, (m, hv, k) in enumerate(zip(mids.tolist(), h, kinds, strict=True)):
        f = vocab.FIRST_NAMES[hv % len(vocab.FIRST_NAMES)]
        la = vocab.LAST_NAMES[(hv >> 8) % len(vocab.LAST_NAMES)]
        sep = "._"[(hv >> 20) & 1]
        name = f[:3] + la[:2] if k == aud.KIND_FAKE else f"{f}{sep}{la}{sep}{f}"
        d = min(max(int(counts["username_digits"][i]), 0), 12)
        room = max(int(counts["username_length"][i]) - 6 - d, 0)
        tag, x = "", m
        for _ in range(6):
            x, r = divmod(x, 26)
            tag = chr(97 + r) + tag
        num = f"{(hv >> 24) % 10**12:012d}"[-d:] if d else ""
        out.append((name * 4)[:room] + tag + num)
    return out


def _ref_profile(i: int, m: int, handle: str, seed: int, mids: np.ndarray) -> dict[str, object]:
    k = int(aud.member_kind(mids)[i])
    key = {aud.KIND_REAL: "real", aud.KIND_INACTIVE: "inactive", aud.KIND_FAKE: "fake"}[k]
    t = aud.PROFILE_TABLES[key]
    z = aud.member_latent(seed, mids)[i]
    counts = aud._counts(aud.member_kind(mids), aud.member_latent(seed, mids))
    hn = int(aud._mix(np.array([m * 7919 + seed]))[0])
    h3 = int(aud._mix(np.array([m * 977 + seed + 41]))[0])
    hv = int(aud._mix(np.array([m * 31 + seed + 17]))[0])
    u = [(((h3 >> (16 * j)) & 0xFFFF) + 0.5) / 65536.0 for j in range(4)]
    cum = np.cumsum(t["name_words"])
    n_words = int(np.searchsorted(cum, u[0] * sum(t["name_words"])))
    f1 = vocab.FIRST_NAMES[hn % len(vocab.FIRST_NAMES)].capitalize()
    la = vocab.LAST_NAMES[(hn >> 8) % len(vocab.LAST_NAMES)].capitalize()
    f2 = vocab.FIRST_NAMES[(hn >> 16) % len(vocab.FIRST_NAMES)].capitalize()
    name = ["", f1, f"{f1} {la}", f"{f1} {f2} {la}"][min(n_words, 3)]
    if u[1] < t["name_digits"] and name:
        name += str((h3 >> 40) % 90 + 10)
    if u[2] < t["name_is_handle"]:
        name = handle
    start = (h3 >> 48) % (len(aud._BIO_TEXT) // 2)
    pic = z[6] > t["flags"]["has_profile_pic"]["cut"]
    return {
        "id": str(5_000_000_000 + m),
        "username": handle,
        "full_name": name,
        "biography": aud._bio(int(counts["bio_length"][i]), start),
        "edge_followed_by": {"count": int(counts["followers"][i])},
        "edge_follow": {"count": int(counts["following"][i])},
        "edge_owner_to_timeline_media": {"count": int(counts["posts"][i])},
        "is_verified": False,
        "is_private": bool(z[7] > t["flags"]["is_private"]["cut"]),
        "external_url": ("https://linktr.ee/" + handle) if u[3] < t["external_url"] else None,
        "profile_pic_url": (
            f"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/{hv % 10**12}_n.jpg"
            if pic
            else aud.DEFAULT_PIC
        ),
        "business_category_name": None,
    }


def test_vector_member_handles_and_profiles_equal_per_member() -> None:
    r = np.random.default_rng(4)
    pools = np.concatenate(
        [
            r.integers(0, aud.BOT_POOL_ID + 1, 600),
            np.repeat([aud.FAKE_POOL_ID, aud.INACTIVE_POOL_ID, aud.BOT_POOL_ID], 100),
        ]
    )
    mids = aud.member_id(pools, r.integers(0, 20_000, len(pools)))
    for seed in (1, 9):
        handles = aud.member_handles(seed, mids)
        assert handles == _ref_handles(seed, mids)
        assert len(set(handles)) == len(set(mids.tolist()))  # the letter tag keeps them unique
        got = aud.member_profiles(seed, mids)
        for i, (line, m, hd) in enumerate(zip(got, mids.tolist(), handles, strict=True)):
            assert json.loads(line) == _ref_profile(i, m, hd, seed, mids)


def test_sample_followers_is_a_draw_with_replacement_of_distinct_accounts() -> None:
    r = np.random.default_rng(5)
    members = aud.member_id(7, np.arange(80))
    pick = aud.sample_followers(r, members, 100)
    assert len(pick) == 100 and np.all(np.diff(pick) >= 0)
    assert len(np.unique(pick)) >= 98  # repeats become siblings (rare sibling collisions)
    assert np.all(pick // 100_000 == 7)  # siblings stay in the pool: same kind
    sib = pick % 100_000 >= aud.SIBLING_BASE
    assert 0 < sib.sum() < 60
    assert set(pick[~sib].tolist()) <= set(members.tolist())


def test_vector_demographics_equal_per_creator() -> None:
    cfg = WorldConfig(creators=400, seed=6, shard_size=400)
    c = make_creators(cfg, 0)
    r = np.random.default_rng(6)
    n = len(c)
    age = r.normal(0, 0.15, (n, len(aud.AGE_BUCKETS)))
    unknown = r.uniform(0.01, 0.04, n)
    country = r.normal(0, 0.5, (n, len(vocab.COUNTRY_IDS) - 1))
    idx = np.arange(0, n, 3)
    got = aud.demographics_many(c, idx, age[idx], unknown[idx], country[idx]).tolist()
    for i, row in zip(idx.tolist(), got, strict=True):
        want = aud.demographics(c, i, age[i], float(unknown[i]), country[i])
        assert row == [s for _, _, s in want]


def test_csv_cells_equal_pandas_to_csv() -> None:
    r = np.random.default_rng(7)
    n = 3000
    x = np.concatenate([r.random(n - 6), [0.0, -0.0, 1e16, 1e-5, 123456.789, 5e-324]])
    mask = r.random(n) < 0.3
    df = pd.DataFrame(
        {
            "s": [f"h{k}.x_y" for k in range(n)],
            "u": np.where(mask, "youtube", "instagram"),
            "i": r.integers(-(10**12), 10**12, n),
            "f": x,
            "f4": np.round(np.exp(r.normal(0, 8, n)), 4),
            "oi": pd.Series(np.where(mask, 0, r.integers(0, 99, n)), dtype="Int64").where(~mask),
            "of": pd.array(
                [None if m else float(v) for m, v in zip(mask, x, strict=True)], "Float64"
            ),
        }
    )
    rows = zip(*[csv_cells(df[k]) for k in df.columns], strict=True)
    got = ",".join(df.columns) + "\n" + "".join(",".join(row) + "\n" for row in rows)
    assert got == df.to_csv(index=False, lineterminator="\n")
    assert csv_cells(pd.Series(["a", "b,c"])) is None  # would be quoted: pandas writes it
