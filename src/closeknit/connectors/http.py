"""A small httpx client for the live creator APIs: auth, redaction, retries, throttling.

* The token goes in the ``Authorization`` header where the platform accepts it; where it can
  only travel as a query parameter (a YouTube API key) it is still redacted everywhere: log
  lines (ours and httpx's), exception messages and the URLs we hand back for storage.
* 429 and 5xx (and the platforms' own "slow down" errors) are retried with exponential backoff
  and jitter, honouring ``Retry-After`` (seconds or an HTTP-date) and Meta's usage headers
  (``X-App-Usage``, ``X-Business-Use-Case-Usage``). Retries are bounded.
* Errors retrying cannot fix stop at once with a named error: an expired or invalid token
  (Meta code 190, HTTP 401), a spent YouTube quota (``quotaExceeded``, ``dailyLimitExceeded``),
  a response that is not JSON.
* ``sleep`` and ``clock`` are injectable so tests run without waiting.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from closeknit.errors import AuthError, ConfigError, ConnectorError, redact

log = logging.getLogger("closeknit.connectors.http")

# --------------------------------------------------------------------------------------------
# Redaction


_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()


def register_secret(secret: str) -> None:
    """Remember ``secret`` so :func:`redact_secrets` (and the httpx log filter) hide it."""
    if secret and len(secret) >= 4:
        with _SECRETS_LOCK:
            _SECRETS.add(secret)


def strip_secrets(text: str) -> str:
    """Replace only the registered tokens (no pattern guessing): safe for stored payloads,
    whose other text must stay as received."""
    with _SECRETS_LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for s in secrets:
        if s in text:
            text = text.replace(s, "***")
    return text


def redact_secrets(text: str) -> str:
    """Hide every registered token and anything that looks like a credential in ``text``."""
    return redact(strip_secrets(text))


class _RedactFilter(logging.Filter):
    """httpx logs every request URL at INFO; a query-parameter key would leak through it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            msg = record.getMessage()
        except Exception:  # a broken log call is not ours to fix, but must not leak either
            msg = str(record.msg)
        clean = redact_secrets(msg)
        if clean != msg:
            record.msg = clean
            record.args = None
        return True


_FILTER = _RedactFilter()
# filters do not apply to records of child loggers, so name each logger that may see a URL
for _name in (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "closeknit.connectors.http",
):
    _lg = logging.getLogger(_name)
    if not any(isinstance(f, _RedactFilter) for f in _lg.filters):
        _lg.addFilter(_FILTER)


# --------------------------------------------------------------------------------------------
# Errors


class TokenError(AuthError):
    """The access token is expired, revoked or invalid; retrying cannot help."""


class QuotaExceeded(ConnectorError):
    """The platform's quota for the day is spent (or a planned run would exceed the budget)."""

    http_status = 429


class RateLimited(ConnectorError):
    """Still throttled after every allowed retry, or told to wait longer than we may."""

    http_status = 429


class MalformedResponse(ConnectorError):
    """The platform answered with something that is not the JSON it documents."""


class ApiError(ConnectorError):
    """The platform refused the request (a 4xx that is not about tokens, quota or rate)."""


# Meta Graph API error codes meaning "throttled": application, user, API, custom-level limits,
# and the Business Use Case (BUC) limits 80001..80014 (Graph API docs, "Rate Limiting").
_META_THROTTLE_CODES = {4, 17, 32, 341, 613} | set(range(80001, 80015))
_YT_QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
_YT_RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
_YT_TOKEN_REASONS = {"authError", "invalidCredentials", "expired", "keyInvalid", "keyExpired"}
_TIKTOK_TOKEN_CODES = {"access_token_invalid", "invalid_token", "token_expired"}
_TIKTOK_RATE_CODES = {"rate_limit_exceeded"}
_TIKTOK_QUOTA_CODES = {"daily_quota_limit_exceeded"}

Platform = Literal["meta", "youtube", "tiktok", "generic"]


@dataclass
class RetryPolicy:
    """Bounded exponential backoff with jitter."""

    max_retries: int = 5
    base_s: float = 1.0
    cap_s: float = 60.0
    # longest single wait we accept (Retry-After, Meta's estimated_time_to_regain_access);
    # beyond it the run stops with RateLimited and can be resumed later
    max_wait_s: float = 900.0
    # Meta usage percentages: above slow_at we pause before the next call, growing to
    # full_pause_s at 100 %
    slow_at_pct: float = 80.0
    full_pause_s: float = 60.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Delay before retry ``attempt`` (0-based): equal jitter over base * 2^attempt."""
        d = min(self.cap_s, self.base_s * (2**attempt))
        return d / 2 + rng.uniform(0, d / 2)


@dataclass
class Response:
    """A parsed JSON answer and what we may store about it (the URL, redacted)."""

    data: Any
    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP-date)."""
    if value is None:
        return None
    v = value.strip()
    if not v:
        return None
    try:
        return max(0.0, float(v))
    except ValueError:
        pass
    try:
        dt = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    if dt is None:
        return None
    return max(0.0, dt.timestamp() - now)


