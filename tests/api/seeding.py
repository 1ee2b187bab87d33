"""Deterministic little workspaces for the API and web tests (rows written straight into the
canonical tables, so these tests do not depend on the importers)."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from argon2 import PasswordHasher

from closeknit.service import accounts, plans
from closeknit.store import Store, open_store

PASSWORD = "correct horse battery staple"
NICHES = ["vegan", "fitness", "coffee", "travel", "baking", "running"]


@dataclass
class Seeded:
    workspace: str
    owner_email: str
    viewer_email: str
    key: str
    creators: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    campaign_id: str = ""
    brief_id: str = ""
    batch_id: str = ""
    job_id: str = ""
    list_id: str = ""
    plan_id: str = ""
    key_id: str = ""
    user_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)


def seed_workspace(store: Store, ws: str, *, n: int = 12, seed: int = 1) -> Seeded:
    rng = random.Random(seed)
    owner = accounts.create_user(store, f"owner@{ws}.test", PASSWORD, workspace=ws, role="owner")
    accounts.create_user(store, f"viewer@{ws}.test", PASSWORD, workspace=ws, role="viewer")
    editor = accounts.create_user(store, f"editor@{ws}.test", PASSWORD, workspace=ws, role="editor")
    meta, key = accounts.create_key(store, ws, name="tests", role="owner", user_id=owner["user_id"])
    s = Seeded(
        ws,
        f"owner@{ws}.test",
        f"viewer@{ws}.test",
        key,
        key_id=meta["key_id"],
        user_id=editor["user_id"],
    )
    today = dt.date(2026, 11, 1)
    creators, posts, comments, snaps, demo = [], [], [], [], []
    for i in range(n):
        niche = NICHES[i % len(NICHES)]
        handle = f"{ws}_{niche}_{i}"
        cid = f"instagram:{handle}"
        followers = int(2000 * (1.6**i)) + rng.randint(0, 500)
        creators.append(
            {
                "workspace_id": ws,
                "creator_id": cid,
                "platform": "instagram",
                "handle": handle,
                "external_id": f"{seed}{i:05d}",
                "name": f"{niche.title()} Creator {i}",
                "bio": f"{niche} lover sharing {niche} tips and recipes",
                "followers": followers,
                "following": 300 + i,
                "posts_count": 100 + i,
                "verified": False,
                "country": "GB",
                "language": "en",
                "source": "test",
            }
        )
        for d in range(30):
            f = followers - (30 - d) * 20
            if i == 1 and d >= 20:
                f += 5000  # a bought-follower spike
            snaps.append(
                {
                    "workspace_id": ws,
                    "creator_id": cid,
                    "date": today - dt.timedelta(days=30 - d),
                    "followers": f,
                    "following": 300,
                    "source": "test",
                }
            )
        for j in range(12):
            pid = f"instagram:{ws}{i}p{j}"
            sponsored = j % 5 == 0
            posts.append(
                {
                    "workspace_id": ws,
                    "post_id": pid,
                    "platform": "instagram",
                    "external_id": f"{ws}{i}p{j}",
                    "creator_id": cid,
                    "posted_at": dt.datetime(2026, 10, 1) + dt.timedelta(days=2 * j),
                    "kind": "image",
                    "caption": f"my {niche} day #{niche}" + (" #ad" if sponsored else ""),
                    "likes": int(followers * rng.uniform(0.01, 0.05)),
                    "comments": rng.randint(3, 40),
                    "is_sponsored": sponsored,
                    "sponsor_brands": ["acme"] if sponsored else [],
                    "source": "test",
                }
            )
            for k in range(2):
                comments.append(
                    {
                        "workspace_id": ws,
                        "comment_id": f"instagram:{ws}{i}c{j}_{k}",
                        "post_id": pid,
                        "author_handle": f"fan{k}_{i}",
                        "text": f"love this {niche} post!",
                        "posted_at": dt.datetime(2026, 10, 2) + dt.timedelta(days=2 * j),
                        "likes": k,
                        "is_creator_reply": False,
                        "source": "test",
                    }
                )
        for b, sh in (("F", 0.6), ("M", 0.4)):
            demo.append(
                {
                    "workspace_id": ws,
                    "creator_id": cid,
                    "dimension": "gender",
                    "bucket": b,
                    "share": sh,
                    "source": "test",
                }
            )
        s.creators.append(cid)
        s.handles.append(handle)
    with store.transaction() as tx:
        for table, rows in (
            ("creators", creators),
            ("posts", posts),
            ("comments", comments),
            ("follower_snapshots", snaps),
            ("audience_demographics", demo),
        ):
            tx.insert_arrow(table, pa.Table.from_pylist(rows))
        tx.insert_rows(
            "raw_records",
            [
                {
                    "workspace_id": ws,
                    "record_hash": f"h{ws}{i}",
                    "source": "test",
                    "kind": "creator",
                    "payload": json.dumps({"username": h, "full_name": "x"}),
                }
                for i, h in enumerate(s.handles)
            ],
        )
        s.brief_id = f"b_{ws}"
        tx.execute(
            "INSERT INTO briefs (workspace_id, brief_id, text, filters) VALUES (?,?,?,?)",
            [ws, s.brief_id, "vegan snacks for runners", "{}"],
        )
        s.campaign_id = f"c_{ws}"
        tx.execute(
            "INSERT INTO campaigns (workspace_id, campaign_id, name, budget, start_date, end_date,"
            " status) VALUES (?,?,?,?,?,?,?)",
            [
                ws,
                s.campaign_id,
                f"Launch {ws}",
                5000.0,
                dt.date(2026, 10, 1),
                dt.date(2026, 10, 31),
                "active",
            ],
        )
        for i, cid in enumerate(s.creators[:4]):
            tx.execute(
                "INSERT INTO campaign_creators (workspace_id, campaign_id, creator_id, stage, fee,"
                " discount_code) VALUES (?,?,?,?,?,?)",
                [ws, s.campaign_id, cid, "shortlisted", 300.0 + 100 * i, f"{ws.upper()}CODE{i}"],
            )
            tx.execute(
                "INSERT INTO spend (workspace_id, spend_id, campaign_id, creator_id, date, amount,"
                " kind) VALUES (?,?,?,?,?,?,?)",
                [
                    ws,
                    f"s_{ws}{i}",
                    s.campaign_id,
                    cid,
                    dt.date(2026, 10, 2),
                    300.0 + 100 * i,
                    "fee",
                ],
            )
        orders = []
        for o in range(60):
            code = f"{ws.upper()}CODE{o % 5}" if o % 3 else None
            orders.append(
                {
                    "workspace_id": ws,
                    "order_id": f"{ws}-o{o}",
                    "source": "test",
                    "created_at": dt.datetime(2026, 10, 1) + dt.timedelta(hours=11 * o),
                    "customer_id": f"cust{o % 40}",
                    "is_new_customer": o % 2 == 0,
                    "currency": "USD",
                    "subtotal": 50.0 + o,
                    "total": 55.0 + o,
                    "discount_amount": 5.0 if code else 0.0,
                    "refunded": 0.0,
                    "discount_codes": [code] if code else [],
                }
            )
        tx.insert_arrow("orders", pa.Table.from_pylist(orders))
        s.batch_id = f"batch_{ws}"
        tx.execute(
            "INSERT INTO import_batches (batch_id, workspace_id, source, status) VALUES (?,?,?,?)",
            [s.batch_id, ws, "test", "done"],
        )
        s.list_id = f"l_{ws}"
        tx.execute(
            "INSERT INTO creator_lists (workspace_id, list_id, name) VALUES (?, ?, ?)",
            [ws, s.list_id, f"Shortlist {ws}"],
        )
        tx.execute(
            "INSERT INTO creator_list_items (workspace_id, list_id, creator_id, note) "
            "VALUES (?, ?, ?, ?)",
            [ws, s.list_id, s.creators[0], "first pick"],
        )
        s.job_id = f"j_{ws}"
        tx.execute(
            "INSERT INTO import_jobs (job_id, workspace_id, source, status) VALUES (?,?,?,?)",
            [s.job_id, ws, "test", "done"],
        )
    inv = accounts.invite_as_operator(
        store, ws, accounts.InviteIn(email=f"invited@{ws}.test", role="viewer")
    )
    # a saved plan (the planner's own answer, so that reading it back is a real PlanOut)
    s.plan_id = plans.plan(
        store,
        ws,
        plans.PlanIn(
            text="vegan snacks for runners",
            budget=5000,
            min_relevance=0.0,
            on_brief_share=0.0,
            save=True,
        ),
    ).plan_id
    s.ids = {
        "creator": s.creators[0],
        "campaign_id": s.campaign_id,
        "brief_id": s.brief_id,
        "batch_id": s.batch_id,
        "job_id": s.job_id,
        "list_id": s.list_id,
        "plan_id": s.plan_id,
        "key_id": s.key_id,
        "user_id": s.user_id,
        "workspace_id": s.workspace,
        "invite_id": inv.invite_id,
    }
    return s


def fast_hashing() -> None:
    """Cheap argon2 parameters for tests only (the shipped defaults cost ~0.1-0.8 s a hash)."""
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def build_template(path: Path) -> tuple[Seeded, Seeded]:
    """Seed two workspaces into a fresh store at ``path`` and close it (copied per test)."""
    fast_hashing()
    st = open_store(path, create=True)
    try:
        return seed_workspace(st, "alpha", seed=1), seed_workspace(st, "beta", seed=2)
    finally:
        st.checkpoint()
        st.close()


def auth(key: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {key}"}
