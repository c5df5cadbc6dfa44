"""JSON in and out, through orjson when it is installed.

orjson decodes a call row about twice as fast as the stdlib (see benchmarks/decode.py), so it
is used when present and never required. It refuses a few things the stdlib accepts (integers
beyond 64 bits), so a body orjson rejects gets a second chance with the stdlib, which also
gives the clearer error message when the body really is broken.
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
