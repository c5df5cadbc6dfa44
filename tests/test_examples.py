"""Every script in examples/ runs against the fake, as its `main()` documents."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import httpx2
import pytest

from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
KEYS = {"api_key": TEST_API_KEY, "secret_key": TEST_SECRET_KEY}


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _in_process(fake: FakeAPI) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=fake.transport())


@pytest.mark.anyio
async def test_agent_gate_hands_failure_reasons_to_the_llm() -> None:
    example = _load("agent_gate")
    fake = FakeAPI(DatasetSpec(seed=0))
    prompts: list[str] = []

    async def llm(prompt: str) -> str:
        prompts.append(prompt)
        return "diagnosis"

    async with fake.serve() as base_url:
        result = await example.main(
            base_url, **KEYS, run_test=fake.dataset.run_tests[0].name, min_pass_rate=100, llm=llm
        )
    assert result.failing == ("is_helpful",)
    assert result.diagnosis == "diagnosis"
    [prompt] = prompts
    assert result.reasons
    assert all(f"- {reason} (x{n})" in prompt for reason, n in result.reasons)


@pytest.mark.anyio
async def test_agent_gate_passes_without_asking() -> None:
    example = _load("agent_gate")
    fake = FakeAPI(DatasetSpec(seed=0))

    async def llm(prompt: str) -> str:
        raise AssertionError("a passing gate needs no diagnosis")

    async with _in_process(fake) as http:
        result = await example.main(
            "http://127.0.0.1", http_client=http, **KEYS, min_pass_rate=0, llm=llm
        )
    assert result.failing == ()
    assert result.diagnosis is None


@pytest.mark.anyio
async def test_bulk_export(tmp_path: Path) -> None:
    example = _load("bulk_export")
    fake = FakeAPI(DatasetSpec(seed=0))
    run_test = fake.dataset.run_tests[0]
    out = tmp_path / "out.jsonl"
    async with _in_process(fake) as http:
        counts = await example.main(
            "http://127.0.0.1", http_client=http, **KEYS, run_test=run_test.name, out=out
        )
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    executions = fake.dataset.executions_of(run_test.id)
    assert counts["executions"] == len(lines) == len(executions)
    assert counts["calls"] == sum(len(fake.dataset.calls_of(e.id)) for e in executions)
    assert not out.with_name("out.jsonl.partial").exists()


@pytest.mark.anyio
async def test_testing_example_main() -> None:
    example = _load("testing_with_the_fake")
    fake = FakeAPI(DatasetSpec(seed=7, calls_per_execution=40))
    async with _in_process(fake) as http:
        worst = await example.main("http://127.0.0.1", http_client=http, **KEYS)
    assert worst


def test_testing_example_tests_pass() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(EXAMPLES / "testing_with_the_fake.py"),
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=EXAMPLES.parent,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout  # three tests, on asyncio and trio


def test_starlette_app_shares_one_client() -> None:
    pytest.importorskip("starlette", reason="the example needs starlette (the test group)")
    example = _load("starlette_app")
    fake = FakeAPI(DatasetSpec(seed=0))
    result = example.main("http://127.0.0.1", http_client=_in_process(fake), **KEYS)
    assert len(result["run_tests"]) == len(fake.dataset.run_tests)
    assert result["latest"]["status"] == "completed"
    assert "is_helpful" in result["latest"]["pass_rates"]


@pytest.mark.anyio
async def test_dashboard_shows_each_run_tests_latest_execution() -> None:
    example = _load("dashboard")
    fake = FakeAPI(DatasetSpec(seed=0, run_tests=6))
    async with _in_process(fake) as http:
        board = await example.main("http://127.0.0.1", http_client=http, **KEYS)
    assert set(board) == {r.name for r in fake.dataset.run_tests}
    for run_test in fake.dataset.run_tests:
        newest = max(fake.dataset.executions_of(run_test.id), key=lambda e: e.created_at)
        assert board[run_test.name].execution_id == newest.id


@pytest.mark.anyio
async def test_bulk_export_without_a_path_writes_to_a_temp_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = _load("bulk_export")
    fake = FakeAPI(DatasetSpec(seed=0, run_tests=1, executions_per_run_test=1))
    (cwd := tmp_path / "cwd").mkdir()
    (temp := tmp_path / "temp").mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    async with _in_process(fake) as http:
        counts = await example.main("http://127.0.0.1", http_client=http, **KEYS)
    assert counts["executions"] == 1
    assert not list(cwd.iterdir())
    [written] = temp.glob("futureagi-export-*/export.jsonl")
    assert len(written.read_text(encoding="utf-8").splitlines()) == 1


@pytest.mark.anyio
async def test_bulk_export_logs_progress_without_carriage_returns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = _load("bulk_export")
    fake = FakeAPI(DatasetSpec(seed=0, run_tests=1, executions_per_run_test=12))
    async with _in_process(fake) as http:
        await example.main("http://127.0.0.1", http_client=http, **KEYS, out=tmp_path / "x")
    err = capsys.readouterr().err  # not a TTY here, as in a CI log
    assert "\r" not in err
    lines = err.splitlines()
    assert lines[-1] == "12/12 executions"
    assert len(lines) == len(set(lines)) <= 12


@pytest.mark.anyio
async def test_watch_failures_reacts_to_each_failed_call() -> None:
    example = _load("watch_failures")
    fake = FakeAPI(DatasetSpec(seed=0))
    running = fake.run_execution(
        "Billing bot nightly", calls=20, seconds=0.3, fail_ratio=0.3, seed=5
    )
    seen: list[str] = []

    async def on_failure(failure: object) -> None:
        seen.append(failure.call_id)  # type: ignore[attr-defined]

    async with _in_process(fake) as http:
        finished, failures = await example.main(
            running, "http://127.0.0.1", http_client=http, **KEYS, poll_interval=0.02,
            on_failure=on_failure,
        )  # fmt: skip
    calls = fake.dataset.calls_of(running)
    assert finished == len(calls) == 20
    assert seen == [f.call_id for f in failures]
    assert {c.id for c in calls if c.status == "failed"} <= set(seen)
    async with _in_process(fake) as http:
        _, first = await example.main(
            running, "http://127.0.0.1", http_client=http, **KEYS, poll_interval=0.02,
            on_failure=on_failure, stop_after=1,
        )  # fmt: skip
    assert len(first) == 1
