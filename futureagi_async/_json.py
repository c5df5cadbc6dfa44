"""JSON in and out, through orjson when it is installed.

orjson parses a call row about three times as fast as the stdlib (see benchmarks/decode.py),
so it is used when present and never required. `preview` renders parsed data for error
messages without recursing. It refuses a few things the stdlib accepts,
such as a lone surrogate escape (`"\\ud83d"`, which a text field cut mid-emoji produces), so
a body orjson rejects gets a second chance with the stdlib, whose error is then the one
raised. Integers beyond 64 bits come back as floats from orjson; this API has none.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["HAVE_ORJSON", "NestedTooDeeply", "dumps", "loads", "preview"]

try:
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]

HAVE_ORJSON = orjson is not None


def loads(raw: bytes | str) -> Any:
    """Parse a JSON document. Raises a `ValueError` on bad JSON, including a document nested
    too deeply for the stdlib parser (which would otherwise raise RecursionError). An
    integer of more than 4,000 digits is kept as its digits (a string)."""
    if orjson is not None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(raw, parse_int=_int_or_digits)
    except RecursionError:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        raise NestedTooDeeply("nested too deeply", text[:200], 0) from None


class NestedTooDeeply(json.JSONDecodeError):
    """Valid-looking JSON nested past what the parser goes: not a body cut short, so a
    caller need not retry it."""


# Python refuses to convert integers longer than this many digits (a guard against slow
# conversions); such a number is kept as its digits, so the body still parses.
_MAX_INT_DIGITS = 4000


def _int_or_digits(text: str) -> int | str:
    return int(text) if len(text) <= _MAX_INT_DIGITS else text


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON. Datetimes must already be strings (`unstructure` does that).

    A lone surrogate in a string (`"\\ud83d"`, a message cut mid-emoji, as the API sends it)
    cannot be written as UTF-8, so it is written escaped, `\\ud83d`: the output is valid
    UTF-8 and reads back to the same string. Data nested deeper than the encoders go (orjson
    stops at 255 levels, the stdlib at the recursion limit) is written by an iterative encoder
    instead."""
    if orjson is not None:
        try:
            return orjson.dumps(obj)
        except TypeError:
            pass
    try:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        text = _render(obj, None)
    return _utf8(text)


# A surrogate code point: JSON text holds one only inside a string, where `\uXXXX` is its
# escape.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf8(text: str) -> bytes:
    """`text` as UTF-8, its lone surrogates escaped (see `dumps`)."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda match: f"\\u{ord(match[0]):04x}", text).encode()


_PREVIEW_ITEMS = 20  # items shown per container by `preview` before "…"
_PREVIEW_CHARS = 200  # characters shown per string by `preview`


def preview(value: Any, limit: int = 200) -> str:
    """A short JSON rendering of parsed data, for error messages.

    Bounded and iterative: it stops at `limit` characters and never recurses, so a body
    nested a million levels deep or a megabyte long costs a few microseconds, never a
    RecursionError (unlike `repr`).
    """
    return _render(value, limit)


def _render(value: Any, limit: int | None) -> str:
    """JSON text of `value` without recursion; with a `limit`, a cut preview of it."""
    items = _PREVIEW_ITEMS if limit is not None else None
    comma, colon = (", ", ": ") if limit is not None else (",", ":")
    out: list[str] = []
    size = 0
    # What is left to write, last first: values, and literal text (brackets, commas, keys).
    stack: list[tuple[bool, Any]] = [(False, value)]
    while stack and (limit is None or size <= limit):
        is_text, item = stack.pop()
        if is_text:
            text = item
        elif isinstance(item, dict | list | tuple):
            is_dict = isinstance(item, dict)
            entries: list[Any] = list(item.items() if isinstance(item, dict) else item)[:items]
            cut = "…" if items is not None and len(item) > items else ""
            stack.append((True, cut + ("}" if is_dict else "]")))
            for index in range(len(entries) - 1, -1, -1):
                before = comma if index else ""
                if is_dict:
                    key, entry = entries[index]
                    stack.append((False, entry))
                    stack.append((True, before + _scalar(str(key), limit) + colon))
                else:
                    stack.append((False, entries[index]))
                    stack.append((True, before))
            text = "{" if is_dict else "["
        else:
            text = _scalar(item, limit)
        out.append(text)
        size += len(text)
    text = "".join(out)
    if limit is not None and (stack or len(text) > limit):
        return text[: max(limit - 1, 0)] + "…"
    return text


def _scalar(value: Any, limit: int | None) -> str:
    """One scalar; for a preview, cut before it is rendered so a huge one costs nothing."""
    if isinstance(value, str):
        if limit is not None and len(value) > _PREVIEW_CHARS:
            value = value[:_PREVIEW_CHARS] + "…"
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool | float) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        if limit is not None and value.bit_length() > 256:
            return f"<int of {value.bit_length()} bits>"
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)
