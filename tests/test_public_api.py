"""The names the package docstring promises exist and resolve."""

from __future__ import annotations

import closeknit


def test_every_public_name_resolves() -> None:
    for name in closeknit.__all__:
        assert getattr(closeknit, name) is not None, name


def test_unknown_name_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError):
        closeknit.no_such_thing  # noqa: B018
