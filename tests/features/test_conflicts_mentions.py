"""The competitor check also finds a competitor @mentioned in posts not marked as paid (an
undisclosed deal looks like that: 585 creator-brand pairs of a 5,000-creator world had the brand
only in such posts, and "--competitors peakpack" said nothing), and says when it found nothing.
The same words on the CLI, in the JSON and on the web."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.features import disclosure
from closeknit.server import create_app
from closeknit.service import accounts
from closeknit.service import creators as svc
from closeknit.store import Store, open_store
from tests.features import factory as F

COMPETITORS = ["peakpack", "Gear Co", "nobodyco"]
WORDS = [
    "mentions @peakpack in 1 post not marked as paid: may be an undisclosed deal",
    "worked with gearco: named in 1 post disclosed as paid",
    "no post mentions nobodyco (as an @mention or a sponsor tag)",
]


def _creator(store: Store) -> list[str]:
    cid = F.creator(store, "luca", 8_000)
    t = F.T0
    return F.posts(
        store,
        cid,
        [
            {"posted_at": t, "caption": "new drop with @gearco #ad", "hashtags": ["ad"],
             "mentions": ["gearco"], "likes": 90, "comments": 3},
            {"posted_at": t - dt.timedelta(days=2), "caption": "que dia ✨ @peakpack",
             "mentions": ["peakpack"], "likes": 80, "comments": 2},
            {"posted_at": t - dt.timedelta(days=4), "caption": "morning run", "likes": 70,
             "comments": 1},
        ],
    )  # fmt: skip


def test_mentions_in_unmarked_posts_are_a_separate_finding() -> None:
    posts = [
        {"post_id": "a", "disclosed": True, "sponsor_brands": [], "mentions": ["gearco"]},
        {"post_id": "b", "disclosed": False, "mentions": ["@PeakPack", "friend"]},
        {"post_id": "c", "disclosed": False, "mentions": ["peakpack"]},
    ]
    assert disclosure.mentions_of(posts) == {"peakpack": ["b", "c"], "friend": ["b"]}
    paid = disclosure.conflicts(disclosure.brands_of(posts), ["peak pack", "gearco"])
    marked = disclosure.conflicts(disclosure.mentions_of(posts), ["peak pack", "gearco"])
    got = disclosure.competitor_findings(["peak pack", "gearco", "none"], paid, marked)
    assert [(f["kind"], f["text"]) for f in got] == [
        ("unmarked_mention",
         "mentions @peakpack in 2 posts not marked as paid: may be an undisclosed deal"),
        ("paid", "worked with gearco: named in 1 post disclosed as paid"),
        ("none", "no post mentions none (as an @mention or a sponsor tag)"),
    ]  # fmt: skip


def test_vet_says_what_the_competitor_check_found_on_every_interface(
    store: Store, tmp_path: Path
) -> None:
    pids = _creator(store)
    rep = svc.vet(store, "default", svc.VetIn(creator="@luca", competitors=COMPETITORS))
    s = rep.sponsorship
    assert [(c.competitor, c.brand, c.post_ids) for c in s.competitor_conflicts] == [
        ("Gear Co", "gearco", [pids[0]])
    ]
    assert [(c.competitor, c.brand, c.post_ids) for c in s.competitor_mentions] == [
        ("peakpack", "peakpack", [pids[1]])
    ]
    assert [f.text for f in s.competitor_findings] == WORDS
    assert [f.kind for f in s.competitor_findings] == ["unmarked_mention", "paid", "none"]

    accounts.create_user(
        store, "o@t.test", "a long enough password", workspace="default", role="owner"
    )
    path = store.path
    store.close()
    run = CliRunner().invoke
    args = ["vet", "@luca", "--db", str(path), "--competitors", ",".join(COMPETITORS)]
    out = run(app, args, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    for w in WORDS:
        assert w in " ".join(out.output.split())  # as read, whatever the terminal's width
    assert f"posts: {pids[1]}" in " ".join(out.output.split())
    js = json.loads(run(app, [*args, "--json"]).output)
    assert [f["text"] for f in js["sponsorship"]["competitor_findings"]] == WORDS
    assert js["sponsorship"]["competitor_mentions"][0]["post_ids"] == [pids[1]]

    st = open_store(path)
    try:
        c = TestClient(create_app(store=st), raise_server_exceptions=True)
        c.post("/login", data={"email": "o@t.test", "password": "a long enough password"})
        page = c.get("/creators/instagram:luca", params={"competitors": ",".join(COMPETITORS)})
        assert page.status_code == 200, page.text[:300]
        for w in WORDS:
            assert (w[0].upper() + w[1:] + ".") in page.text
        assert "No posts for" not in page.text
    finally:
        st.close()
