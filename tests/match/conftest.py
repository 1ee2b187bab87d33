from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from closeknit.store import Store, open_store

# (handle, country, followers, bio, captions, audience share in GB, aged 18-24, female)
CREATORS = [
    ("homefit_gb", "GB", 8000, "home workouts in my living room",
     ["30 minute hiit at home no equipment #homeworkout #hiit",
      "resistance bands full body routine #workoutathome",
      "bodyweight burpees and plank challenge #homeworkout"], 0.7, 0.5, 0.5),
    ("homefit_us", "US", 9000, "home workout coach",
     ["living room hiit session #homeworkout",
      "resistance bands leg day at home #workoutathome"], 0.05, 0.4, 0.5),
    ("bakes_gb", "GB", 7000, "sourdough and cakes",
     ["my sourdough starter is alive #sourdough #baking",
      "chocolate cake for sunday #baking #cake"], 0.8, 0.2, 0.7),
    ("lipstick_gb", "GB", 6000, "makeup artist",
     ["red lipstick look #makeup #beauty", "eyeshadow palette tutorial #mua"], 0.7, 0.6, 0.9),
    ("runner_gb", "GB", 5000, "marathon runner",
     ["long run 20km before the marathon #running", "new pb at parkrun #runner"], 0.75, 0.3, 0.4),
    ("gamer_us", "US", 20000, "pc gaming streamer",
     ["ranked grind tonight on twitch #gaming", "new gaming headset setup #pcgaming"],
     0.02, 0.6, 0.1),
]  # fmt: skip


def load_creators(st: Store, ws: str = "default", sponsor: dict[str, str] | None = None) -> None:
    sponsor = sponsor or {}
    start = dt.datetime(2025, 1, 1)
    with st.transaction() as tx:
        for i, (h, country, fol, bio, caps, gb, young, fem) in enumerate(CREATORS):
            cid = f"instagram:{h}"
            tx.insert_rows(
                "creators",
                [
                    dict(workspace_id=ws, creator_id=cid, platform="instagram", handle=h,
                         bio=bio, followers=fol, country=country, language="en")
                ],
            )  # fmt: skip
            for j, c in enumerate(caps):
                tags = [t[1:] for t in c.split() if t.startswith("#")]
                tx.insert_rows(
                    "posts",
                    [
                        dict(workspace_id=ws, post_id=f"instagram:{i}{j}", platform="instagram",
                             external_id=f"{i}{j}", creator_id=cid,
                             posted_at=start + dt.timedelta(days=10 * j + i), caption=c,
                             hashtags=tags, likes=fol // 50 + j, comments=5,
                             sponsor_brands=[sponsor[h]] if h in sponsor and j == 0 else [])
                    ],
                )  # fmt: skip
            demo = [("country", "GB", gb), ("country", "US", 1 - gb), ("age", "18-24", young),
                    ("age", "25-34", 1 - young), ("gender", "F", fem),
                    ("gender", "M", 1 - fem)]  # fmt: skip
            tx.insert_rows(
                "audience_demographics",
                [dict(workspace_id=ws, creator_id=cid, dimension=d, bucket=b, share=s)
                 for d, b, s in demo],
            )  # fmt: skip
            for k in range(10):
                # homefit_gb and homefit_us share most sampled followers
                who = "fan" if h.startswith("homefit") else h
                tx.insert_rows(
                    "audience_samples",
                    [dict(workspace_id=ws, creator_id=cid, relation="follower",
                          handle=f"{who}_{k}")],
                )  # fmt: skip


@pytest.fixture
def small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("CLOSEKNIT_EMBED_MODEL", "hash")
    st = open_store(tmp_path / "m.duckdb", create=True)
    load_creators(st, sponsor={"runner_gb": "StrideLab"})
    try:
        yield st
    finally:
        st.close()


# an expression that changes every row's value of a column, by type
_CHANGE = {
    "BIGINT": "coalesce({c}, 0) * 3 + 7",
    "BOOLEAN": "NOT coalesce({c}, false)",
    "VARCHAR": "coalesce({c}, '') || 'x'",
    "VARCHAR[]": "list_append(coalesce({c}, []::VARCHAR[]), 'zz')",
    "TIMESTAMP": "coalesce({c}, TIMESTAMP '2024-06-01') - INTERVAL 5 DAY",
    "DATE": "coalesce({c}, DATE '2024-06-01') - INTERVAL 5 DAY",
    "JSON": "'{{\"a\": 1}}'",
}


def column_edits(
    tmp_path: Path, table: str, keys: tuple[str, ...]
) -> Iterator[tuple[str, Store, Callable[[], None]]]:
    """For each column of ``table`` but ``keys``: (its name, a fresh store of CREATORS, a call
    that changes every row's value of that column). Each store is closed before the next."""
    import shutil

    template = tmp_path / f"{table}-template.duckdb"
    probe = open_store(template, create=True)
    load_creators(probe)
    cols = probe.query(
        "SELECT column_name AS c, data_type AS t FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    )
    probe.close()
    for col in cols:
        if col["c"] in keys:
            continue
        path = tmp_path / f"{table}-{col['c']}.duckdb"
        shutil.copyfile(template, path)  # the schema and rows, without migrating again
        st = open_store(path)
        change = _CHANGE[col["t"]].format(c=col["c"])
        try:
            yield (
                col["c"],
                st,
                lambda st=st, c=col["c"], e=change: st.execute(f"UPDATE {table} SET {c} = {e}"),
            )
        finally:
            st.close()
