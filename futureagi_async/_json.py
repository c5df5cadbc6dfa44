"""JSON in and out, through orjson when it is installed.

orjson parses a call row about three times as fast as the stdlib (see benchmarks/decode.py),
so it is used when present and never required. It refuses a few things the stdlib accepts,
such as a lone surrogate escape (`"\\ud83d"`, which a text field cut mid-emoji produces), so
a body orjson rejects gets a second chance with the stdlib, whose error is then the one
raised. Integers beyond 64 bits come back as floats from orjson; this API has none.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["HAVE_ORJSON", "dumps", "loads"]

try:
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

HAVE_ORJSON = orjson is not None


def loads(raw: bytes | str) -> Any:
    """Parse a JSON document. Raises `json.JSONDecodeError` (a `ValueError`) on bad JSON."""
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON. Datetimes must already be strings (`unstructure` does that)."""
    if orjson is not None:
        try:
            return orjson.dumps(obj)
        except TypeError:
            pass
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
