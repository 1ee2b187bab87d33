"""Settings of the web app and REST API (env prefix ``CLOSEKNIT_``, like the rest)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLOSEKNIT_", env_file=".env", extra="ignore")

    cookie_secure: bool = Field(
        default=False, description="mark the session cookie Secure (set true behind HTTPS)"
    )
    session_hours: int = Field(default=12, ge=1)
    login_attempts_per_minute: int = Field(
        default=5, ge=1, description="sign-in attempts a minute per (address, account)"
    )
    login_attempts_per_address: int = Field(
        default=10, ge=1, description="sign-in attempts a minute per client address, any account"
    )
    login_attempts_per_account: int = Field(
        default=10, ge=1, description="sign-in attempts a minute per account, any address"
    )
    max_upload_mb: int = Field(
        default=200, ge=1, description="largest file upload (a multipart body), signed in"
    )
    max_json_body_kb: int = Field(
        default=4096,
        ge=1,
        description="largest other body (JSON, a form), signed in: a viewer key's 50 MB JSON "
        "body was parsed (200 MB of memory) before it was refused",
    )
    max_anonymous_body_kb: int = Field(
        default=256,
        ge=1,
        description="largest body read from a request without valid credentials (sign-in, "
        "invitation, webhook); larger ones are refused with 413 before being read",
    )
    page_size_max: int = Field(default=500, ge=1)
    forwarded_allow_ips: str = Field(
        default="",
        description="comma-separated addresses of reverse proxies whose X-Forwarded-For / "
        "X-Forwarded-Proto are trusted ('*' trusts any); empty: the headers are ignored",
    )
