"""Error bodies, built in one place: the backend's flat envelope and its variants."""

from __future__ import annotations

from typing import Any

__all__ = ["Reply", "envelope", "html", "rate_limited", "sdk_validation", "validation"]

_TYPES = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found",
    429: "rate_limit",
    500: "server_error",
}
_CODES = {
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    429: "throttled",
    500: "server_error",
}
_NOT_ATTRS = frozenset({"detail", "error", "message", "non_field_errors"})

#: (status, headers, JSON body or raw bytes for non-JSON replies)
Reply = tuple[int, list[tuple[bytes, bytes]], Any]


def envelope(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: dict[str, list[str]] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The flat envelope: four copies of the message, `type`/`code` by status, `attr`/`details`."""
    body: dict[str, Any] = {
        "status": False,
        "type": _TYPES.get(status, "api_error"),
        "code": code or _CODES.get(status, "error"),
        "detail": message,
        "message": message,
        "error": message,
        "result": message,
    }
    if details is not None:
        attr = next((k for k in details if k not in _NOT_ATTRS), None)
        if attr is not None:
            body["attr"] = attr
        body["details"] = details
    if extra:
        body.update(extra)
    return body


def validation(errors: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
    """DRF field errors `{field: [(message, code)]}` as one 400 envelope (`a: …; b: …`)."""
    parts = [
        msg if field in _NOT_ATTRS else f"{field}: {msg}"
        for field, items in errors.items()
        for msg, _ in items
    ]
    first_code = next(code for items in errors.values() for _, code in items)
    details = {field: [msg for msg, _ in items] for field, items in errors.items()}
    return envelope(400, "; ".join(parts), code=first_code, details=details)


def sdk_validation(errors: dict[str, list[str]]) -> dict[str, Any]:
    """`/sdk/api/v1/simulation/runs/`'s 400: the fixed `Validation failed`, the field map twice."""
    return envelope(
        400, "Validation failed", code="invalid", details=errors, extra={"errors": errors}
    )


def drf_detail(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """Errors DRF raises itself (401, 405) carry `details: {"detail": [msg]}`."""
    return envelope(status, message, code=code, details={"detail": [message]})


def rate_limited(retry_after: int, *, middleware: bool) -> dict[str, Any]:
    """A 429 body: the flat envelope, or the usage middleware's object-`result` shape."""
    if middleware:
        return {
            "status": False,
            "result": {
                "code": "RATE_LIMITED",
                "message": "Rate limit exceeded: 60 api requests per minute",
                "retry_after": retry_after,
            },
        }
    return drf_detail(429, f"Request was throttled. Expected available in {retry_after} seconds.")


def html(status: int, title: str) -> bytes:
    """Django's and gateways' HTML pages: clients must cope with a non-JSON body."""
    return (
        f'<!doctype html>\n<html lang="en">\n<head>\n  <title>{title}</title>\n</head>\n'
        f"<body>\n  <h1>{title}</h1><p>The server returned {status}.</p>\n</body>\n</html>\n"
    ).encode()
