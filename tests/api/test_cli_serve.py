"""CLI: users add, keys create, export-creator, erase; first-run owner creation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from closeknit.cli import app
from closeknit.service import accounts
from closeknit.store import open_store
from tests.api.seeding import Seeded


def test_cli_accounts_and_privacy(tmp_path: Path, template_db: tuple[Path, Seeded, Seeded]) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copy(template_db[0], db)
    a = template_db[1]
    run = CliRunner()
    env = {"CLOSEKNIT_USER_PASSWORD": "a long enough password"}
    r = run.invoke(
        app,
        [
            "users",
            "add",
            "new@alpha.test",
            "--role",
            "viewer",
            "--db",
            str(db),
            "-w",
            "alpha",
            "--json",
        ],
        env=env,
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["role"] == "viewer"
    r = run.invoke(
        app, ["keys", "create", "--name", "ci", "--db", str(db), "-w", "alpha", "--json"]
    )
    assert r.exit_code == 0, r.output
    key = json.loads(r.output)["key"]
    st = open_store(db)
    try:
        assert accounts.key_principal(st, key) is not None
        assert key.encode() not in db.read_bytes()
    finally:
        st.close()
    out = tmp_path / "export.json"
    r = run.invoke(
        app,
        [
            "export-creator",
            f"@{a.handles[0]}",
            "--out",
            str(out),
            "--db",
            str(db),
            "-w",
            "alpha",
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["tables"]["posts"]
    r = run.invoke(
        app, ["erase", f"@{a.handles[0]}", "--yes", "--db", str(db), "-w", "alpha", "--json"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["rows_deleted"] > 0
    r = run.invoke(app, ["erase", "@nobody", "--yes", "--db", str(db), "-w", "alpha"])
    assert r.exit_code != 0


def test_first_run_creates_one_owner(tmp_path: Path) -> None:
    st = open_store(tmp_path / "fresh.duckdb", create=True)
    try:
        created = accounts.first_owner(st, "default", "boss@shop.test", None)
        assert created is not None and created.one_time_password  # generated, shown once
        user = accounts.authenticate(st, "boss@shop.test", created.one_time_password)
        assert accounts.role_of(st, "default", user["user_id"]) == "owner"
        assert accounts.first_owner(st, "default", "other@shop.test", None) is None  # not twice
    finally:
        st.close()


def test_cli_invite_and_webhook_secret(
    tmp_path: Path, template_db: tuple[Path, Seeded, Seeded]
) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copy(template_db[0], db)
    run = CliRunner()
    r = run.invoke(
        app, ["users", "invite", "later@alpha.test", "--db", str(db), "-w", "alpha", "--json"]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["status"] == "pending" and out["accept_path"].startswith("/invite?token=inv_")
    secret = "shpss_cli_secret_0123456789"
    r = run.invoke(
        app,
        ["webhooks", "set-secret", "--db", str(db), "-w", "alpha", "--json"],
        env={"CLOSEKNIT_SHOPIFY_SECRET": secret},
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["configured"] is True and secret not in r.output
    st = open_store(db)
    try:
        assert accounts.role_of(st, "alpha", "nobody") is None
        assert st.scalar("SELECT secret FROM webhook_secrets WHERE workspace_id = 'alpha'") == (
            secret
        )
        assert not st.scalar(
            "SELECT count(*) FROM users WHERE email = 'later@alpha.test'"
        )  # invited, not added
    finally:
        st.close()
    r = run.invoke(app, ["webhooks", "clear-secret", "--db", str(db), "-w", "alpha", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["configured"] is False
