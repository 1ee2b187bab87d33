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


def test_a_pattern_refusal_says_what_the_value_should_be() -> None:
    """Pattern errors quoted the regular expression (thousands of characters for a country)
    and a list item's index was named as the field ("0")."""
    import pytest
    from pydantic import ValidationError as PydanticValidationError

    from closeknit.errors import error_field, validation_message
    from closeknit.service.discover import DiscoverIn

    cases = {"countries": ["Narnia"], "tiers": ["giga"], "audience_gender": "X",
             "audience_age": "old"}  # fmt: skip
    for field, bad in cases.items():
        with pytest.raises(PydanticValidationError) as e:
            DiscoverIn.model_validate({"text": "coffee", field: bad})
        err = e.value.errors()[0]
        msg = validation_message(err)
        assert error_field(err) == field
        assert msg.startswith("should be ") and "(?" not in msg and "^" not in msg, msg
        assert len(msg) < 80
