"""Engagement pods: creators who comment on each other's posts within minutes, as a group.

The co-comment graph (``sql/inputs/fast_cocomments.sql``) has a directed edge A→B for each post of
B that A, itself a creator of the workspace, commented on within ``POD_WINDOW_MINUTES`` of
posting. A pair is *reciprocal* when each side did so on at least ``MIN_FAST_POSTS`` of the
other's posts. Pods are the dense groups of that reciprocal graph: after pruning to its 2-core
(every member tied to at least two others), connected groups of at least ``MIN_POD_SIZE`` members
with edge density ≥ ``MIN_DENSITY``. A pair of friends who answer each other quickly is not a
pod; neither is a group that comments slowly. A member's ``pod_score`` is the share of its
posts that received a fast comment from a fellow member (0..1).

A pod's other members are often not in the workspace (a brand imports the creators it looks at,
not their pod mates), so the graph cannot see them. A *fast-comment ring* is what one creator's
own comments show of it: at least ``MIN_POD_SIZE`` accounts (any accounts, creators or not)
that each commented within ``POD_WINDOW_MINUTES`` on at least ``RING_MIN_SHARE`` of the
creator's posts with comments, and on at least ``RING_MIN_POSTS`` of them
(``sql/inputs/fast_repeat_comments.sql``). One fan with notifications on is not a ring, nor two
friends; a group that turns up within minutes on most posts is how a pod, or bought comments,
look from outside. A creator in no pod but with a ring gets ``pod_score`` = the share of its
posts with comments that received a fast comment from a ring account, no ``pod_id``, and the
accounts as evidence.

**Comments left out of the reply rate** (:func:`reply_left_out`): a pod partner's or a ring
account's comment is not one of the creator's people to answer (the creator answers its fans, not
the pod's quota of comments), so the two-way stream is taken without them. The rule is local, so
that ``sql/replies_people.sql`` computes the very same accounts in one SELECT (pods above need a
2-core and connected groups, which SQL cannot do): a *pod tie* is a reciprocal pair (as above)
that shares a third reciprocal partner (a triangle: a pair of friends is not a pod); a creator's
*pod partners* are the creators one or two pod ties away. On the seed-1 world of 5,000 creators
they are exactly the members of each found pod (204 of 204); a large pod's members who were not
fast on two of each other's posts are reached through a common partner. Plus, whether or not it
is in a pod, the accounts of the creator's fast-comment ring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import pandas as pd

POD_WINDOW_MINUTES = 10
MIN_FAST_POSTS = 2
MIN_POD_SIZE = 3
MIN_DENSITY = 0.5
RING_MIN_POSTS = 6
RING_MIN_SHARE = 0.5


def find_pods(edges: pd.DataFrame, n_posts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Per pod member: pod_score, pod_id, pod_members and evidence. Non-members are absent."""
    if edges.empty:
        return {}
    directed = (
        edges.groupby(["commenter_id", "poster_id"])
        .agg(posts=("post_id", "nunique"), delay=("delay_minutes", "median"))
        .reset_index()
    )
    strong = directed[directed["posts"] >= MIN_FAST_POSTS]
    counts = {
        (a, b): (int(n), float(d))
        for a, b, n, d in zip(
            strong["commenter_id"], strong["poster_id"], strong["posts"], strong["delay"],
            strict=True,
        )
    }  # fmt: skip
    adj: dict[str, set[str]] = defaultdict(set)
    for a, b in _reciprocal(counts.keys()):  # both orders: each pair adds both ways
        adj[a].add(b)
    # 2-core: drop members tied to fewer than two others until none is left to drop
    changed = True
    while changed:
        changed = False
        for node in [n for n, nb in adj.items() if len(nb) < 2]:
            for other in adj.pop(node):
                if other in adj:
                    adj[other].discard(node)
            changed = True
    seen: set[str] = set()
    out: dict[str, dict[str, Any]] = {}
    post_sets = edges.groupby(["poster_id", "commenter_id"])["post_id"].agg(set).to_dict()
    for start in sorted(adj):
        if start in seen:
            continue
        comp: list[str] = []
        stack = [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            comp.append(node)
            for nb in adj[node]:
                if nb not in seen:
                    seen.add(nb)
                    stack.append(nb)
        size = len(comp)
        if size < MIN_POD_SIZE:
            continue
        n_edges = sum(len(adj[n]) for n in comp) // 2
        density = n_edges / (size * (size - 1) / 2)
        if density < MIN_DENSITY:
            continue
        members = sorted(comp)
        pod_id = f"pod:{members[0]}"
        for m in members:
            boosted: set[str] = set()
            for other in adj[m]:
                boosted |= post_sets.get((m, other), set())
            total = max(n_posts.get(m, 0), len(boosted), 1)
            pairs = [
                {
                    "partner": o,
                    "fast_comments_given": counts[(m, o)][0],
                    "fast_comments_received": counts[(o, m)][0],
                    "median_delay_minutes": round(counts[(o, m)][1], 1),
                }
                for o in sorted(adj[m])
            ]
            out[m] = {
                "pod_score": len(boosted) / total,
                "pod_id": pod_id,
                "pod_members": members,
                "evidence": {
                    "pod_size": size,
                    "density": round(density, 3),
                    "posts_boosted": len(boosted),
                    "posts_total": total,
                    "reciprocal_partners": pairs,
                    "window_minutes": POD_WINDOW_MINUTES,
                },
            }
    return out


def _ties(edges: pd.DataFrame) -> set[tuple[str, str]]:
    """Reciprocal pairs (both orders): each fast on MIN_FAST_POSTS of the other's posts."""
    if edges.empty:
        return set()
    n = edges.groupby(["commenter_id", "poster_id"])["post_id"].nunique()
    n = n[n >= MIN_FAST_POSTS]
    a_ids = n.index.get_level_values(0).astype(str)
    b_ids = n.index.get_level_values(1).astype(str)
    return _reciprocal(set(zip(a_ids, b_ids, strict=True)))


def _reciprocal(strong: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs of ``strong`` (commenter, poster) whose reverse is in it too: both orders."""
    return {(a, b) for a, b in strong if (b, a) in strong}


def pod_partners(edges: pd.DataFrame) -> dict[str, set[str]]:
    """Per creator, the creators whose comments are its pod's (module docstring): one or two
    pod ties away, a pod tie being a reciprocal pair with a common reciprocal partner."""
    recip = _ties(edges)
    nb: dict[str, set[str]] = defaultdict(set)
    for a, b in recip:
        nb[a].add(b)
    tie: dict[str, set[str]] = defaultdict(set)
    for a, b in recip:
        if nb[a] & nb[b]:
            tie[a].add(b)
    out: dict[str, set[str]] = {}
    for a, near in tie.items():
        got = set(near)
        for c in near:
            got |= tie.get(c, set())
        got.discard(a)
        out[a] = got
    return out


def reply_left_out(edges: pd.DataFrame, fast: pd.DataFrame) -> dict[str, list[str]]:
    """Per creator, the accounts (lower-case handles) whose comments its reply rate leaves out:
    its pod partners (:func:`pod_partners`) and its fast-comment ring's accounts (as
    :func:`find_rings` finds them). ``edges`` is ``sql/inputs/fast_cocomments.sql``'s output,
    ``fast`` ``sql/inputs/fast_repeat_comments.sql``'s; ``sql/replies_people.sql`` computes the
    same accounts from the same two queries."""
    out: dict[str, set[str]] = defaultdict(set)
    if not edges.empty:
        handle = dict(zip(edges["commenter_id"], edges["commenter_handle"], strict=True))
        for cid, partners in pod_partners(edges).items():
            out[cid] |= {str(handle[p]).lower() for p in partners}
    for cid, ring in find_rings(fast).items():
        out[cid] |= {str(a["account"]) for a in ring["evidence"]["ring_accounts"]}
    return {cid: sorted(v) for cid, v in out.items() if v}


def find_rings(fast: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per creator with a fast-comment ring: pod_score, pod_id (None), pod_members ([]) and
    evidence. ``fast`` has one row per (creator_id, author, post_id) of the accounts that
    commented fast on enough of the creator's posts, with delay_minutes and commented_posts."""
    out: dict[str, dict[str, Any]] = {}
    if fast.empty:
        return out
    for cid, g in fast.groupby("creator_id", sort=True):
        per = (
            g.groupby("author")
            .agg(posts=("post_id", "nunique"), delay=("delay_minutes", "median"))
            .sort_values(["posts", "delay"], ascending=[False, True])
        )
        if len(per) < MIN_POD_SIZE:
            continue
        total = int(g["commented_posts"].iloc[0])
        boosted = int(g["post_id"].nunique())
        out[str(cid)] = {
            "pod_score": boosted / max(total, boosted, 1),
            "pod_id": None,
            "pod_members": [],
            "evidence": {
                "kind": "fast-comment ring",
                "ring_accounts": [
                    {
                        "account": str(a),
                        "fast_posts": int(r.posts),
                        "median_delay_minutes": round(float(r.delay), 1),
                    }
                    for a, r in per.iterrows()
                ],
                "posts_boosted": boosted,
                "posts_total": total,
                "window_minutes": POD_WINDOW_MINUTES,
                "min_share": RING_MIN_SHARE,
            },
        }
    return out
