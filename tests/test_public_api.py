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


def test_facade_names_are_not_shadowed_by_subpackages() -> None:
    """``closeknit.plan`` is a package: a facade name must never be a subpackage's name, or
    importing the subpackage would silently replace the function."""
    import pkgutil

    subpackages = {m.name for m in pkgutil.iter_modules(closeknit.__path__)}
    assert not subpackages & set(closeknit.__all__)
