"""Tiny synthetic workspaces for plan/track tests (independent of the world generator)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from closeknit.store import Store

NICHES = ["fitness", "running", "yoga", "cooking", "vegan", "travel"]
COUNTRIES = ["GB", "US", "DE", "FR"]


def seed_creators(
    store: Store, n: int = 40, seed: int = 0, ws: str = "default", fans_per_niche: int = 6000
) -> list[str]:
    """n Instagram creators with posts and follower samples; returns their creator ids.

    Follower samples of a niche's creators are drawn from that niche's ``fans_per_niche``
    handles (neighbouring niches share a slice), so small pools give dense overlap."""
    rng = np.random.default_rng(seed)
    now = dt.datetime(2026, 11, 1)
    creators, posts, samples = [], [], []
    step = max(fans_per_niche * 5 // 6, 1)
    ids = []
    for i in range(n):
        fol = int(np.exp(rng.uniform(np.log(3e3), np.log(3e6))))
        niche = NICHES[i % len(NICHES)]
        handle = f"creator_{i}"
        cid = f"instagram:{handle}"
        ids.append(cid)
        creators.append(
            {
                "workspace_id": ws,
                "creator_id": cid,
                "platform": "instagram",
                "handle": handle,
                "name": f"Creator {i}",
                "bio": f"{niche} lover, {niche} tips and more",
                "followers": fol,
                "country": COUNTRIES[i % len(COUNTRIES)],
                "categories": [niche],
            }
        )
        er = float(np.clip(0.03 * (fol / 1e4) ** -0.2 * rng.lognormal(0, 0.3), 0.002, 0.2))
        for k in range(12):
            eng = int(fol * er * rng.lognormal(0, 0.2))
            posts.append(
                {
                    "workspace_id": ws,
                    "post_id": f"instagram:{i}_{k}",
                    "platform": "instagram",
                    "external_id": f"{i}_{k}",
                    "creator_id": cid,
                    "posted_at": now - dt.timedelta(days=5 + 3 * k),
                    "kind": "image",
                    "likes": int(eng * 0.95),
                    "comments": int(eng * 0.05),
                }
            )
        # follower samples: creators of the same niche draw from an overlapping slice of fans
        base = NICHES.index(niche) * step
        fans = base + rng.choice(fans_per_niche, size=60, replace=False)
        for f in fans:
            samples.append(
                {
                    "workspace_id": ws,
                    "creator_id": cid,
                    "relation": "follower",
                    "handle": f"fan{int(f)}",
                }
            )
    # Arrow inserts: executemany of thousands of rows is slow in DuckDB
    with store.transaction() as tx:
        tx.insert_arrow("creators", pa.Table.from_pylist(creators))
        tx.insert_arrow("posts", pa.Table.from_pylist(posts))
        tx.insert_arrow("audience_samples", pa.Table.from_pylist(samples))
    return ids
