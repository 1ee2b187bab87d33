"""Input and result base models every service module builds on.

Inputs refuse unknown fields (a typo is an error, not a silently ignored filter); results refuse
unknown fields too, so a domain result that grows a key fails the tests until its model says so.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from closeknit.jsonable import to_jsonable


class In(BaseModel):
    """A request: what a caller may ask for, validated where it is built."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    """A result: what every interface renders (the REST API's ``response_model``)."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, domain: Any) -> Any:
        """This model from a domain result (anything :func:`to_jsonable` understands)."""
        return cls.model_validate(to_jsonable(domain))

    def to_json(self) -> dict[str, Any]:
        """The JSON form every interface prints or sends."""
        out: dict[str, Any] = self.model_dump(mode="json")
        return out


T = TypeVar("T")


class Page(Out, Generic[T]):
    """One page of a longer list; ``total`` counts every match."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Deleted(Out):
    """What a delete reports."""

    id: str
    deleted: bool = True
