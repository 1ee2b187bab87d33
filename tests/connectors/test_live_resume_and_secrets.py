"""`closeknit fetch ...` end to end: a real kill mid-run, resume, and a canary token that must
never appear in logs, errors, stored rows or the DuckDB file."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.connectors import graph_api as ga
from closeknit.connectors import tiktok as tt
from closeknit.connectors import youtube_api as yt
from closeknit.connectors.http import MalformedResponse, QuotaExceeded
from closeknit.connectors.state import get_mark
from closeknit.store import open_store
from tests.connectors.recorded.server import RecordedServer, Req, recorded, serve

CANARY = "CANARY-zz91-token-do-not-leak"
ME = "17841499999999999"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def srv() -> Iterator[RecordedServer]:
    with serve() as s:
        yield s


def cursor(r: Req) -> str | None:
    m = re.search(r"media\.after\(([^)]*)\)", r.query.get("fields", ""))
    return m.group(1) if m else None


def test_kill_mid_run_then_resume(tmp_path: Path, srv: RecordedServer) -> None:
    db = tmp_path / "k.duckdb"
    env = {**os.environ, "IG_ACCESS_TOKEN": CANARY}
    cmd = [
        sys.executable,
        "-c",
        # the fetch sub-app alone: the root CLI imports every domain, slow on a busy machine
        "from closeknit.cli.live import fetch_app; fetch_app()",
        "instagram-graph",
        "ana.runs",
        "--ig-user-id",
        ME,
        "--base-url",
        srv.url,
        "--db",
        str(db),
        "--json",
    ]
    # the 4th page hangs; once the fetcher asks for it, pages 1..3 are committed: kill it there
    srv.hang_when = lambda r: cursor(r) == "CURSOR_C"
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert srv.hanging.wait(60), proc.stderr.read().decode() if proc.stderr else ""
        proc.kill()
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert CANARY.encode() not in out + err
    srv.hang_when = None
    srv.release.set()
    with open_store(db) as st:
        assert st.count("posts", "default") == 4  # pages 1-3: 3 + 0 + 1
        assert get_mark(st, "default", "instagram_graph", "media:ana.runs") == {
            "after": "CURSOR_C",
            "done": False,
            "newest": "2024-06-19T08:00:00",
            "since": None,
        }
    srv.requests.clear()
    # the rerun goes in-process (a second interpreter start costs seconds on a busy machine)
    with open_store(db) as st:
        cl = ga.client(CANARY, base_url=srv.url, sleep=lambda s: None)
        res = ga.fetch_business_discovery(st, "default", "ana.runs", client=cl, ig_user_id=ME)
        assert res.resumed_from is not None and res.done
        assert [cursor(r) for r in srv.requests] == ["CURSOR_C"]  # resumed at the saved mark
        assert st.count("posts", "default") == 6
        assert st.scalar("SELECT count(DISTINCT post_id) FROM posts") == 6
        assert st.count("creators", "default") == 1
        mark = get_mark(st, "default", "instagram_graph", "media:ana.runs")
        assert mark == {"after": None, "done": True, "newest": "2024-06-19T08:00:00"}


def test_cli_youtube_token_from_env(tmp_path: Path, srv: RecordedServer) -> None:
    runner = CliRunner()
    db = tmp_path / "c.duckdb"
    args = ["fetch", "youtube", "@trailkitchen", "--base-url", srv.url, "--db", str(db)]
    r = runner.invoke(app, [*args, "--json"], env={"YOUTUBE_API_KEY": CANARY})
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["done"] and d["rows"]["posts"] == 7 and d["quota_units"] == 15
    assert CANARY not in r.output
    assert all(r.query.get("key") == CANARY for r in srv.requests)  # API keys go as ?key=
    # --token-env names another variable; --oauth sends it as a Bearer header instead
    srv.requests.clear()
    r = runner.invoke(
        app, [*args, "--oauth", "--token-env", "MY_YT", "--json"], env={"MY_YT": CANARY}
    )
    assert r.exit_code == 0, r.output
    assert all(q.headers.get("authorization") == f"Bearer {CANARY}" for q in srv.requests)
    assert all("key" not in q.query for q in srv.requests)


def test_cli_without_token_fails_in_one_line(tmp_path: Path, srv: RecordedServer) -> None:
    r = CliRunner().invoke(
        app,
        ["fetch", "tiktok", "--base-url", srv.url, "--db", str(tmp_path / "x.duckdb")],
        env={"TIKTOK_TOKEN": ""},
    )
    assert r.exit_code != 0
    assert "TIKTOK_TOKEN" in r.output and srv.requests == []


def test_cli_quota_plan_and_refusal(tmp_path: Path, srv: RecordedServer) -> None:
    runner = CliRunner()
    db = str(tmp_path / "q.duckdb")
    r = runner.invoke(
        app, ["fetch", "youtube", "@x", "--plan", "--max-videos", "120", "--db", db, "--json"]
    )
    assert r.exit_code == 0, r.output
    plan = json.loads(r.output)
    assert plan["units"] == 1 + 3 + 3 + 120 and plan["fits"] is True
    r = runner.invoke(
        app,
        [
            "fetch",
            "youtube",
            "@trailkitchen",
            "--budget",
            "50",
            "--base-url",
            srv.url,
            "--db",
            db,
            "--json",
        ],
        env={"YOUTUBE_API_KEY": CANARY},
    )
    assert r.exit_code != 0
    err = json.loads(r.output)["error"]
    assert err["type"] == "QuotaExceeded" and srv.requests == []


def test_cli_state_lists_marks(tmp_path: Path, srv: RecordedServer) -> None:
    runner = CliRunner()
    db = str(tmp_path / "s.duckdb")
    r = runner.invoke(
        app,
        ["fetch", "tiktok", "--base-url", srv.url, "--db", db, "--json"],
        env={"TIKTOK_TOKEN": CANARY},
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["fetch", "state", "--db", db, "--json"])
    rows = json.loads(r.output)
    assert [(x["connector"], x["key"]) for x in rows] == [("tiktok", "display:mia.makes")]


def test_canary_token_never_leaks(
    tmp_path: Path, srv: RecordedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "leak.duckdb"
    messages: list[str] = []
    now = _dt.datetime(2024, 6, 1, tzinfo=_dt.UTC)
    # every connector retries once and fails once, the YouTube key travelling as ?key=
    srv.fault(lambda r: r.path.endswith("/videos"), 500, raw=b"<html>down</html>")
    srv.fault(lambda r: cursor(r) == "CURSOR_A", 429, {}, Retry_After="1")
    srv.fault(lambda r: r.path.startswith("/v2/video/list"), 502, raw=b"bad gateway")
    bad = recorded("youtube/videos.json")
    bad["items"][0]["statistics"]["viewCount"] = {"oops": 1}  # quarantined
    srv.fault(lambda r: r.path.endswith("/videos"), 200, bad)
    # a platform echoing the token inside an item (as Graph `paging.next` URLs do)
    echo = recorded("graph/bd_p2.json")
    echo["business_discovery"]["media"]["data"] = [
        {
            "id": "17900000000000099",
            "caption": "x",
            "timestamp": "2024-06-01T00:00:00+0000",
            "debug_next": f"https://graph.facebook.com/v21.0/1?access_token={CANARY}&after=Q",
        }
    ]
    srv.fault(lambda r: cursor(r) == "CURSOR_B", 200, echo)
    with open_store(db, create=True) as st:
        ycl = yt.client(CANARY, base_url=srv.url, sleep=lambda s: None)
        yt.fetch_channel(st, "default", "@trailkitchen", client=ycl, now=now)
        gcl = ga.client(CANARY, base_url=srv.url, sleep=lambda s: None)
        ga.fetch_business_discovery(st, "default", "ana.runs", client=gcl, ig_user_id=ME)
        tcl = tt.client(CANARY, base_url=srv.url, sleep=lambda s: None)
        tt.fetch_display(st, "default", client=tcl)
        srv.fault(lambda r: r.path.endswith("/channels"), 200, raw=b"{not json")
        with pytest.raises(MalformedResponse) as e1:
            yt.fetch_channel(st, "default", "@trailkitchen", client=ycl, now=now)
        messages.append(str(e1.value))
        srv.fault(
            lambda r: r.path.endswith("/channels"), 403, recorded("youtube/quota_exceeded.json")
        )
        with pytest.raises(QuotaExceeded) as e2:
            yt.fetch_channel(st, "default", "@trailkitchen", client=ycl, now=now)
        messages.append(str(e2.value))
        assert any(CANARY in r.raw_url for r in srv.requests)  # it was really sent as ?key=
        assert "key=***" in messages[0]
        assert st.count("quarantine", "default") == 1
        for table in (
            "raw_records",
            "quarantine",
            "import_batches",
            "connector_state",
            "creators",
            "posts",
            "comments",
        ):
            for row in st.query(f"SELECT * FROM {table}"):
                assert CANARY not in json.dumps(row, default=str), table
        assert st.count("posts", "default") == 7 + 7 + 4 - 1
        echoed = st.scalar("SELECT payload FROM raw_records WHERE payload LIKE '%debug_next%'")
        assert "access_token=***" in echoed  # stored, with the token scrubbed
        st.checkpoint()
    assert caplog.records, "expected retry log lines"
    assert "HTTP Request" in caplog.text
    assert CANARY not in caplog.text
    for m in messages:
        assert CANARY not in m
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("leak"))
    assert CANARY.encode() not in blob
