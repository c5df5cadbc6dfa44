"""What every view shares: its options, success and error replies, DRF's page fields."""

from __future__ import annotations

from typing import Any

import attrs

from .._envelopes import Reply, envelope, validation
from .._request import drf_int
from .._types import Dialect

__all__ = [
    "Errors",
    "ViewOptions",
    "answer",
    "fail",
    "invalid",
    "ok",
    "page_fields",
    "unknown_params",
]

_JSON: list[tuple[bytes, bytes]] = []
_MIN = "Ensure this value is greater than or equal to 1."
#: DRF field errors: `{field: [(message, code)]}`.
Errors = dict[str, list[tuple[str, str]]]


@attrs.frozen
class ViewOptions:
    """How the views answer: which dialect, and whether `row_groups` works."""

    dialect: Dialect = "backend"
    #: The running backend answers any `row_groups` with a 500; True serves the grouped rows
    #: its code intends, for when the vendor fixes it.
    fixed_row_groups: bool = False


def answer(status: int, body: Any) -> Reply:
    """A JSON answer (the app adds the content type)."""
    return status, _JSON, body


def ok(body: Any) -> Reply:
    return answer(200, body)


def fail(status: int, message: str) -> Reply:
    return answer(status, envelope(status, message))


def unknown_params(params: dict[str, str], known: tuple[str, ...]) -> Reply | None:
    """The strict serializers' 400: an unknown param is reported alone, hiding the others."""
    unknown = [k for k in params if k not in known]
    if not unknown:
        return None
    return invalid({k: [("Unknown field.", "invalid")] for k in unknown})


def page_fields(params: dict[str, str], errors: Errors) -> None:
    """DRF's `page` and `limit` IntegerFields, minimum 1."""
    for name in ("page", "limit"):
        if name not in params:
            continue
        value = drf_int(params[name])
        if value is None:
            errors[name] = [("A valid integer is required.", "invalid")]
        elif value < 1:
            errors[name] = [(_MIN, "min_value")]


def invalid(errors: Errors) -> Reply:
    """DRF field errors as one 400 envelope."""
    return answer(400, validation(errors))
