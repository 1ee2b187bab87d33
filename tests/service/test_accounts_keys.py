"""API keys at the service layer."""

from __future__ import annotations

from closeknit.service import accounts
from closeknit.store import Store


def test_revoking_a_key_twice_is_audited_once(store: Store) -> None:
    """A second revoke answered 200 and wrote a second key_revoke row for nothing changed."""
    meta, _ = accounts.create_key(store, "default", name="ci", role="editor")
    p = accounts.Principal(workspace_id="default", role="owner", user_id=None, email=None,
                           via="key")  # fmt: skip
    for _ in range(2):
        assert accounts.revoke(store, p, meta["key_id"]).revoked
    n = store.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'key_revoke' AND object_id = ?",
        [meta["key_id"]],
    )
    assert n == 1
    assert accounts.list_keys(store, "default")[0]["revoked_at"] is not None
