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


def test_redact_masks_credentials_in_a_percent_encoded_request_line() -> None:
    """The access log writes the request line as sent: a key after "%40", "%2C" or
    "Bearer%20", and an invitation token after "token%3D", were logged in full."""
    from closeknit.errors import redact

    key = "ck_0123456789ab_" + "Zx-_9" * 9
    inv = "inv_" + "Qw3-_" * 9
    lines = [
        f"GET /api/v1/creators/%40{key}/vet HTTP/1.1",
        f"GET /api/v1/compare?creators=x%2C{key} HTTP/1.1",
        f"GET /api/v1/creators?q=Bearer%20{key} HTTP/1.1",
        f"GET /login?next=%2Finvite%3Ftoken%3D{inv} HTTP/1.1",
        f"GET /invite?token={inv}&x=1 HTTP/1.1",
    ]
    for line in lines:
        said = redact(line)
        assert "Zx-_9" not in said and "Qw3-_" not in said, said
    assert (
        redact("GET /creators/%40anna_ck_fan HTTP/1.1") == "GET /creators/%40anna_ck_fan HTTP/1.1"
    )


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
