"""Bot comments: rules, cross-creator duplicates, build integration."""

from __future__ import annotations

import json

from closeknit.features import build, comments
from closeknit.store import Store
from tests.features import factory as F


def test_rules() -> None:
    assert comments.rule_flags("Nice pic!!") == ["generic"]
    assert comments.rule_flags("🔥🔥🔥") == ["emoji_only"]
    assert "link_spam" in comments.rule_flags("free followers at www.getfans.xyz")
    assert "link_spam" in comments.rule_flags("check my page 😍")
    assert comments.rule_flags("I made this for my mum's birthday, she loved it") == []
    assert comments.decide(["emoji_only"], None) is False  # emoji fans are real without a model
    assert comments.decide(["emoji_only"], 0.6) is True
    assert comments.decide([], 0.9) is True


def test_cross_creator_duplicates_flagged(store: Store) -> None:
    spam = "Such a vibe!! we should collaborate sometime"
    creators = [F.creator(store, f"c{i}", 5_000) for i in range(4)]
    rows = []
    for i, cid in enumerate(creators):
        pid = F.daily_posts(store, cid, 1)[0]
        for j in range(12):
            rows.append(
                {
                    "comment_id": f"instagram:{i}-{j}",
                    "post_id": pid,
                    "author_handle": f"person{i}_{j}",
                    "text": f"I tried recipe number {j} for creator {i} and it worked",
                }
            )
        if i < 3:  # the same text under three creators' posts
            rows.append(
                {
                    "comment_id": f"instagram:s{i}",
                    "post_id": pid,
                    "author_handle": "spreader",
                    "text": spam,
                }
            )
        else:  # the same words from another account, once: a coincidence, not a bot
            rows.append(
                {
                    "comment_id": "instagram:other",
                    "post_id": pid,
                    "author_handle": "someone_else",
                    "text": spam,
                }
            )
    F.comments(store, rows)
    build(store, "default")
    got = {r["creator_id"]: r for r in store.query("SELECT * FROM creator_features")}
    for cid in creators[:3]:
        r = got[cid]
        assert r["n_bot_comments"] >= 1
        ev = json.loads(r["evidence"])["bot_comments"]
        texts = [e["text"] for e in ev["examples"] if "same_text_across_creators" in e["flags"]]
        assert texts == [spam]
    ev4 = json.loads(got[creators[3]]["evidence"]).get("bot_comments", {})
    assert not any("same_text_across_creators" in e["flags"] for e in ev4.get("examples", []))
