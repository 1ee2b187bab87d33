"""Workspace settings (the currency money is shown in) and a signed-in user's password change.

The currency is one value per workspace (``workspace_settings``): fees, budgets and plans are in
it, and every interface formats money with it. It converts nothing: it names the currency the
workspace's numbers already are in.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from closeknit import figures
from closeknit.errors import AuthError, PermissionDenied, ValidationError
from closeknit.service import accounts
from closeknit.service.accounts import Principal
from closeknit.service.base import In, Out, any_case
from closeknit.store import Store, audit

# the currencies and their symbols live with the display rules (closeknit.figures), where
# every layer that writes an amount in a sentence reads them (a report's refund note wrote
# "248.56 of 4,904.61" beside a tile's "$248.56")
CURRENCIES = figures.CURRENCIES
DEFAULT_CURRENCY = figures.DEFAULT_CURRENCY
symbol = figures.currency_symbol


class CurrencyOption(Out):
    code: str
    symbol: str


class WorkspaceSettingsOut(Out):
    workspace_id: str
    currency: str
    symbol: str
    currencies: list[CurrencyOption]


def currency(store: Store, workspace: str) -> str:
    """The workspace's currency (USD until one is set)."""
    v = store.scalar(
        "SELECT value FROM workspace_settings WHERE workspace_id = ? AND key = 'currency'",
        [workspace],
    )
    return str(v) if v else DEFAULT_CURRENCY


def workspace_settings(store: Store, workspace: str) -> WorkspaceSettingsOut:
    cur = currency(store, workspace)
    return WorkspaceSettingsOut(
        workspace_id=workspace,
        currency=cur,
        symbol=symbol(cur),
        currencies=[CurrencyOption(code=c, symbol=s.strip()) for c, s in CURRENCIES.items()],
    )


class CurrencyIn(In):
    currency: str = Field(
        max_length=10, pattern=any_case(CURRENCIES), description="ISO 4217 code, e.g. GBP"
    )

    @field_validator("currency")
    @classmethod
    def _known(cls, v: str) -> str:
        v = v.strip().upper()
        if v not in CURRENCIES:
            raise ValueError(f"use one of {', '.join(CURRENCIES)}")
        return v


def set_currency(
    store: Store, workspace: str, req: CurrencyIn, *, actor: str
) -> WorkspaceSettingsOut:
    """Set the workspace's currency (owners; audited)."""
    old = currency(store, workspace)
    with store.transaction() as tx:
        tx.execute(
            "INSERT INTO workspace_settings (workspace_id, key, value, updated_by) "
            "VALUES (?, 'currency', ?, ?) ON CONFLICT (workspace_id, key) DO UPDATE SET "
            "value = excluded.value, updated_by = excluded.updated_by, "
            "updated_at = now()",
            [workspace, req.currency, actor],
        )
        if old != req.currency:
            audit(
                tx,
                workspace,
                actor,
                "settings_change",
                "workspace",
                workspace,
                {"currency": {"from": old, "to": req.currency}},
            )
    return workspace_settings(store, workspace)


class PasswordIn(In):
    current: str = Field(min_length=1, max_length=1024, description="the password in use now")
    new: str = Field(min_length=1, max_length=1024, description="at least 10 characters")


class PasswordOut(Out):
    changed: bool = True
    other_sessions_ended: int


def change_password(store: Store, p: Principal, req: PasswordIn) -> PasswordOut:
    """A signed-in user changes their own password; their other sessions end (audited)."""
    if p.via != "session" or p.email is None or p.user_id is None:
        raise PermissionDenied("only a signed-in user can change a password (not an API key)")
    try:
        accounts.authenticate(store, p.email, req.current)
    except AuthError:
        raise ValidationError("the current password is not right", field="current") from None
    if req.new == req.current:
        raise ValidationError("the new password is the same as the current one", field="new")
    accounts.check_password(req.new)
    accounts.set_password(store, p.email, req.new)
    with store.transaction() as tx:
        n = int(
            tx.scalar(
                "SELECT count(*) FROM sessions WHERE user_id = ? AND session_hash <> ?",
                [p.user_id, p.session_hash or ""],
            )
        )
        tx.execute(
            "DELETE FROM sessions WHERE user_id = ? AND session_hash <> ?",
            [p.user_id, p.session_hash or ""],
        )
        audit(tx, p.workspace_id, p.actor, "password_change", "user", p.user_id)
    return PasswordOut(other_sessions_ended=n)
