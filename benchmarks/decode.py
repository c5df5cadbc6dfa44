"""How long one call row takes from bytes to a typed model, and what the alternatives cost.

Run: `.venv/bin/python -m benchmarks.decode` (or `python benchmarks/decode.py`).
Options: `--rows N` (default 2000), `--rounds N` (default 7).

It builds realistic endpoint-4 call rows (docs/api-behaviour.md §4.1: eval outputs and metrics,
scenario columns, a rerun snapshot on one row in ten; about 2.6 KB each), encodes each one to its
own bytes, and reports the median over rounds of the mean microseconds per row for: the JSON
parsers alone, our `_json.loads` + `_convert.structure` (stdlib json and orjson), a default
cattrs converter on the same attrs classes, and pydantic v2 and msgspec models mirrored from
the same classes (each skipped when not installed). The garbage collector stays on, as in
real use.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import attrs
import cattrs

from futureagi_async import _convert, _json
from futureagi_async.models import CallExecution

_STATUSES = ["completed"] * 8 + ["failed", "analyzing"]
_SCENARIOS = ["Billing Inquiry", "Refund request", "Angry customer", "Address change"]
_REASONS = [
    "Agent resolved the dispute.",
    "The agent did not verify the caller's identity.",
    "Customer hung up without resolution.",
]


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _stamp(rng: random.Random) -> str:
    moment = datetime(2026, 3, 20, 2, tzinfo=UTC) + timedelta(seconds=rng.uniform(0, 86_400))
    return moment.isoformat().replace("+00:00", "Z")


def _eval_pair(rng: random.Random, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    passed = rng.random() < 0.8
    value = "Passed" if passed else "Failed"
    reason = rng.choice(_REASONS)
    output = {
        "value": value,
        "reason": reason,
        "type": "Pass/Fail",
        "name": name,
        "error": False,
        "status": "Completed",
        "skipped": False,
    }
    metric = {
        "id": "",
        "name": name,
        "value": value,
        "reason": reason,
        "type": "Pass/Fail",
        "template_type": "Futureagi",
        "visible": True,
        "error": False,
        "status": "Completed",
        "skipped": False,
        "error_localizer": False,
    }
    return output, metric


def _snapshot(rng: random.Random) -> dict[str, Any]:
    return {
        "id": _uuid(rng),
        "snapshot_timestamp": _stamp(rng),
        "rerun_type": "call_and_eval",
        "service_provider_call_id": f"call_{rng.getrandbits(48):x}",
        "status": "completed",
        "started_at": _stamp(rng),
        "completed_at": _stamp(rng),
        "ended_at": _stamp(rng),
        "duration_seconds": rng.randint(30, 300),
        "recording_url": "https://storage.example.com/rec/" + _uuid(rng) + ".wav",
        "cost_cents": rng.randint(5, 40),
        "call_summary": "Customer asked about a duplicate charge.",
        "ended_reason": "customer-ended-call",
        "overall_score": 7.0,
        "response_time_ms": rng.randint(500, 2500),
        "eval_outputs": {
            _uuid(rng): {
                "output": "Passed",
                "reason": rng.choice(_REASONS),
                "output_type": "Pass/Fail",
                "name": "helpful_or_not",
                "status": "Completed",
            }
        },
        "transcripts": [],
        "avg_agent_latency_ms": rng.randint(400, 1500),
    }


def make_row(rng: random.Random, eval_ids: list[str]) -> dict[str, Any]:
    """One endpoint-4 call row shaped like docs/api-behaviour.md §4.1."""
    eval_outputs, eval_metrics = {}, {}
    for eval_id, name in zip(eval_ids, ["helpful_or_not"], strict=True):
        output, metric = _eval_pair(rng, name)
        eval_outputs[eval_id] = output
        eval_metrics[eval_id] = {**metric, "id": eval_id}
    latency = rng.randint(400, 1500)
    response_ms = rng.randint(500, 2500)
    duration = rng.randint(30, 300)
    phone = f"+1415555{rng.randint(0, 9999):04d}"
    return {
        "id": _uuid(rng),
        "service_provider_call_id": f"call_{rng.getrandbits(48):x}",
        "session_id": _uuid(rng),
        "timestamp": _stamp(rng),
        "call_type": rng.choice(["Inbound", "Outbound"]),
        "status": rng.choice(_STATUSES),
        "duration": duration,
        "duration_seconds": duration,
        "start_time": _stamp(rng),
        "transcript": [],
        "scenario": rng.choice(_SCENARIOS),
        "overall_score": float(rng.randint(1, 10)),
        "response_time": response_ms / 1000,
        "response_time_ms": response_ms,
        "audio_url": "https://storage.example.com/rec/" + _uuid(rng) + ".wav",
        "customer_name": phone,
        "eval_outputs": eval_outputs,
        "eval_metrics": eval_metrics,
        "scenario_columns": {
            "persona": {
                "value": {"name": "Dana", "mood": "impatient", "age": 42},
                "visible": True,
                "dataset_column_id": _uuid(rng),
                "dataset_id": _uuid(rng),
                "column_name": "persona",
                "data_type": "json",
            },
        },
        "ended_reason": "customer-ended-call",
        "simulator_agent_name": "Default simulator",
        "simulator_agent_id": _uuid(rng),
        "agent_definition_used_name": "Billing bot",
        "agent_definition_used_id": _uuid(rng),
        "call_summary": "The customer disputed a duplicate charge; the agent issued a refund.",
        "recordings": {},
        "test_execution_id": _uuid(rng),
        "scenario_id": _uuid(rng),
        "scenario_graph": {},
        "scenario_graph_id": None,
        "avg_agent_latency": latency,
        "avg_agent_latency_ms": latency,
        "user_interruption_count": rng.randint(0, 4),
        "ai_interruption_count": rng.randint(0, 4),
        "user_interruption_rate": round(rng.uniform(0, 2), 2),
        "ai_interruption_rate": round(rng.uniform(0, 2), 2),
        "user_wpm": round(rng.uniform(100, 180), 1),
        "bot_wpm": round(rng.uniform(120, 200), 1),
        "talk_ratio": round(rng.uniform(0.5, 2), 2),
        "avg_stop_time_after_interruption": rng.randint(200, 900),
        "total_tokens": None,
        "input_tokens": None,
        "output_tokens": None,
        "turn_count": rng.randint(4, 30),
        "csat_score": None,
        "avg_latency_ms": None,
        "agent_talk_percentage": round(rng.uniform(30, 70), 1),
        "processing_skipped": False,
        "processing_skip_reason": None,
        "rerun_snapshots": [_snapshot(rng)] if rng.random() < 0.1 else [],
        "is_snapshot": False,
        "snapshot_timestamp": None,
        "rerun_type": None,
        "original_call_execution_id": None,
        "tool_outputs": None,
        "cost_cents": rng.randint(5, 40),
        "customer_cost_cents": None,
        "customer_cost_breakdown": None,
        "customer_latency_metrics": None,
        "customer_call_id": None,
        "simulation_call_type": "voice",
        "provider": "vapi",
        "phone_number": phone,
    }


def make_rows(count: int, seed: int = 5) -> list[bytes]:
    rng = random.Random(seed)
    eval_ids = [_uuid(rng)]
    compact = (",", ":")  # what DRF renders
    return [json.dumps(make_row(rng, eval_ids), separators=compact).encode() for _ in range(count)]


# --- the contenders ------------------------------------------------------------------------


def _default_cattrs() -> Callable[[bytes], object]:
    """A stock converter with only a datetime hook: what cattrs costs out of the box."""
    converter = cattrs.Converter()
    converter.register_structure_hook(datetime, lambda value, _: datetime.fromisoformat(value))
    converter.register_structure_hook(bool | str | None, lambda value, _: value)
    hook = converter.get_structure_hook(CallExecution)
    return lambda raw: hook(json.loads(raw), CallExecution)


def _mirror(tp: Any, make: Callable[[type], Any]) -> Any:
    """`tp` with every attrs class in it replaced by `make(cls)`."""
    if isinstance(tp, type) and attrs.has(tp):
        return make(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return list[_mirror(args[0], make)]  # type: ignore[misc]
    if origin is dict:
        return dict[args[0], _mirror(args[1], make)]  # type: ignore[misc]
    if args:
        return typing.Union[tuple(_mirror(arg, make) for arg in args)]  # noqa: UP007
    return tp


def _fields(cls: type) -> list[tuple[str, Any, Any]]:
    hints = typing.get_type_hints(cls)
    out = []
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        default = field.default
        factory = getattr(default, "factory", None)
        out.append((field.name, hints[field.name], factory if callable(factory) else None))
    return out


def _pydantic() -> Callable[[bytes], object] | None:
    try:
        import pydantic
    except ImportError:
        return None
    made: dict[type, Any] = {}

    def make(cls: type) -> Any:
        if cls not in made:
            spec: dict[str, Any] = {}
            for name, tp, factory in _fields(cls):
                default = pydantic.Field(default_factory=factory) if factory else None
                spec[name] = (_mirror(tp, make), default)
            config = pydantic.ConfigDict(extra="allow")
            made[cls] = pydantic.create_model(cls.__name__, __config__=config, **spec)
        return made[cls]

    model = make(CallExecution)
    return model.model_validate_json  # type: ignore[no-any-return]


def _msgspec() -> Callable[[bytes], object] | None:
    try:
        import msgspec
    except ImportError:
        return None
    made: dict[type, Any] = {}

    def make(cls: type) -> Any:
        if cls not in made:
            spec = []
            for name, tp, factory in _fields(cls):
                default = msgspec.field(default_factory=factory) if factory else None
                spec.append((name, _mirror(tp, make), default))
            made[cls] = msgspec.defstruct(cls.__name__, spec, frozen=True)
        return made[cls]

    decoder = msgspec.json.Decoder(make(CallExecution))
    return decoder.decode


def _ours(loads: Callable[[bytes], Any]) -> Callable[[bytes], object]:
    structure = _convert.structure

    def decode(raw: bytes) -> object:
        return structure(loads(raw), CallExecution)

    return decode


def contenders() -> dict[str, Callable[[bytes], object] | None]:
    try:
        import orjson
    except ImportError:
        orjson = None
    return {
        "json.loads only": json.loads,
        "orjson.loads only": orjson.loads if orjson else None,
        "ours (json)": _ours(json.loads),
        "ours (orjson)": _ours(orjson.loads) if orjson else None,
        "ours (_json.loads, the default)": _ours(_json.loads),
        "default cattrs (json)": _default_cattrs(),
        "pydantic v2 (model_validate_json)": _pydantic(),
        "msgspec (json.Decoder, typed)": _msgspec(),
    }


def measure(decode: Callable[[bytes], object], rows: list[bytes], rounds: int) -> float:
    """Median over `rounds` of the mean microseconds per row."""
    for raw in rows[:200]:  # warm up caches and generated hooks
        decode(raw)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        for raw in rows:
            decode(raw)
        timings.append((time.perf_counter() - start) / len(rows) * 1e6)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    rows = make_rows(args.rows)
    size = statistics.mean(len(raw) for raw in rows)
    gc.enable()
    print(f"{len(rows)} rows, mean {size / 1000:.2f} KB, median of {args.rounds} rounds")
    print(f"python {sys.version.split()[0]}, cattrs {metadata.version('cattrs')}")
    for name, decode in contenders().items():
        if decode is None:
            print(f"{name:36} (not installed)")
            continue
        print(f"{name:36} {measure(decode, rows, args.rounds):7.2f} µs/row")


if __name__ == "__main__":
    main()
