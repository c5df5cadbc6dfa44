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

__all__ = ["HAVE_ORJSON", "dumps", "loads", "preview"]

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


_PREVIEW_ITEMS = 20  # items shown per container before "…"


def preview(value: Any, limit: int = 200) -> str:
    """A short JSON-like rendering of parsed data, for error messages.

    Bounded and iterative: it stops at `limit` characters and never recurses, so a body
    nested a million levels deep or a megabyte long costs a few microseconds, never a
    RecursionError (unlike `repr`).
    """
    out: list[str] = []
    size = 0
    # A stack of what is left to write: values, and literal text (closing brackets, commas).
    stack: list[tuple[bool, Any]] = [(False, value)]
    while stack and size <= limit:
        is_text, item = stack.pop()
        if is_text:
            text = item
        elif isinstance(item, dict | list | tuple):
            is_dict = isinstance(item, dict)
            entries: list[Any] = (
                list(item.items())[:_PREVIEW_ITEMS]
                if isinstance(item, dict)
                else list(item[:_PREVIEW_ITEMS])
            )
            closing = ("…" if len(item) > _PREVIEW_ITEMS else "") + ("}" if is_dict else "]")
            stack.append((True, closing))
            for index in range(len(entries) - 1, -1, -1):
                if is_dict:
                    key, entry = entries[index]
                    stack.append((False, entry))
                    stack.append((True, ("" if index == 0 else ", ") + _scalar(str(key)) + ": "))
                else:
                    stack.append((False, entries[index]))
                    if index:
                        stack.append((True, ", "))
            text = "{" if is_dict else "["
        else:
            text = _scalar(item)
        out.append(text)
        size += len(text)
    text = "".join(out)
    if stack or len(text) > limit:
        return text[: max(limit - 1, 0)] + "…"
    return text


def _scalar(value: Any) -> str:
    """One scalar, cut before it is rendered so a huge string costs nothing."""
    if isinstance(value, str):
        return json.dumps(value[:_PREVIEW_CHARS] + ("…" if len(value) > _PREVIEW_CHARS else ""))
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() < 256 else f"<int of {value.bit_length()} bits>"
    if isinstance(value, float):
        return repr(value)
    return f"<{type(value).__name__}>"


_PREVIEW_CHARS = 200
