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


# The per-member originals of member_handles / member_profiles (one f-string per member).
def _ref_handles(seed: int, mids: np.ndarray) -> list[str]:
    h = aud._mix(mids.astype(np.int64) * 7919 + seed)
    out = []
    for m, hv, k in zip(mids.tolist(), h.tolist(), aud.member_kind(mids).tolist(), strict=True):
        f = vocab.FIRST_NAMES[hv % len(vocab.FIRST_NAMES)]
        la = vocab.LAST_NAMES[(hv >> 8) % len(vocab.LAST_NAMES)]
        tag = format(m, "x")
        if k == aud.KIND_FAKE:
            out.append(f"{f[:3]}{la[:2]}{(hv >> 16) % 100000:05d}{tag[-3:]}")
        else:
            sep = "._"[(hv >> 20) & 1]
            out.append(f"{f}{sep}{la}{sep}{tag}" if (hv >> 21) & 1 else f"{la}{sep}{f}{sep}{tag}")
    return out


def _ref_profile(m: int, handle: str, hv: int, hn: int, k: int) -> dict[str, object]:
    u1, u2, u3 = (((hv >> s) & 0xFFFF) / 65535.0 for s in (0, 16, 32))
    f = vocab.FIRST_NAMES[hn % len(vocab.FIRST_NAMES)]
    la = vocab.LAST_NAMES[(hn >> 8) % len(vocab.LAST_NAMES)]
    url = None
    if k == aud.KIND_FAKE:
        counts = (int(u1 * 40), int(1000 + u2 * 6500), int(u3 * 4))
        name, bio, pic, private = "", "", aud.DEFAULT_PIC if u1 < 0.8 else None, u2 < 0.3
    elif k == aud.KIND_INACTIVE:
        counts = (int(5 + u1 * 120), int(50 + u2 * 400), int(u3 * 3))
        name = f.capitalize() if u1 < 0.5 else ""
        bio, pic, private = "", aud.DEFAULT_PIC if u2 < 0.6 else None, u3 < 0.5
    else:
        counts = (int(np.exp(3.5 + 3.5 * u1)), int(80 + u2 * 1400), int(8 + np.exp(1 + 5 * u3)))
        name = f"{f.capitalize()} {la.capitalize()}"
        bio = "" if u2 < 0.5 else aud._BIOS[hv % 8]
        pic, private = None, u3 < 0.35
        url = ("https://linktr.ee/" + handle) if u1 > 0.93 else None
    if pic is None:
        pic = f"https://scontent.cdninstagram.com/v/t51.2885-19/s150x150/{hv % 10**12}_n.jpg"
    return {
        "id": str(5_000_000_000 + m),
        "username": handle,
        "full_name": name,
        "biography": bio,
        "edge_followed_by": {"count": counts[0]},
        "edge_follow": {"count": counts[1]},
        "edge_owner_to_timeline_media": {"count": counts[2]},
        "is_verified": False,
        "is_private": private,
        "external_url": url,
        "profile_pic_url": pic,
        "business_category_name": None,
    }


def test_vector_member_handles_and_profiles_equal_per_member() -> None:
    r = np.random.default_rng(4)
    pools = np.concatenate(
        [
            r.integers(0, aud.BOT_POOL_ID + 1, 6000),
            np.repeat([aud.FAKE_POOL_ID, aud.INACTIVE_POOL_ID, aud.BOT_POOL_ID], 1000),
        ]
    )
    mids = aud.member_id(pools, r.integers(0, 20_000, len(pools)))
    for seed in (1, 9):
        handles = aud.member_handles(seed, mids)
        assert handles == _ref_handles(seed, mids)
        h = aud._mix(mids * 31 + seed + 17).tolist()
        hn = aud._mix(mids * 7919 + seed).tolist()
        kinds = aud.member_kind(mids).tolist()
        got = aud.member_profiles(seed, mids)
        for line, m, hd, hv, n_, k in zip(got, mids.tolist(), handles, h, hn, kinds, strict=True):
            assert line == json.dumps(_ref_profile(m, hd, hv, n_, k), ensure_ascii=False)
    # the counts of real members rest on exp over an array equalling exp one value at a time
    u = np.arange(1 << 16) / 65535.0
    for a, b in ((3.5, 3.5), (1.0, 5.0)):
        assert np.array_equal(np.exp(a + b * u), [np.exp(a + b * x) for x in u.tolist()])


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
