"""Request bodies. Extra fields are refused, and none carries a protected field
(workspace_id, ids, created_at, one's own role): the server sets those."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)
    workspace: str | None = Field(default=None, max_length=63)


class WorkspaceSwitchIn(Body):
    workspace: str = Field(max_length=63)


class WorkspaceIn(Body):
    workspace: str = Field(max_length=63, pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str | None = Field(default=None, max_length=200)


class MemberIn(Body):
    email: str = Field(max_length=320)
    role: str = Field(pattern="^(viewer|editor|owner)$")
    password: str | None = Field(default=None, min_length=10, max_length=1024)


class RoleIn(Body):
    role: str = Field(pattern="^(viewer|editor|owner)$")


class KeyIn(Body):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(default="editor", pattern="^(viewer|editor|owner)$")


class BriefIn(Body):
    text: str = Field(min_length=1, max_length=5000)
    platforms: list[str] | None = None
    tiers: list[str] | None = None
    countries: list[str] | None = None
    languages: list[str] | None = None
    audience_age: str | None = Field(default=None, max_length=20)
    audience_gender: str | None = Field(default=None, max_length=8)
    min_authenticity: float | None = Field(default=None, ge=0, le=100)
    max_sponsored_rate: float | None = Field(default=None, ge=0, le=1)
    competitors: list[str] | None = None
    exclude: list[str] | None = None
    budget: float | None = Field(default=None, ge=0, le=1e9)

    def filters(self) -> dict[str, Any]:
        return self.model_dump(exclude={"text"}, exclude_none=True)


class DiscoverIn(BriefIn):
    limit: int = Field(default=20, ge=1, le=200)


class PlanIn(Body):
    budget: float = Field(gt=0, le=1e9)
    brief_id: str | None = Field(default=None, max_length=100)
    text: str | None = Field(default=None, max_length=5000)
    creators: list[str] | None = Field(default=None, max_length=500)
    max_creators: int | None = Field(default=None, ge=1, le=500)


class FeesIn(Body):
    creators: list[str] = Field(min_length=1, max_length=500)


class CampaignIn(Body):
    name: str = Field(min_length=1, max_length=200)
    budget: float | None = Field(default=None, ge=0, le=1e9)
    currency: str = Field(default="USD", pattern="^[A-Z]{3}$")
    brief_id: str | None = Field(default=None, max_length=100)
    start_date: _dt.date | None = None
    end_date: _dt.date | None = None


class CampaignPatch(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    budget: float | None = Field(default=None, ge=0, le=1e9)
    status: str | None = Field(default=None, pattern="^(draft|active|done|archived)$")
    start_date: _dt.date | None = None
    end_date: _dt.date | None = None


class CampaignCreatorIn(Body):
    creator: str = Field(min_length=1, max_length=200)
    fee: float | None = Field(default=None, ge=0, le=1e8)
    notes: str | None = Field(default=None, max_length=2000)


class StageIn(Body):
    stage: str = Field(min_length=1, max_length=40)


class SpendIn(Body):
    amount: float = Field(ge=0, le=1e8)
    kind: str = Field(default="fee", pattern="^(fee|seeding|shipping|other)$")
    creator: str | None = Field(default=None, max_length=200)
    date: _dt.date | None = None
    note: str | None = Field(default=None, max_length=500)


class CodesIn(Body):
    prefix: str | None = Field(default=None, max_length=20, pattern=r"^[A-Za-z0-9]*$")