def meta_usage_pause(headers: Mapping[str, str], policy: RetryPolicy) -> tuple[float, str]:
    """Pause (seconds) Meta's usage headers ask for before the next call, and why.

    ``X-App-Usage`` is ``{"call_count": %, "total_time": %, "total_cputime": %}``;
    ``X-Business-Use-Case-Usage`` maps a business id to a list of such objects, each with
    ``estimated_time_to_regain_access`` in minutes once throttled.
    """
    pct = 0.0
    regain_min = 0.0
    for name in ("x-app-usage", "x-business-use-case-usage", "x-ad-account-usage"):
        raw = headers.get(name)
        if not raw:
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            log.warning("ignoring unreadable %s header", name)
            continue
        for u in _usage_objects(obj):
            for k in ("call_count", "total_time", "total_cputime", "acc_id_util_pct"):
                v = u.get(k)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    pct = max(pct, float(v))
            eta = u.get("estimated_time_to_regain_access")
            if isinstance(eta, int | float) and not isinstance(eta, bool):
                regain_min = max(regain_min, float(eta))
    if regain_min > 0:
        return regain_min * 60.0, f"Meta says access is regained in {regain_min:g} min"
    if pct > policy.slow_at_pct:
        frac = min(1.0, (pct - policy.slow_at_pct) / max(1e-9, 100.0 - policy.slow_at_pct))
        return policy.full_pause_s * frac, f"Meta usage at {pct:g}%"
    return 0.0, ""


def _usage_objects(obj: Any) -> list[dict[str, Any]]:
    if isinstance(obj, dict):
        if any(k in obj for k in ("call_count", "total_time", "total_cputime")):
            return [obj]
        out: list[dict[str, Any]] = []
        for v in obj.values():
            out.extend(_usage_objects(v))
        return out
    if isinstance(obj, list):
        out = []
        for v in obj:
            out.extend(_usage_objects(v))
        return out
    return []


