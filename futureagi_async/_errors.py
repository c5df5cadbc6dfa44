"""The exception tree, and how an error body becomes one of its leaves.

::

    FutureAGIError
     ├── ConfigurationError            bad or missing settings; raised before any request
     ├── ClientClosedError             the client was closed (also a RuntimeError)
     ├── FilterColumnError             a filter the grid cannot apply (also a ValueError)
     ├── ListingChangedTooFast         a warning: a walk over a listing may have missed rows
     ├── ExportError                   a destination the export cannot use (export.py)
     ├── GateInputError                a gate input refused: baseline, assertion (gate/)
     ├── StatisticsUnavailableError    a comparison without scipy (the `gate` extra)
     └── APIError                      something went wrong talking to the API (.method, .url)
          ├── APIConnectionError       no usable response: refused, reset, dropped mid-body,
          │    │                       a certificate that failed verification (.retries)
          │    └── APITimeoutError     a request, or the whole call (total_timeout), ran out
          ├── ResponseDecodeError      a 2xx body that is not the JSON we expect
          ├── FilterNotAppliedError    a 200 grid page that says it did not apply a filter
          └── APIStatusError           a non-2xx answer (.status_code, .message, .code, .body,
               │                       .request_id)
               ├── BadRequestError         400
               ├── AuthenticationError     401
               ├── PermissionDeniedError   403
               ├── NotFoundError           404, and the grid's 500 "No TestExecution matches"
               ├── RateLimitError          429 (.retry_after)
               └── ServerError             5xx

Messages never contain credentials: they are built from the response only, and bodies are cut
to a short snippet. No error chains an http request object (it would carry the key headers).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from ._json import preview

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "FilterColumnError",
    "FilterNotAppliedError",
    "FutureAGIError",
    "ListingChangedTooFast",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ServerError",
    "error_from_response",
    "retry_after_seconds",
    "snippet",
]

_SNIPPET_CHARS = 200


class FutureAGIError(Exception):
    """Base of every exception this library raises on purpose."""


class ConfigurationError(FutureAGIError):
    """The client cannot be built or used as configured (missing credentials, bad base URL)."""


class ClientClosedError(FutureAGIError, RuntimeError):
    """The client was closed; make a new one."""


class FilterColumnError(FutureAGIError, ValueError):
    """A filter the execution's grid cannot apply: the API would ignore it without a word.

    `column` is the filter's column; `known` the columns this grid filters on.
    """

    def __init__(self, message: str, *, column: str, known: Sequence[str]):
        super().__init__(message)
        self.column = column
        self.known = tuple(known)


class ListingChangedTooFast(FutureAGIError, UserWarning):
    """Warned when a walk over a listing ends unsure it read every row: the listing kept
    changing on every pass, grew faster than the walk reads, or a server repeated full pages.

    A warning, not an error: the rows already yielded are good. The pager's `incomplete` is
    True as well. `warnings.simplefilter("error", ListingChangedTooFast)` makes it raise.
    """


class APIError(FutureAGIError):
    """A request did not produce the result it should have.

    `retries` counts the retries made before giving up; the message says so when there were any.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        retries: int = 0,
    ):
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.retries = retries

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        tries = f" after {self.retries} {'retry' if self.retries == 1 else 'retries'}"
        return f"{self.message}{where}{tries if self.retries else ''}"


class APIConnectionError(APIError):
    """No complete response arrived: the connection failed, was reset or dropped mid-body,
    or the server's certificate failed verification (never retried: it will fail again)."""


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


class FilterNotAppliedError(APIError):
    """The grid answered 200 but listed a filter it could not apply (`messages`).

    Raised instead of yielding rows that were never filtered.
    """

    def __init__(self, messages: list[str], **kwargs: Any):
        super().__init__("the API could not apply a filter: " + "; ".join(messages), **kwargs)
        self.messages = messages


class APIStatusError(APIError):
    """The API answered with a non-2xx status.

    `message` and `code` come from the error envelope when there is one; `body` is the parsed
    JSON, or a short snippet of a non-JSON body (an HTML error page, a gateway message).
    `details` maps field names to their validation messages. `request_id` is the answer's
    `x-request-id`, for the vendor's support.
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
        retries: int = 0,
        request_id: str | None = None,
    ):
        super().__init__(message, method=method, url=url, retries=retries)
        self.status_code = status_code
        self.code = code
        self.body = body
        self.details: Mapping[str, list[str]] = details or {}
        self.request_id = request_id

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        request_id = f" [request id {self.request_id}]" if self.request_id else ""
        return f"{self.status_code}{code}: {super().__str__()}{request_id}"


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

# /simulate/test-executions/{id}/ reports a missing execution as a 500 with this text.
_MISSING_EXECUTION = "No TestExecution matches"


def snippet(raw: bytes | str, limit: int = _SNIPPET_CHARS) -> str:
    """A short, printable excerpt of a body, safe to put in a message or a log."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = " ".join(text[: limit * 4].split())
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
                _text(field): [_text(m) for m in msgs] if isinstance(msgs, list) else [_text(msgs)]
                for field, msgs in value.items()
            }
    return {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else preview(value)


def _seconds(value: object) -> float | None:
    """A non-negative, finite number of seconds, or None for anything else (a date, "²", 1e999)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and len(value) > 32:
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """A `Retry-After` header as seconds: a number of them, or an HTTP-date (RFC 9110
    section 10.2.3, `Wed, 21 Oct 2026 07:28:00 GMT`) as the seconds from `now` until it.

    None for anything else, and for a date already past (the usual backoff applies then). A
    date far ahead is a long wait, refused past `max_retry_after` as a long number is.
    """
    seconds = _seconds(value)
    if seconds is not None or value is None or len(value) > 64:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": the date is UTC, with no word on local time
        when = when.replace(tzinfo=UTC)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return wait if math.isfinite(wait) and wait > 0 else None


def error_from_response(
    status_code: int,
    body: object,
    raw: bytes,
    *,
    retry_after_header: str | None = None,
    method: str | None = None,
    url: str | None = None,
    request_id: str | None = None,
) -> APIStatusError:
    """The typed error for a non-2xx answer.

    `body` is the decoded JSON, or None when the body was not JSON (then `raw` gives the
    snippet).
    """
    message: str | None = None
    code: str | None = None
    retry_after = retry_after_seconds(retry_after_header)
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
        "request_id": request_id,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **common)
    return cls(message, **common)
