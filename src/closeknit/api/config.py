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
    login_attempts_per_minute: int = Field(default=5, ge=1)
    max_upload_mb: int = Field(default=200, ge=1)
    page_size_max: int = Field(default=500, ge=1)
    shopify_webhook_secret: str = Field(
        default="",
        repr=False,  # a secret: never in reprs or logs
        description="app secret that signs Shopify webhooks (X-Shopify-Hmac-Sha256)",
    )
