"""Client settings: read from arguments, else the environment, once, and checked up front."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

import attrs
import httpx2

from ._errors import ConfigurationError
from ._pacing import RateLimit
from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TOTAL_TIMEOUT",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "TimeoutTypes",
    "check_default_headers",
    "check_max_retries",
    "check_rate_limit",
    "check_total_timeout",
    "to_timeout",
]

DEFAULT_BASE_URL = "https://api.futureagi.com"
DEFAULT_MAX_CONCURRENCY = 32
# Long enough for a big page of calls on a slow day; short enough that a dead peer is noticed.
DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)
# One whole call, every retry and wait included: a server that drips a byte at a time never
# trips the per-read timeout above, so this is what bounds it.
DEFAULT_TOTAL_TIMEOUT = 120.0

# Headers this library sets itself; a default header may not replace them by accident.
RESERVED_HEADERS = frozenset(
    {
        "x-api-key",
        "x-secret-key",
        "x-workspace-id",
        "authorization",
        "user-agent",
        "accept",
        "accept-encoding",
    }
)

ENV_API_KEY = "FI_API_KEY"
ENV_SECRET_KEY = "FI_SECRET_KEY"
ENV_BASE_URL = "FI_BASE_URL"

TimeoutTypes = float | httpx2.Timeout


def to_timeout(value: TimeoutTypes) -> httpx2.Timeout:
    return value if isinstance(value, httpx2.Timeout) else httpx2.Timeout(value)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_visible_ascii(value: str) -> bool:
    # No space anywhere: a key padded with a copied blank is as wrong as one split by it.
    return value.isascii() and value.isprintable() and " " not in value


def _check_header_value(name: str, value: str) -> str:
    """Visible ASCII only: anything else fails at the first request, or worse goes out raw."""
    if not isinstance(value, str) or not value or not _is_visible_ascii(value):
        raise ConfigurationError(
            f"{name} must be visible ASCII characters (no spaces, line breaks or control "
            "characters); check for a stray newline or a copied quote"
        )
    return value


def check_default_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Extra headers for every request: checked, and never one this library sets itself."""
    checked: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not name or not _is_visible_ascii(name) or ":" in name:
            raise ConfigurationError(f"default_headers has an invalid header name {name!r}")
        if name.lower() in RESERVED_HEADERS:
            raise ConfigurationError(
                f"default_headers may not set {name!r}: the client sets it (credentials and "
                "the workspace are the api_key, secret_key and workspace_id arguments)"
            )
        if not isinstance(value, str) or not value.isascii() or not value.isprintable():
            raise ConfigurationError(f"default_headers[{name!r}] must be printable ASCII text")
        checked[name] = value
    return checked


def check_max_retries(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be 0 or more, got {value!r}")
    return value


def check_rate_limit(value: object) -> RateLimit | None:
    if value is not None and not isinstance(value, RateLimit):
        raise ConfigurationError(
            f"rate_limit must be a RateLimit(requests, per_seconds) or None, got {value!r}"
        )
    return value


def check_total_timeout(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigurationError(
            f"total_timeout must be a positive number of seconds, got {value!r}"
        )
    return float(value)


def _check_base_url(raw: str, name: str = "base_url") -> httpx2.URL:
    """`raw` as the base URL; errors name `name` (the argument, or the variable it came from)."""
    try:
        return _base_url(raw)
    except ConfigurationError as exc:
        if name == "base_url":
            raise
        raise ConfigurationError(str(exc).replace("base_url", name, 1)) from None


def _base_url(raw: str) -> httpx2.URL:
    try:
        url = httpx2.URL(raw)
    except (httpx2.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"base_url is not a URL: {exc}") from None
    if url.userinfo:
        # An http client would send it as `Authorization: Basic`, and it would show in every
        # error's URL; say so without repeating the password.
        raise ConfigurationError(
            "base_url must not contain a user name or password "
            f"(got one for host {url.host!r}); the API authenticates with api_key and secret_key"
        )
    if url.scheme not in ("https", "http") or not url.host:
        raise ConfigurationError(f"base_url must be an http(s) URL with a host, got {raw!r}")
    # Plain http would send the keys in clear text; only the local fake may use it.
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ConfigurationError(
            f"base_url must use https (plain http is allowed for loopback only), got {raw!r}"
        )
    if url.query or url.fragment:
        raise ConfigurationError(f"base_url must not have a query or fragment, got {raw!r}")
    return url.copy_with(path=url.path.rstrip("/") + "/")


@attrs.frozen
class ClientConfig:
    """Everything a request needs besides its path and parameters."""

    api_key: str = attrs.field(repr=False)
    secret_key: str = attrs.field(repr=False)
    base_url: httpx2.URL
    timeout: httpx2.Timeout = DEFAULT_TIMEOUT
    retry: RetryPolicy = attrs.Factory(RetryPolicy)
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    workspace_id: str | None = None
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    default_headers: Mapping[str, str] = attrs.Factory(dict)
    rate_limit: RateLimit | None = None

    @classmethod
    def build(
        cls,
        api_key: str | None,
        secret_key: str | None,
        *,
        base_url: str | None,
        timeout: TimeoutTypes | None,
        max_retries: int | None,
        max_concurrency: int | None,
        workspace_id: str | None,
        total_timeout: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        rate_limit: RateLimit | None = None,
        environ: Mapping[str, str] = os.environ,
    ) -> ClientConfig:
        # A bad value is blamed on where it came from: the argument, or the variable.
        api_key_name = "api_key" if api_key else ENV_API_KEY
        secret_key_name = "secret_key" if secret_key else ENV_SECRET_KEY
        base_url_name = "base_url" if base_url or not environ.get(ENV_BASE_URL) else ENV_BASE_URL
        api_key = api_key or environ.get(ENV_API_KEY)
        secret_key = secret_key or environ.get(ENV_SECRET_KEY)
        missing = [
            f"{arg} (or {env})"
            for arg, env, value in (
                ("api_key", ENV_API_KEY, api_key),
                ("secret_key", ENV_SECRET_KEY, secret_key),
            )
            if not value
        ]
        if missing or api_key is None or secret_key is None:
            raise ConfigurationError(
                "missing credentials: pass "
                + " and ".join(missing)
                + "; the keys are in the Future AGI dashboard under Settings"
            )
        _check_header_value(api_key_name, api_key)
        _check_header_value(secret_key_name, secret_key)
        if workspace_id is not None:
            _check_header_value("workspace_id", workspace_id)
        if max_concurrency is not None and max_concurrency < 1:
            raise ConfigurationError(f"max_concurrency must be at least 1, got {max_concurrency}")
        return cls(
            api_key=api_key,
            secret_key=secret_key,
            base_url=_check_base_url(
                base_url or environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL, base_url_name
            ),
            timeout=DEFAULT_TIMEOUT if timeout is None else to_timeout(timeout),
            retry=RetryPolicy()
            if max_retries is None
            else RetryPolicy(max_retries=check_max_retries(max_retries)),
            max_concurrency=max_concurrency or DEFAULT_MAX_CONCURRENCY,
            workspace_id=workspace_id,
            total_timeout=(
                DEFAULT_TOTAL_TIMEOUT
                if total_timeout is None
                else check_total_timeout(total_timeout)
            ),
            default_headers=check_default_headers(default_headers),
            rate_limit=check_rate_limit(rate_limit),
        )
