"""Bytes to typed call rows: what our converter costs against the JSON parse alone.

Run: `.venv/bin/python -m benchmarks.decode` (or `python benchmarks/decode.py`).
Options: `--rows N` synthetic rows (default 2000), `--rounds N` (default 7), `--baseline DIR`
to measure another checkout of the library (e.g. the `main` worktree) in the same run.

Row kinds, each row encoded to its own bytes (compact, as DRF renders):

- `synthetic grid`: realistic grid rows (`/simulate/test-executions/{id}/`) built here (eval
  outputs and metrics, scenario columns, a rerun snapshot on one row in ten; ~2.7 KB each);
- `recorded grid`: the distinct rows of every recorded grid page (tests/recordings/);
- `recorded calls + transcript`: the call-listing rows
  (`/simulate/run-tests/{id}/call-executions/`) with a transcript;
- `recorded calls, no transcript`: the other call-listing rows.

Recorded rows are repeated to at least 1,000 per round. Each round measures every contender on
every kind (mean CPU µs per row of this thread, so time spent descheduled by other processes on
a shared machine does not count; garbage collector on, as in real use) and divides by
`orjson.loads` alone in the same round; the table shows medians over rounds. Contenders: our
`_json.loads` + `_convert.structure` (the default path: the generated hooks; transcripts and
eval maps are left to be built on first read), the same with every lazy field then read (what
a bulk reader pays, and what the eager contenders build), the same policy
through cattrs' generated functions only (`make_converter(slot_builder=False)`), a default
cattrs converter on the same attrs classes, and pydantic v2 and msgspec models mirrored from
the same classes (each skipped when not installed). With `--baseline DIR`, each round also runs
this script in a subprocess importing the library from DIR (`--emit-json`), and its
ratio to its own orjson parse is reported as `before`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
import typing
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

if __package__ in (None, "") and "DECODE_BASELINE" not in os.environ:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script

import attrs
import cattrs

from futureagi_async import _convert, _json
from futureagi_async.models import CallExecution

HERE = Path(__file__).resolve().parent
LAZY_READ = "ours (_json.loads + structure)"
FULL_READ = "ours, every lazy field read"
RECORDINGS = HERE.parent / "tests" / "recordings"
MIN_RECORDED_ROWS = 1000

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
    """One grid call row shaped like docs/api-behaviour.md §4.1."""
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


def recorded_rows() -> dict[str, list[bytes]]:
    """The distinct call rows of the recorded call-listing and grid pages, by kind."""
    kinds: dict[str, list[bytes]] = {
        "recorded grid": [],
        "recorded calls + transcript": [],
        "recorded calls, no transcript": [],
    }
    seen: set[bytes] = set()
    for file in sorted(RECORDINGS.glob("*.json")):
        recording = json.loads(file.read_text())
        if not isinstance(recording, dict) or recording.get("status") != 200:
            continue
        body = recording.get("body_json")
        path = recording["request"]["path"].split("?")[0]
        if recording["request"]["method"] != "GET" or not isinstance(body, dict):
            continue
        for row in body.get("results") or ():
            if not isinstance(row, dict) or "id" not in row:
                continue  # grouped-mode rows
            raw = json.dumps(row, separators=(",", ":")).encode()
            if raw in seen:
                continue
            seen.add(raw)
            if "/test-executions/" in path:
                kinds["recorded grid"].append(raw)
            elif path.endswith("/call-executions/") and row.get("transcript"):
                kinds["recorded calls + transcript"].append(raw)
            elif path.endswith("/call-executions/"):
                kinds["recorded calls, no transcript"].append(raw)
    return {kind: rows * -(-MIN_RECORDED_ROWS // len(rows)) for kind, rows in kinds.items() if rows}


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
        return dict[args[0], _mirror(args[1], make)]  # type: ignore[misc,valid-type]
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


def _ours_read_whole(loads: Callable[[bytes], Any]) -> Callable[[bytes], object]:
    """The same, then every lazy part read (transcript, eval maps, snapshots' eval maps), as
    an export or a gate does: what pydantic and msgspec build eagerly."""
    structure = _convert.structure

    def decode(raw: bytes) -> object:
        row: Any = structure(loads(raw), CallExecution)
        row.transcript  # noqa: B018
        row.eval_outputs  # noqa: B018
        row.eval_metrics  # noqa: B018
        for snapshot in row.rerun_snapshots:
            snapshot.eval_outputs  # noqa: B018
        return row

    return decode


def _cattrs_generated_only() -> Callable[[bytes], object] | None:
    """Our policy with cattrs' generated functions alone (absent before this converter)."""
    make_converter = getattr(_convert, "make_converter", None)
    if make_converter is None:
        return None
    hook = make_converter(slot_builder=False).get_structure_hook(CallExecution)
    return lambda raw: hook(_json.loads(raw), CallExecution)


def contenders(*, baseline: bool = False) -> dict[str, Callable[[bytes], object] | None]:
    try:
        import orjson
    except ImportError:
        orjson = None  # type: ignore[assignment]
    ours = {
        "orjson.loads only": orjson.loads if orjson else None,
        "ours (_json.loads + structure)": _ours(_json.loads),
        FULL_READ: _ours_read_whole(_json.loads),
    }
    if baseline:
        return ours
    return {
        "json.loads only": json.loads,
        **ours,
        "ours, cattrs-generated functions only": _cattrs_generated_only(),
        "default cattrs (json)": _default_cattrs(),
        "pydantic v2 (model_validate_json)": _pydantic(),
        "msgspec (json.Decoder, typed)": _msgspec(),
    }


def one_round(
    kinds: dict[str, list[bytes]], decoders: dict[str, Callable[[bytes], object]]
) -> dict[str, dict[str, float]]:
    """{kind: {contender: mean µs per row}} for one round."""
    result: dict[str, dict[str, float]] = {}
    for kind, rows in kinds.items():
        result[kind] = {}
        for name, decode in decoders.items():
            start = time.thread_time()
            for raw in rows:
                decode(raw)
            result[kind][name] = (time.thread_time() - start) / len(rows) * 1e6
    return result


def baseline_round(directory: str, rows: int) -> dict[str, dict[str, float]]:
    """One round of this script on the library checked out in `directory`."""
    env = {**os.environ, "PYTHONPATH": directory, "DECODE_BASELINE": "1"}
    cmd = [sys.executable, str(HERE / "decode.py"), "--emit-json", "--rows", str(rows)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--baseline", metavar="DIR", help="also measure the library in DIR")
    parser.add_argument("--emit-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    kinds = {"synthetic grid": make_rows(args.rows), **recorded_rows()}
    gc.enable()
    decoders = {k: v for k, v in contenders(baseline=args.emit_json).items() if v is not None}
    for rows in kinds.values():  # warm up caches and generated hooks
        for decode in decoders.values():
            for raw in rows[:200]:
                decode(raw)
    if args.emit_json:
        print(json.dumps(one_round(kinds, decoders)))
        return
    rounds = []
    for _ in range(args.rounds):
        here = one_round(kinds, decoders)
        before = baseline_round(args.baseline, args.rows) if args.baseline else None
        rounds.append((here, before))
    print(f"median of {args.rounds} rounds; ratio = µs / orjson.loads µs in the same round")
    print(f"python {sys.version.split()[0]}, cattrs {metadata.version('cattrs')}")
    for kind, rows in kinds.items():
        size = statistics.mean(len(raw) for raw in rows) / 1000
        print(f"\n{kind}: {len(set(rows))} distinct rows, mean {size:.2f} KB")
        print(f"| {'contender':40} | µs/row | vs orjson |")
        print(f"|{'-' * 42}|-------:|----------:|")
        baselines = {"before (--baseline)": LAZY_READ, "before, every lazy field read": FULL_READ}
        names = list(decoders) + (list(baselines) if args.baseline else [])
        for name in names:
            times, ratios = [], []
            for here, before in rounds:
                source = here if name in decoders else before
                key = name if name in decoders else baselines[name]
                if source is None or key not in source[kind]:
                    continue
                times.append(source[kind][key])
                ratios.append(source[kind][key] / source[kind]["orjson.loads only"])
            print(f"| {name:40} | {_median(times):6.2f} | {_median(ratios):9.2f} |")


if __name__ == "__main__":
    main()
