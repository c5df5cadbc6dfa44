"""Wire encoding shared by every response: compact UTF-8 JSON and the backend's datetimes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

__all__ = ["day", "dumps", "iso", "iso_ms"]

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def dumps(obj: Any) -> bytes:
    """Compact raw UTF-8, like DRF's JSONRenderer (no ASCII escaping, no spaces)."""
    return _encoder.encode(obj).encode()


def iso(value: datetime | None) -> str | None:
    """The backend's form: `Z`, and 6 fractional digits only when microseconds are non-zero."""
    if value is None:
        return None
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(value: datetime | None) -> str | None:
    """The published pages' form: always 3 fractional digits."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def day(value: datetime) -> str:
    """Grouped rows carry bare dates."""
    return date(value.year, value.month, value.day).isoformat()
