"""Errors: one base, redaction of anything that looks like a credential."""

from __future__ import annotations


def test_redact_masks_closeknits_own_credentials() -> None:
    from closeknit.errors import NotFound, redact

    key = "ck_0123456789ab_" + "Zx-_9" * 9
    inv = "inv_" + "Qw3-_" * 9
    said = redact(f"no creator {key} in this workspace; token {inv}")
    assert "Zx-_9" not in said and "Qw3-_" not in said
    assert "ck_0123456789ab_***" in said and "inv_***" in said
    e = NotFound(f"no creator {key}", creator=key, near=[inv])
    assert "Zx-_9" not in str(e.to_dict()) and "Qw3-_" not in str(e.to_dict())
    assert redact("instagram:ck_fan_page") == "instagram:ck_fan_page"  # a handle, not a key
