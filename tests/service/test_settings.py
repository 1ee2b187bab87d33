"""The workspace currency and a user's own password change."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError as PydanticValidationError

from closeknit.errors import AuthError, PermissionDenied, ValidationError
from closeknit.service import accounts
from closeknit.service import settings as svc
from closeknit.store import open_store
from tests.api.seeding import PASSWORD, build_template


def test_currency_is_per_workspace_and_audited(tmp_path: Path) -> None:
    a, b = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        assert svc.workspace_settings(st, a.workspace).currency == "USD"
        out = svc.set_currency(st, a.workspace, svc.CurrencyIn(currency="gbp"), actor="user:o")
        assert (out.currency, out.symbol) == ("GBP", "£")
        assert svc.currency(st, b.workspace) == "USD"
        svc.set_currency(st, a.workspace, svc.CurrencyIn(currency="EUR"), actor="user:o")
        assert svc.currency(st, a.workspace) == "EUR"
        n = st.scalar(
            "SELECT count(*) FROM audit_log WHERE workspace_id = ? AND action = 'settings_change'",
            [a.workspace],
        )
        assert n == 2
        with pytest.raises(PydanticValidationError):
            svc.CurrencyIn(currency="XYZ")
        assert svc.symbol("CHF") == "CHF " and svc.symbol("ABC") == "ABC "
    finally:
        st.close()


def test_password_change_checks_the_current_one_and_ends_other_sessions(tmp_path: Path) -> None:
    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        out1, tok1 = accounts.login(st, accounts.LoginIn(email=a.owner_email, password=PASSWORD),
                                    hours=1, ip=None)  # fmt: skip
        _, tok2 = accounts.login(st, accounts.LoginIn(email=a.owner_email, password=PASSWORD),
                                 hours=1, ip=None)  # fmt: skip
        p = accounts.session_principal(st, tok1)
        assert p is not None
        with pytest.raises(ValidationError, match="current password"):
            svc.change_password(st, p, svc.PasswordIn(current="wrong one!", new="a new password"))
        with pytest.raises(ValidationError, match="10 characters"):
            svc.change_password(st, p, svc.PasswordIn(current=PASSWORD, new="short"))
        res = svc.change_password(st, p, svc.PasswordIn(current=PASSWORD, new="a new password"))
        assert res.other_sessions_ended == 1
        assert accounts.session_principal(st, tok1) is not None
        assert accounts.session_principal(st, tok2) is None
        accounts.authenticate(st, a.owner_email, "a new password")
        with pytest.raises(AuthError):
            accounts.authenticate(st, a.owner_email, PASSWORD)
        key = accounts.key_principal(st, a.key)
        assert key is not None
        with pytest.raises(PermissionDenied):
            svc.change_password(st, key, svc.PasswordIn(current="x", new="a new password!"))
        assert out1.email == a.owner_email
    finally:
        st.close()


def test_a_campaign_takes_the_workspace_currency_and_refuses_unknown_codes(
    tmp_path: Path,
) -> None:
    """A campaign accepted 'BTC', 'ABC' or 'XXX' where the workspace setting refused them, and
    defaulted to USD in a GBP workspace (the web alone filled in the workspace's)."""
    from closeknit.service import campaigns as csvc

    a, _ = build_template(tmp_path / "t.duckdb")
    st = open_store(tmp_path / "t.duckdb", create=True)
    try:
        svc.set_currency(st, a.workspace, svc.CurrencyIn(currency="GBP"), actor="user:o")
        c = csvc.create_campaign(st, a.workspace, csvc.CampaignIn(name="spring"), actor="t")
        assert c.currency == "GBP"
        c = csvc.create_campaign(
            st, a.workspace, csvc.CampaignIn(name="eu", currency="eur"), actor="t"
        )
        assert c.currency == "EUR"
        for bad in ("BTC", "ABC", "XXX"):
            with pytest.raises((PydanticValidationError, ValidationError), match="use one of"):
                csvc.CampaignIn(name="x", currency=bad)
    finally:
        st.close()
