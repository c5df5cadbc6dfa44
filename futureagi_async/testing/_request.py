"""What the views need to know about a request, parsed once by the app."""

from __future__ import annotations

import re
import uuid

import attrs

__all__ = ["Request", "is_uuid"]

_DRF_INT = re.compile(r"^\s*[-+]?\d+(\.0*)?\s*$")


@attrs.frozen
class Request:
    method: str
    path: str
    #: Every `key=value` pair in order, repeats and blanks included.
    query: tuple[tuple[str, str], ...]
    #: `scheme://host`, from the configured scheme and the request's Host header.
    origin: str

    @property
    def url(self) -> str:
        return self.origin + self.path

    def params(self) -> dict[str, str]:
        """Last value wins and a blank value counts as absent, like `query_params.get`."""
        out: dict[str, str] = {}
        for key, value in self.query:
            if value == "":
                out.pop(key, None)
            else:
                out[key] = value
        return out


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def drf_int(value: str) -> int | None:
    """DRF IntegerField parsing: `2.0` is accepted (and later rejected by the paginator)."""
    if not _DRF_INT.match(value):
        return None
    return int(float(value.strip()))
