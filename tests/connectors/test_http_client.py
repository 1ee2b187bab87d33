"""ApiClient against a real local HTTP server: retries, Retry-After, usage headers, named errors."""

from __future__ import annotations

import email.utils
import json
import logging
import random
import socket
from collections.abc import Iterator

import pytest

from closeknit.connectors.http import (
    ApiClient,
    ApiError,
    MalformedResponse,
    QuotaExceeded,
    RateLimited,
    RetryPolicy,
    TokenError,
    meta_usage_pause,
    parse_retry_after,
)
from closeknit.errors import AuthError, ConfigError
from tests.connectors.recorded.server import RecordedServer, recorded, serve

CANARY = "CANARY-7f3e9a1c5b2d-secret"
NOW = 1_800_000_000.0


class Clock:
    """Injected clock + sleep: sleeping advances time; nothing really waits."""

    def __init__(self) -> None:
        self.t = NOW
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.t += s


@pytest.fixture
def srv() -> Iterator[RecordedServer]:
    with serve() as s:
        yield s


def make(srv: RecordedServer, clock: Clock, platform: str = "youtube", **kw: object) -> ApiClient:
    return ApiClient(
        srv.url,
        token=CANARY,
        platform=platform,  # type: ignore[arg-type]
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(0),
        **kw,  # type: ignore[arg-type]
    )


def is_channels(r: object) -> bool:
    return getattr(r, "path", "").endswith("/channels")


def test_token_travels_in_header_not_url(srv: RecordedServer) -> None:
    c = make(srv, Clock())
    r = c.get("channels", {"part": "snippet", "forHandle": "@trailkitchen"})
    assert r.data["items"][0]["id"].startswith("UC")
    req = srv.requests[-1]
    assert req.headers["authorization"] == f"Bearer {CANARY}"
    assert CANARY not in req.raw_url
    assert CANARY not in r.url


def test_429_with_retry_after_seconds_is_honoured(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 429, {"error": {"code": 429}}, times=2, Retry_After="7")
    r = make(srv, clock).get("channels", {"forHandle": "@trailkitchen"})
    assert r.status == 200
    assert len(srv.hits("/channels")) == 3
    assert len(clock.sleeps) == 2
    assert all(7.0 <= s <= 8.0 for s in clock.sleeps)  # at least Retry-After, small jitter


def test_429_with_retry_after_http_date(srv: RecordedServer) -> None:
    clock = Clock()
    when = email.utils.formatdate(NOW + 30, usegmt=True)
    srv.fault(is_channels, 429, {}, Retry_After=when)
    make(srv, clock).get("channels", {"forHandle": "@trailkitchen"})
    assert 30.0 <= clock.sleeps[0] <= 31.0


def test_500_then_success_uses_exponential_backoff_with_jitter(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 500, raw=b"<html>oops</html>", times=3)
    c = make(srv, clock, policy=RetryPolicy(base_s=1.0, cap_s=60.0))
    assert c.get("channels", {"forHandle": "@trailkitchen"}).status == 200
    assert c.retries == 3
    # equal jitter: attempt k waits in [2^k / 2, 2^k]
    for k, s in enumerate(clock.sleeps):
        assert 2**k / 2 <= s <= 2**k
    assert len(set(clock.sleeps)) == 3


def test_retries_are_bounded(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 503, {}, times=100)
    c = make(srv, clock, policy=RetryPolicy(max_retries=2))
    with pytest.raises(RateLimited) as ei:
        c.get("channels", {"forHandle": "@trailkitchen"})
    assert len(srv.hits("/channels")) == 3
    assert "resumes" in str(ei.value)


def test_meta_code_190_is_never_retried(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(lambda r: True, 400, recorded("graph/error_190.json"), times=5)
    c = make(srv, clock, platform="meta")
    with pytest.raises(TokenError) as ei:
        c.get("/17841499999999999", {"fields": "business_discovery.username(ana.runs){id}"})
    assert len(srv.requests) == 1
    assert clock.sleeps == []
    assert "190" in str(ei.value) and "new token" in str(ei.value)
    assert isinstance(ei.value, AuthError)


def test_youtube_quota_exceeded_is_never_retried(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 403, recorded("youtube/quota_exceeded.json"), times=5)
    with pytest.raises(QuotaExceeded) as ei:
        make(srv, clock).get("channels", {"forHandle": "@trailkitchen"})
    assert len(srv.requests) == 1 and clock.sleeps == []
    assert "quotaExceeded" in str(ei.value)


def test_youtube_rate_limit_403_is_retried(srv: RecordedServer) -> None:
    clock = Clock()
    body = {"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded"}], "message": "x"}}
    srv.fault(is_channels, 403, body)
    assert make(srv, clock).get("channels", {"forHandle": "@trailkitchen"}).status == 200
    assert len(clock.sleeps) == 1


def test_other_4xx_is_a_named_error_without_retry(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 404, {"error": {"code": 404, "message": "nope", "errors": []}})
    with pytest.raises(ApiError):
        make(srv, clock).get("channels", {"forHandle": "@trailkitchen"})
    assert len(srv.requests) == 1


def test_malformed_json_names_the_url_redacted(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 200, raw=b'{"kind": "youtube#channelListResponse", "items": [')
    c = make(srv, clock, token_in="param", token_param="key")
    with pytest.raises(MalformedResponse) as ei:
        c.get("channels", {"forHandle": "@trailkitchen"})
    msg = str(ei.value)
    assert "/channels" in msg and "forHandle" in msg
    assert CANARY not in msg and "key=***" in msg
    assert ei.value.__cause__ is None


