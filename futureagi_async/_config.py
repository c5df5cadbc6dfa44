"""Client settings: read from arguments, else the environment, once, and checked up front."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping

import attrs
import httpx2

from ._errors import ConfigurationError
from ._retry import RetryPolicy

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "TimeoutTypes",
    "to_timeout",
]

DEFAULT_BASE_URL = "https://api.futureagi.com"
DEFAULT_MAX_CONCURRENCY = 32
# Long enough for a big page of calls on a slow day; short enough that a dead peer is noticed.
DEFAULT_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)

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


def _check_base_url(raw: str) -> httpx2.URL:
    try:
        url = httpx2.URL(raw)
    except httpx2.InvalidURL as exc:
        raise ConfigurationError(f"base_url {raw!r} is not a URL: {exc}") from None
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
        environ: Mapping[str, str] = os.environ,
    ) -> ClientConfig:
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
        if max_concurrency is not None and max_concurrency < 1:
            raise ConfigurationError(f"max_concurrency must be at least 1, got {max_concurrency}")
        if max_retries is not None and max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, got {max_retries}")
        return cls(
            api_key=api_key,
            secret_key=secret_key,
            base_url=_check_base_url(base_url or environ.get(ENV_BASE_URL) or DEFAULT_BASE_URL),
            timeout=DEFAULT_TIMEOUT if timeout is None else to_timeout(timeout),
            retry=RetryPolicy() if max_retries is None else RetryPolicy(max_retries=max_retries),
            max_concurrency=max_concurrency or DEFAULT_MAX_CONCURRENCY,
            workspace_id=workspace_id,
        )