class ApiClient:
    """GET/POST JSON from one platform with auth, redaction, retries and throttling.

    ``token_in="header"`` sends ``Authorization: Bearer <token>``; ``token_in="param"`` sends it
    as the ``token_param`` query parameter (only for platforms that accept nothing else, e.g. a
    YouTube API key) and relies on redaction.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None,
        platform: Platform = "generic",
        token_in: Literal["header", "param"] = "header",
        token_param: str = "access_token",
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not token:
            raise AuthError(f"no access token given for {platform}; set it in an env variable")
        register_secret(token)
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._token_in = token_in
        self._token_param = token_param
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.rng = rng or random.Random()
        self._not_before = 0.0
        self.calls = 0
        self.retries = 0
        self.slept_s = 0.0
        headers = {"Accept": "application/json", "User-Agent": "closeknit"}
        if token_in == "header":
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            timeout=timeout, headers=headers, transport=transport, follow_redirects=False
        )

    # -- public -------------------------------------------------------------------------------
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Response:
        return self.request("GET", path, params=params)

    def post(
        self, path: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Response:
        return self.request("POST", path, params=params, body=body)

    def redact(self, text: str) -> str:
        return redact_secrets(text)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------------
    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def _wait(self, seconds: float, why: str) -> None:
        if seconds <= 0:
            return
        if seconds > self.policy.max_wait_s:
            raise RateLimited(
                f"{self.platform}: {why}; waiting {seconds:.0f}s is more than the allowed "
                f"{self.policy.max_wait_s:.0f}s. Rerun later: the run resumes where it stopped"
            )
        log.info("%s: waiting %.1fs (%s)", self.platform, seconds, why)
        self.slept_s += seconds
        self.sleep(seconds)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Response:
        q: dict[str, Any] = {k: v for k, v in (params or {}).items() if v is not None}
        if self._token_in == "param":
            q[self._token_param] = self._token
        url = self._url(path)
        try:
            shown = self.redact(str(httpx.URL(url, params=q)))
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise ConfigError(self.redact(f"bad URL {url!r}: {exc}")) from None
        attempt = 0
        while True:
            pause = self._not_before - self.clock()
            if pause > 0:
                self._wait(pause, "throttling per usage headers")
            self.calls += 1
            try:
                resp = self._http.request(method, url, params=q, json=body)
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise ConfigError(self.redact(f"{method} {shown}: {exc}")) from None
            except httpx.TransportError as exc:
                # the exception text can carry the URL; never chain it
                why = self.redact(f"{type(exc).__name__}: {exc}")
                if attempt >= self.policy.max_retries:
                    raise ConnectorError(
                        f"{method} {shown} failed after {attempt + 1} tries: {why}"
                    ) from None
                delay = self.policy.backoff(attempt, self.rng)
                log.warning("%s %s: %s; retry %d in %.1fs", method, shown, why, attempt + 1, delay)
                attempt += 1
                self.retries += 1
                self._wait(delay, why)
                continue

            headers = {k.lower(): v for k, v in resp.headers.items()}
            if self.platform == "meta":
                extra, why = meta_usage_pause(headers, self.policy)
                if extra > 0:
                    self._not_before = max(self._not_before, self.clock() + extra)
                    log.info("%s: pausing %.1fs before the next call (%s)", shown, extra, why)

            data, parse_error = _parse_json(resp)
            kind, message = self._classify(resp.status_code, data)
            if kind == "ok":
                if parse_error is not None:
                    raise MalformedResponse(
                        f"{method} {shown} returned malformed JSON ({parse_error}); "
                        f"status {resp.status_code}, {len(resp.content)} bytes"
                    )
                return Response(data=data, url=shown, status=resp.status_code, headers=headers)
            if kind == "token":
                raise TokenError(
                    f"{self.platform} rejected the access token ({message}). It is expired or "
                    "invalid: get a new token and rerun; nothing was retried"
                )
            if kind == "quota":
                raise QuotaExceeded(
                    f"{self.platform} quota exhausted ({message}); it resets daily "
                    "(YouTube: midnight Pacific). Rerun later: the run resumes where it stopped"
                )
            if kind == "fatal":
                raise ApiError(f"{method} {shown} failed: HTTP {resp.status_code}: {message}")
            # retryable
            if attempt >= self.policy.max_retries:
                raise RateLimited(
                    f"{method} {shown}: HTTP {resp.status_code} ({message}) after "
                    f"{attempt + 1} tries; rerun later: the run resumes where it stopped"
                )
            ra = parse_retry_after(headers.get("retry-after"), self.clock())
            if ra is not None:
                delay = ra + self.rng.uniform(0, min(1.0, ra * 0.1))
            else:
                delay = self.policy.backoff(attempt, self.rng)
            # Meta may tell us how long the throttle lasts
            if self.platform == "meta":
                delay = max(delay, self._not_before - self.clock())
            log.warning(
                "%s %s: HTTP %d (%s); retry %d in %.1fs",
                method,
                shown,
                resp.status_code,
                message,
                attempt + 1,
                delay,
            )
            attempt += 1
            self.retries += 1
            self._wait(delay, f"HTTP {resp.status_code} {message}")

    def _classify(self, status: int, data: Any) -> tuple[str, str]:
        """One of ok / retry / token / quota / fatal, with the platform's message."""
        err = data.get("error") if isinstance(data, dict) else None
        msg = ""
        if self.platform == "meta" and isinstance(err, dict):
            code = err.get("code")
            sub = err.get("error_subcode")
            msg = self.redact(f"code {code}{f'/{sub}' if sub else ''}: {err.get('message', '')}")
            if code == 190 or code == 102:
                return "token", msg
            if code in _META_THROTTLE_CODES:
                return "retry", msg
            if err.get("is_transient") is True:
                return "retry", msg
        if self.platform == "youtube" and isinstance(err, dict):
            reasons = {
                str(e.get("reason"))
                for e in (err.get("errors") or [])
                if isinstance(e, dict) and e.get("reason")
            }
            msg = self.redact(f"{', '.join(sorted(reasons)) or status}: {err.get('message', '')}")
            if reasons & _YT_QUOTA_REASONS:
                return "quota", msg
            if reasons & _YT_RATE_REASONS:
                return "retry", msg
            if reasons & _YT_TOKEN_REASONS or status == 401:
                return "token", msg
        if self.platform == "tiktok" and isinstance(err, dict):
            code = str(err.get("code", ""))
            msg = self.redact(f"{code}: {err.get('message', '')}")
            if code in _TIKTOK_TOKEN_CODES:
                return "token", msg
            if code in _TIKTOK_QUOTA_CODES:
                return "quota", msg
            if code in _TIKTOK_RATE_CODES:
                return "retry", msg
            if code not in ("", "ok") and status < 400:
                return "fatal", msg
        if status == 429 or status >= 500:
            return "retry", msg or f"HTTP {status}"
        if status == 401:
            return "token", msg or "HTTP 401"
        if status >= 400:
            return "fatal", msg or self.redact(_short(data))
        if self.platform == "meta" and isinstance(err, dict):
            return "fatal", msg
        return "ok", ""


def _parse_json(resp: httpx.Response) -> tuple[Any, str | None]:
    try:
        return json.loads(resp.content), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"{type(exc).__name__} at char {getattr(exc, 'pos', '?')}"


def _short(data: Any) -> str:
    text = json.dumps(data) if data is not None else ""
    return text[:200]
