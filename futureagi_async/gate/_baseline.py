"""Baseline files: one execution's per-call outcomes, kept so a baseline outlives the
execution (`gate --save-baseline FILE`, then `gate --baseline FILE`).

The file is JSON with a `format` tag and a `version`; anything else (another tool's JSON, a
truncated file, a later version, a value of the wrong type) is refused with a
`GateInputError` naming what is wrong, never read as an empty baseline.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .._json import dumps, loads
from ._errors import GateInputError
from ._outcomes import PASS_FAIL, SCORE, CallOutcome, EvalKind, ExecutionOutcomes

__all__ = [
    "FORMAT",
    "VERSION",
    "baseline_from_json",
    "baseline_to_json",
    "load_baseline",
    "save_baseline",
]

FORMAT = "futureagi-async/gate-baseline"
VERSION = 1
_KINDS: dict[str, EvalKind] = {PASS_FAIL: PASS_FAIL, SCORE: SCORE}


def baseline_to_json(outcomes: ExecutionOutcomes) -> bytes:
    """The baseline file's bytes for these outcomes."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_test_name": outcomes.run_test_name,
        "execution_id": outcomes.execution_id,
        "status": outcomes.status,
        "failed_calls": outcomes.failed_calls,
        "total_calls": outcomes.total_calls,
        "runtime_seconds": outcomes.runtime_seconds,
        "evals": dict(outcomes.evals),
        "aliases": dict(outcomes.aliases),
        "calls": [
            {
                "id": call.call_id,
                "scenario_id": call.scenario_id,
                "scenario": call.scenario,
                "status": call.status,
                "duration_seconds": call.duration_seconds,
                "latency_ms": call.latency_ms,
                "evals": dict(call.evals),
            }
            for call in outcomes.calls
        ],
    }
    return dumps(document) + b"\n"


def save_baseline(outcomes: ExecutionOutcomes, path: str | os.PathLike[str]) -> None:
    """Write the baseline file (a temporary file renamed into place, so never half-written)."""
    target = os.fspath(path)
    directory = os.path.dirname(target)
    if directory:
        os.makedirs(directory, exist_ok=True)
    partial = f"{target}.partial"
    with open(partial, "wb") as file:
        file.write(baseline_to_json(outcomes))
    os.replace(partial, target)


class _Reader:
    """Typed reads with messages that name the file and the field."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, what: str) -> GateInputError:
        return GateInputError(f"baseline file {self.source}: {what}")

    def text(self, data: Mapping[str, Any], key: str, *, optional: bool = True) -> str | None:
        value = data.get(key)
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a string, got {type(value).__name__}")
        return value

    def number(self, data: Mapping[str, Any], key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{key!r} must be a number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise self.fail(f"{key!r} must be finite")
        return float(value)

    def count(self, data: Mapping[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{key!r} must be a whole number from 0")
        return value

    def mapping(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, dict):
            raise self.fail(f"{key!r} must be an object")
        return value


def _call(reader: _Reader, raw: object, evals: Mapping[str, EvalKind], index: int) -> CallOutcome:
    if not isinstance(raw, dict):
        raise reader.fail(f"call {index} is not an object")
    call_id = reader.text(raw, "id", optional=False)
    assert call_id is not None
    values: dict[str, bool | float] = {}
    for name, value in reader.mapping(raw, "evals").items():
        kind = evals.get(name)
        if kind is None:
            raise reader.fail(f"call {call_id} has an outcome for {name!r}, not in 'evals'")
        if kind == PASS_FAIL and isinstance(value, bool):
            values[name] = value
        elif (
            kind == SCORE
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            values[name] = float(value)
        else:
            raise reader.fail(f"call {call_id}: {name!r} is not a {kind} outcome: {value!r}")
    return CallOutcome(
        call_id,
        reader.text(raw, "scenario_id"),
        reader.text(raw, "status"),
        reader.number(raw, "duration_seconds"),
        reader.number(raw, "latency_ms"),
        values,
        reader.text(raw, "scenario"),
    )


def baseline_from_json(raw: bytes | str, *, source: str = "<baseline>") -> ExecutionOutcomes:
    """Read a baseline file's content; `GateInputError` for anything but this format."""
    reader = _Reader(source)
    try:
        document = loads(raw)
    except ValueError:
        raise reader.fail("not JSON (a corrupt or truncated file?)") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise reader.fail(f'not a gate baseline (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION:
        raise reader.fail(f"version {version!r}; this futureagi-async reads version {VERSION}")
    evals: dict[str, EvalKind] = {}
    for name, kind in reader.mapping(document, "evals").items():
        if kind not in _KINDS:
            raise reader.fail(f"eval {name!r} has unknown kind {kind!r}")
        evals[name] = _KINDS[kind]
    aliases: dict[str, str] = {}
    for config, name in reader.mapping(document, "aliases").items():
        if name not in evals:
            raise reader.fail(f"alias {config!r} names {name!r}, not in 'evals'")
        aliases[config] = name
    calls = document.get("calls")
    if not isinstance(calls, list):
        raise reader.fail("'calls' must be a list")
    execution_id = reader.text(document, "execution_id", optional=False)
    assert execution_id is not None
    return ExecutionOutcomes(
        execution_id=execution_id,
        run_test_name=reader.text(document, "run_test_name"),
        status=reader.text(document, "status"),
        evals=evals,
        calls=tuple(_call(reader, call, evals, i) for i, call in enumerate(calls)),
        aliases=aliases,
        failed_calls=reader.count(document, "failed_calls"),
        total_calls=reader.count(document, "total_calls"),
        runtime_seconds=reader.number(document, "runtime_seconds"),
    )


def load_baseline(path: str | os.PathLike[str]) -> ExecutionOutcomes:
    """Read a baseline file; a missing or unreadable one is a `GateInputError` too."""
    source = os.fspath(path)
    try:
        with open(source, "rb") as file:
            raw = file.read()
    except OSError as exc:
        raise GateInputError(f"baseline file {source}: {exc.strerror or exc}") from None
    return baseline_from_json(raw, source=source)
