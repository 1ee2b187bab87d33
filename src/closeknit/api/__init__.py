"""REST API and web app: ``create_app(db_path)`` returns the FastAPI application."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from closeknit.api.app import create_app as create_app


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from closeknit.api.app import create_app

        return create_app
    raise AttributeError(name)
