"""A creator's follower export lands the same through every door: the CLI (``closeknit import
audience FILE --creator``), the ``closeknit`` facade, the REST API's upload and the web's upload
form each attach the same file to a creator of their own, and the four samples are the same rows
with the same rows set aside (file line, field, reason)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

import closeknit as ck
from closeknit.cli import app as cli_app
from closeknit.server import create_app
from closeknit.store import Store, open_store
from tests.api.seeding import PASSWORD, auth, build_template

COLUMNS = "Username,Full Name,Followers Count,Following Count,Media Count,Private,Profile Pic"
ROWS = [
    "ana.x,Ana X,310,290,41,No,https://cdn.example/a.jpg",
    "bot_88412,,2,7400,0,No,",
    "lee,Lee,1.2K,800,230,Yes,https://cdn.example/l.jpg",
    ",No Handle,10,10,1,No,",  # set aside: no handle
    "mo,Mo,lots,12,3,No,",  # set aside: the follower count cannot be read
    "zed,Zed,95,120,12,maybe,https://cdn.example/z.jpg",  # kept, the private flag unknown
]
FILE = "followers.csv"


def _wait(st: Store, workspace: str, filename: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        rows = st.query(
            "SELECT status, error FROM import_jobs WHERE workspace_id = ? AND filename = ? "
            "ORDER BY created_at DESC LIMIT 1",
            [workspace, filename],
        )
        if rows and rows[0]["status"] in ("done", "failed") or time.monotonic() > deadline:
            return rows[0] if rows else {}
        time.sleep(0.1)


def _sample(st: Store, workspace: str, creator_id: str) -> list[tuple[Any, ...]]:
    cols = (
        "handle, full_name, bio, followers, following, posts_count, has_profile_pic, "
        "is_private, is_verified, has_external_url, relation"
    )
    return [
        tuple(r.values())
        for r in st.query(
            f"SELECT {cols} FROM audience_samples WHERE workspace_id = ? AND creator_id = ? "
            "ORDER BY handle",
            [workspace, creator_id],
        )
    ]


def _set_aside(st: Store, workspace: str) -> list[list[tuple[Any, ...]]]:
    """Each import's rows set aside or warned about, imports in the order they ran."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for r in st.query(
        "SELECT q.batch_id, q.line, q.field, q.level, q.reason FROM quarantine q "
        "JOIN import_batches b USING (workspace_id, batch_id) "
        "WHERE q.workspace_id = ? AND b.source = 'audience' "
        "ORDER BY b.started_at, q.batch_id, q.line, q.field",
        [workspace],
    ):
        out.setdefault(r["batch_id"], []).append((r["line"], r["field"], r["level"], r["reason"]))
    return list(out.values())


def test_a_follower_export_lands_the_same_through_every_door(tmp_path: Path) -> None:
    a, _ = build_template(tmp_path / "t.duckdb")
    ws = a.workspace
    body = "\n".join([COLUMNS, *ROWS]) + "\n"
    path = tmp_path / FILE
    path.write_text(body, encoding="utf-8")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        ids = a.creators[:4]
        handles = ["@" + h for h in a.handles[:4]]
        # 1. the CLI
        r = CliRunner().invoke(
            cli_app,
            ["import", "audience", str(path), "--creator", handles[0],
             "--db", str(tmp_path / "t.duckdb"), "-w", ws, "--json"],
        )  # fmt: skip
        assert r.exit_code == 0, r.output[-2000:]
        # 2. the facade
        # (a file of its own: rows an earlier import of the same file set aside are listed
        # once, on that import's page)
        own = tmp_path / "facade"
        own.mkdir()
        (own / FILE).write_text(body, encoding="utf-8")
        ck.import_files(
            st, ws, ck.ImportIn(source="audience", path=str(own / FILE), creator=handles[1])
        )
        with TestClient(create_app(store=st), raise_server_exceptions=True) as c:
            # 3. the REST API's upload
            up = c.post(
                "/api/v1/imports",
                data={"source": "audience", "creator": handles[2]},
                files={"file": (FILE, body.encode(), "text/csv")},
                headers=auth(a.key),
            )
            assert up.status_code == 202, up.text
            assert _wait(st, ws, FILE)["status"] == "done"
            # 4. the web's upload form
            c.post("/login", data={"email": a.owner_email, "password": PASSWORD})
            token = c.get("/imports").text.split('name="csrf_token" value="')[1].split('"')[0]
            web = c.post(
                "/imports",
                data={"csrf_token": token, "source": "audience", "creator": handles[3]},
                files={"file": (FILE, body.encode(), "text/csv")},
            )
            assert web.status_code == 200, web.text[:300]
            assert _wait(st, ws, FILE)["status"] == "done"
        samples = [_sample(st, ws, cid) for cid in ids]
        assert len(samples[0]) == 4  # ana.x, bot_88412, lee, zed
        assert samples[1:] == [samples[0]] * 3
        quarantined = _set_aside(st, ws)
        assert len(quarantined) == 4
        assert [(line, fld, lvl) for line, fld, lvl, _ in quarantined[0]] == [
            (5, "username", "rejected"),
            (6, "followers count", "rejected"),
            (7, "private", "warning"),
        ]
        assert quarantined[1:] == [quarantined[0]] * 3
    finally:
        st.close()
