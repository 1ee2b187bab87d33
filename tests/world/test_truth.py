"""Ground truth is consistent with the files it describes."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from closeknit.errors import NotFound
from closeknit.world import WorldSummary
from closeknit.world.truth import load_truth
from closeknit.world.vocab import BOT_COMMENTS, NICHE_IDS


def _posts(out: Path) -> list[dict]:
    return [
        json.loads(line)
        for f in sorted(out.glob("instagram/posts-*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]


def test_load_truth_and_creators(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    t = load_truth(out)
    assert len(t.creators) == summary.creators
    assert set(t.creators["niche"]) <= set(NICHE_IDS)
    assert (t.creators["fake_follower_share"] > 0).any()
    assert (t.creators["is_bot_target"] == 1).any()
    assert t.creators["fee_story"].lt(t.creators["fee_post"]).all()
    assert t.creators["fee_reel"].gt(t.creators["fee_post"]).all()
    assert t.to_dict()["rows"]["creators"] == summary.creators
    with pytest.raises(NotFound):
        load_truth(out / "instagram")


def test_pods_comment_on_each_other_within_minutes(small_world: tuple[Path, WorldSummary]) -> None:
    out, _ = small_world
    t = load_truth(out)
    assert len(t.pods) > 0
    sizes = t.pods.groupby("pod_id").size()
    assert sizes.between(5, 15).all()
    pod_of = {
        cid.split(":", 1)[1]: pid for pid, cid in zip(t.pods.pod_id, t.pods.creator_id, strict=True)
    }
    hits = 0
    for p in _posts(out):
        owner = p["owner"]["username"]
        if owner not in pod_of:
            continue
        for e in p["edge_media_to_parent_comment"]["edges"]:
            a = e["node"]["owner"]["username"]
            if a in pod_of:
                assert pod_of[a] == pod_of[owner]
                assert 0 < e["node"]["created_at"] - p["taken_at_timestamp"] <= 20 * 60
                hits += 1
    assert hits > 0


def test_bots_repeat_texts_across_creators(small_world: tuple[Path, WorldSummary]) -> None:
    out, _ = small_world
    t = load_truth(out)
    bots = set(t.bots["handle"])
    owners_by_text: dict[str, set[str]] = defaultdict(set)
    for p in _posts(out):
        for e in p["edge_media_to_parent_comment"]["edges"]:
            if e["node"]["owner"]["username"] in bots:
                assert e["node"]["text"] in BOT_COMMENTS
                owners_by_text[e["node"]["text"]].add(p["owner"]["username"])
    assert max(len(v) for v in owners_by_text.values()) >= 2
    targets = t.creators[t.creators.is_bot_target == 1]
    others = t.creators[(t.creators.is_bot_target == 0) & (t.creators.comment_edges > 0)]
    share = lambda d: d.bot_edges.sum() / max(1, d.comment_edges.sum())  # noqa: E731
    assert share(targets) > 5 * share(others)


def test_bought_spikes_show_in_snapshots(small_world: tuple[Path, WorldSummary]) -> None:
    out, _ = small_world
    t = load_truth(out)
    spikes = t.growth_events[t.growth_events.kind == "bought_spike"]
    assert len(spikes) > 0
    snaps = pd.concat(pd.read_csv(p) for p in sorted((out / "snapshots").glob("followers-*.csv")))
    for ev in spikes.itertuples():
        h = ev.creator_id.split(":", 1)[1]
        s = snaps[snaps.handle == h].sort_values("date").reset_index(drop=True)
        i = int(s.index[s.date == ev.date][0])
        jump = s.followers[i] - s.followers[i - 1]
        assert jump >= 0.6 * ev.followers_added


def test_audience_samples_reflect_fake_share(small_world: tuple[Path, WorldSummary]) -> None:
    out, _ = small_world
    t = load_truth(out)
    kind = dict(zip(t.accounts.handle, t.accounts.kind, strict=True))
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in sorted(out.glob("audience/samples-*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            s = json.loads(line)
            if s["relation"] == "follower":
                c = counts[s["creator"]]
                c[0] += kind[s["profile"]["username"]] == "fake"
                c[1] += 1
    fake = t.creators.set_index("creator_id").audience_fake_share
    obs = pd.Series({k: v[0] / v[1] for k, v in counts.items()})
    true = fake.reindex(obs.index)
    assert obs[true >= 0.3].mean() > 0.2
    assert obs[true == 0].max() == 0
    assert abs(obs.mean() - true.mean()) < 0.02


def test_overlap_truth_matches_shared_handles(small_world: tuple[Path, WorldSummary]) -> None:
    out, _ = small_world
    t = load_truth(out)
    ov = t.overlap
    assert len(ov) > 0
    assert (ov.shared > 0).all() and (ov.share_of_a <= 1).all()
    niche = t.creators.set_index("creator_id").niche
    assert (niche.reindex(ov.creator_a).values == niche.reindex(ov.creator_b).values).all()
    followers: dict[str, set[str]] = defaultdict(set)
    for f in sorted(out.glob("audience/samples-*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            s = json.loads(line)
            if s["relation"] == "follower":
                followers[s["creator"]].add(s["profile"]["username"])
    top = ov.sort_values("shared", ascending=False).head(20)
    seen = [
        len(followers[a] & followers[b])
        for a, b in zip(top.creator_a, top.creator_b, strict=True)
        if a in followers and b in followers
    ]
    assert seen and sum(seen) > 0


def test_orders_truth_sums(small_world: tuple[Path, WorldSummary]) -> None:
    out, summary = small_world
    t = load_truth(out)
    o = t.orders
    assert len(o) == summary.orders
    inc = o[o.is_incremental == 1]
    assert len(inc) > 0 and inc.campaign_id.notna().all()
    per = inc.groupby(["campaign_id", "creator_id"]).agg(
        n=("order_id", "size"), rev=("total_price", "sum")
    )
    camp = t.campaigns.set_index(["campaign_id", "creator_id"])
    joined = camp.join(per, how="left").fillna({"n": 0, "rev": 0.0})
    assert (joined.n == joined.true_incremental_orders).all()
    assert (joined.rev - joined.true_incremental_revenue).abs().max() < 0.05
    coded = o[o.discount_code.notna()]
    assert (coded.is_incremental == 0).any()  # leaked codes
    assert (inc.discount_code.isna() & inc.utm_campaign.isna()).any()  # untracked lift
    daily = t.campaign_daily
    assert daily.incremental_orders.sum() == len(inc)
    with open(out / "shop/orders.jsonl", encoding="utf-8") as f:
        total = sum(float(json.loads(line)["total_price"]) for line in f)
    assert abs(total - o.total_price.sum()) < 1.0
    codes = set(t.campaigns.code)
    assert len(codes) == len(t.campaigns)
    assert all("utm_source=closeknit" in x for x in t.campaigns.link)


def test_briefs(small_world: tuple[Path, WorldSummary]) -> None:
    out, _ = small_world
    t = load_truth(out)
    assert len(t.briefs) == 24
    niche = t.creators.set_index("creator_id").niche
    country = t.creators.set_index("creator_id").country
    for b in t.briefs.itertuples():
        f = json.loads(b.filters)
        assert f["text"] == b.text and f["countries"]
        rel = t.relevant(b.brief_id)
        assert len(rel) == b.n_relevant
        for cid in rel:
            assert niche[cid] in b.niches.split(";")
            assert country[cid] in f["countries"]
    assert t.briefs.n_relevant.sum() > 0
    with open(out / "truth/briefs.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh))[:3] == ["brief_id", "text", "filters"]
