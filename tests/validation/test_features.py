"""score_world() against a tiny hand-written truth folder (the world-sized run is validate.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from closeknit.features import build
from closeknit.store import Store
from closeknit.validation.features import score_world
from tests.features import factory as F


def _truth(tmp: Path, spike_date: dt.date) -> Path:
    t = tmp / "world" / "truth"
    t.mkdir(parents=True)
    (t / "world.json").write_text(json.dumps({"seed": 0}))
    cols = "creator_id,platform,real_share,fake_follower_share,engagement_rate_true,"
    cols += "sponsored_rate_true,reply_rate_true,bot_edges,comment_edges\n"
    rows = [
        f"instagram:s{i},instagram,{0.9 - i * 0.1},{i * 0.1},0.02,0,0.1,{i},{20}\n"
        for i in range(3)
    ]
    (t / "creators.csv").write_text(cols + "".join(rows))
    (t / "growth_events.csv").write_text(
        "creator_id,kind,week,date,followers_added,is_fraud\n"
        f"instagram:s0,bought_spike,17,{spike_date.isoformat()},3000,1\n"
    )
    (t / "bots.csv").write_text('handle,id,texts\nbotty,1,"[]"\n')
    (t / "pods.csv").write_text("pod_id,creator_id\n")
    (t / "accounts.csv").write_text("handle,id,kind\n")
    return tmp / "world"


def test_score_world_counts_spikes_and_bots(store: Store, tmp_path: Path) -> None:
    pytest.importorskip("closeknit.world.truth", reason="closeknit.world not present")
    start = dt.date(2024, 1, 1)
    ids = [F.creator(store, f"s{i}", 8_000) for i in range(3)]
    for i, cid in enumerate(ids):
        pids = F.daily_posts(store, cid, 12)
        f = 8_000
        series = []
        for w in range(30):
            f += 80 + (3_000 if (i == 0 and w == 17) else 0)
            series.append((start + dt.timedelta(days=7 * w), f))
        F.snapshots(store, cid, series)
        rows = [{"comment_id": f"instagram:b{i}", "post_id": pids[0], "author_handle": "botty",
                 "text": "Nice pic 🔥"}]  # fmt: skip
        rows += [{"comment_id": f"instagram:f{i}-{j}", "post_id": pids[j % 8],
                  "author_handle": f"fan{i}{j}", "text": f"my notes on step {j} of this"}
                 for j in range(12)]  # fmt: skip
        F.comments(store, rows)
    build(store, "default")
    out = score_world(store, "default", _truth(tmp_path, start + dt.timedelta(days=7 * 17)))
    assert out["creators_scored"] == 3
    assert out["growth_spikes"]["recall"] == 1.0
    assert out["growth_spikes"]["precision"] == 1.0
    assert out["bot_comments"]["recall"] == 1.0
    assert out["bot_comments"]["precision"] == 1.0
    assert out["bot_accounts"]["true"] == 1
    assert out["pod_members"]["predicted"] == 0
    assert out["engagement_rate"]["n"] == 3
    assert out["audience_real_share"]["n"] == 0  # no samples: nothing to correlate
    assert out["engagement_insufficient"] == 0
