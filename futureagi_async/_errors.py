"""The exception tree, and how an error body becomes one of its leaves.

::

    FutureAGIError
     ├── ConfigurationError            bad or missing settings; raised before any request
     └── APIError                      something went wrong talking to the API
          ├── APIConnectionError       no usable response: refused, reset, dropped mid-body
          │    └── APITimeoutError
          ├── ResponseDecodeError      a 2xx body that is not the JSON we expect
          └── APIStatusError           a non-2xx answer (.status_code, .message, .code, .body)
               ├── BadRequestError         400
               ├── AuthenticationError     401
               ├── PermissionDeniedError   403
               ├── NotFoundError           404, and endpoint 4's 500 "No TestExecution matches"
               ├── RateLimitError          429 (.retry_after)
               └── ServerError             5xx

Messages never contain credentials: they are built from the response only, and bodies are cut
to a short snippet.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "FutureAGIError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ServerError",
    "error_from_response",
    "snippet",
]

_SNIPPET_CHARS = 200


class FutureAGIError(Exception):
    """Base of every exception this library raises on purpose."""


class ConfigurationError(FutureAGIError):
    """The client cannot be built or used as configured (missing credentials, bad base URL)."""


class APIError(FutureAGIError):
    """A request did not produce the result it should have."""

    def __init__(self, message: str, *, method: str | None = None, url: str | None = None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APIConnectionError(APIError):
    """No complete response arrived: the connection failed, was reset or dropped mid-body."""


class APITimeoutError(APIConnectionError):
    """The request, or the call's whole retry budget, ran out of time."""


class ResponseDecodeError(APIError):
    """A successful status with a body that is not valid JSON of the expected shape."""

    def __init__(
        self,
        message: str,
        *,
        body: str = "",
        method: str | None = None,
        url: str | None = None,
    ):
        super().__init__(message, method=method, url=url)
        self.body = body


class APIStatusError(APIError):
    """The API answered with a non-2xx status.

    `message` and `code` come from the error envelope when there is one; `body` is the parsed
    JSON, or a short snippet of a non-JSON body (an HTML error page, a gateway message).
    `details` maps field names to their validation messages.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        body: object = None,
        details: Mapping[str, list[str]] | None = None,
        method: str | None = None,
        url: str | None = None,
    ):
        super().__init__(message, method=method, url=url)
        self.status_code = status_code
        self.code = code
        self.body = body
        self.details: Mapping[str, list[str]] = details or {}

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        code = f" [{self.code}]" if self.code else ""
        return f"{self.status_code}{code}: {self.message}{where}"


class BadRequestError(APIStatusError):
    """400: a parameter the API rejected; `details` names the fields."""


class AuthenticationError(APIStatusError):
    """401: missing or wrong API key / secret key."""


class PermissionDeniedError(APIStatusError):
    """403: the key's user cannot see that workspace."""


class NotFoundError(APIStatusError):
    """404, or a missing test execution (which the API reports as a 500)."""


class RateLimitError(APIStatusError):
    """429. `retry_after` is the server's hint in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(APIStatusError):
    """5xx. Plain 500s on this API are deterministic and are not retried."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}

# Endpoint 4 reports a missing execution as a 500 with this text (BEHAVIOUR.md section 5).
_MISSING_EXECUTION = "No TestExecution matches"


def snippet(raw: bytes | str, limit: int = _SNIPPET_CHARS) -> str:
    """A short, printable excerpt of a body, safe to put in a message or a log."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message_from(body: Mapping[str, Any]) -> tuple[str | None, str | None, float | None]:
    """(message, code, retry_after) from either envelope: the flat one or the 429 one."""
    message: str | None = None
    for key in ("detail", "message", "error", "result"):
        value = body.get(key)
        if isinstance(value, str) and value:
            message = value
            break
    code = body.get("code") if isinstance(body.get("code"), str) else None
    retry_after: float | None = None
    result = body.get("result")
    if isinstance(result, Mapping):
        if message is None and isinstance(result.get("message"), str):
            message = result["message"]
        if code is None and isinstance(result.get("code"), str):
            code = result["code"]
        retry_after = _seconds(result.get("retry_after"))
    return message, code, retry_after


def _details_from(body: Mapping[str, Any]) -> dict[str, list[str]]:
    for key in ("details", "errors"):
        value = body.get(key)
        if isinstance(value, Mapping):
            return {
                str(field): [str(m) for m in msgs] if isinstance(msgs, list) else [str(msgs)]
                for field, msgs in value.items()
            }
    return {}


def _seconds(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            return None
        return seconds if seconds >= 0 else None
    return None


def error_from_response(
    status_code: int,
    body: object,
    raw: bytes,
    *,
    retry_after_header: str | None = None,
    method: str | None = None,
    url: str | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx answer.

    `body` is the decoded JSON, or None when the body was not JSON (then `raw` gives the
    snippet).
    """
    message: str | None = None
    code: str | None = None
    retry_after = _seconds(retry_after_header)
    details: dict[str, list[str]] = {}
    kept_body: object
    if isinstance(body, Mapping):
        message, code, body_retry_after = _message_from(body)
        details = _details_from(body)
        if retry_after is None:
            retry_after = body_retry_after
        kept_body = body
    else:
        kept_body = snippet(raw) if raw else None
    if message is None:
        message = snippet(raw) if raw else f"HTTP {status_code} with an empty body"

    cls = _STATUS_CLASSES.get(status_code)
    if cls is None:
        if status_code >= 500:
            cls = NotFoundError if _MISSING_EXECUTION in message else ServerError
        else:
            cls = APIStatusError
    common: dict[str, Any] = {
        "status_code": status_code,
        "code": code,
        "body": kept_body,
        "details": details,
        "method": method,
        "url": url,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **common)
    return cls(message, **common)