def test_meta_usage_headers_slow_down_the_next_call(srv: RecordedServer) -> None:
    clock = Clock()
    srv.usage_headers = {
        "X-App-Usage": json.dumps({"call_count": 90, "total_time": 20, "total_cputime": 10})
    }
    c = make(srv, clock, platform="meta", policy=RetryPolicy(slow_at_pct=80, full_pause_s=60))
    c.get("/17841499999999999", {"fields": "business_discovery.username(ana.runs){id}"})
    assert clock.sleeps == []  # the first call goes at once; the pause is before the next
    c.get("/17841499999999999", {"fields": "business_discovery.username(ana.runs){id}"})
    assert clock.sleeps and clock.sleeps[0] == pytest.approx(30.0)  # half way from 80 to 100


def test_meta_estimated_time_to_regain_access(srv: RecordedServer) -> None:
    clock = Clock()
    buc = {
        "17841400000000001": [
            {
                "type": "instagram",
                "call_count": 100,
                "total_cputime": 3,
                "total_time": 5,
                "estimated_time_to_regain_access": 2,
            }
        ]
    }
    srv.fault(
        lambda r: True,
        400,
        recorded("graph/error_throttled.json"),
        X_Business_Use_Case_Usage=json.dumps(buc),
    )
    c = make(srv, clock, platform="meta")
    c.get("/17841499999999999", {"fields": "business_discovery.username(ana.runs){id}"})
    assert len(srv.requests) == 2
    assert max(clock.sleeps) >= 120.0  # 2 minutes, as Meta asked


def test_wait_longer_than_allowed_stops_with_clear_message(srv: RecordedServer) -> None:
    clock = Clock()
    srv.fault(is_channels, 429, {}, Retry_After="86400")
    c = make(srv, clock, policy=RetryPolicy(max_wait_s=600))
    with pytest.raises(RateLimited) as ei:
        c.get("channels", {"forHandle": "@trailkitchen"})
    assert "Rerun later" in str(ei.value)
    assert clock.sleeps == []


def test_connection_errors_are_retried_then_named(caplog: pytest.LogCaptureFixture) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    clock = Clock()
    c = ApiClient(
        f"http://127.0.0.1:{port}",
        token=CANARY,
        platform="youtube",
        token_in="param",
        token_param="key",
        sleep=clock.sleep,
        clock=clock,
        policy=RetryPolicy(max_retries=2),
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Exception) as ei:
        c.get("channels", {"id": "x"})
    assert len(clock.sleeps) == 2
    assert CANARY not in str(ei.value) and ei.value.__cause__ is None
    assert CANARY not in caplog.text


def test_param_token_is_redacted_from_every_log_line(
    srv: RecordedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    clock = Clock()
    srv.fault(is_channels, 500, {}, times=1)
    c = make(srv, clock, token_in="param", token_param="key")
    c.get("channels", {"forHandle": "@trailkitchen"})
    assert any(CANARY in r.raw_url for r in srv.requests)  # it really travelled as a param
    assert "HTTP Request" in caplog.text  # httpx logged the URL...
    assert CANARY not in caplog.text  # ...redacted
    for rec in caplog.records:
        assert CANARY not in rec.getMessage()


def test_missing_token_is_an_auth_error() -> None:
    with pytest.raises(AuthError):
        ApiClient("http://127.0.0.1:1", token="", platform="meta")


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("12", NOW) == 12.0
    assert parse_retry_after(email.utils.formatdate(NOW + 5, usegmt=True), NOW) == 5.0
    assert parse_retry_after(email.utils.formatdate(NOW - 5, usegmt=True), NOW) == 0.0
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_meta_usage_pause_reads_both_headers() -> None:
    pol = RetryPolicy(slow_at_pct=80, full_pause_s=100)
    assert meta_usage_pause({"x-app-usage": '{"call_count": 10}'}, pol)[0] == 0.0
    assert meta_usage_pause({"x-app-usage": '{"total_time": 100}'}, pol)[0] == 100.0
    buc = {"1": [{"call_count": 85, "total_time": 1, "estimated_time_to_regain_access": 0}]}
    assert meta_usage_pause({"x-business-use-case-usage": json.dumps(buc)}, pol)[0] == 25.0
    buc["1"][0]["estimated_time_to_regain_access"] = 3
    assert meta_usage_pause({"x-business-use-case-usage": json.dumps(buc)}, pol)[0] == 180.0
    assert meta_usage_pause({"x-app-usage": "not json"}, pol)[0] == 0.0


def test_youtube_invalid_api_key_is_a_token_error(srv: RecordedServer) -> None:
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid.",
            "errors": [{"reason": "keyInvalid", "domain": "usageLimits"}],
        }
    }
    srv.fault(is_channels, 400, body, times=3)
    with pytest.raises(TokenError):
        make(srv, Clock(), token_in="param", token_param="key").get("channels", {"id": "x"})
    assert len(srv.requests) == 1


def test_bad_base_url_is_a_config_error_without_the_key() -> None:
    c = ApiClient(
        "ftp://127.0.0.1:9", token=CANARY, platform="youtube", token_in="param", token_param="key"
    )
    with pytest.raises(ConfigError) as ei:
        c.get("channels", {"id": "x"})
    assert CANARY not in str(ei.value)
