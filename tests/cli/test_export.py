"""`export`: complete files, and an interrupted export resumed without corruption."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from .conftest import Result, Served

Cli = Callable[..., Result]


class FailFor(httpx2.AsyncBaseTransport):
    """The fake, except that requests mentioning `needle` get a 404 (not retried)."""

    def __init__(self, served: Served, needle: str):
        self._inner = served.fake.transport()
        self._needle = needle

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._needle in str(request.url):
            return httpx2.Response(404, json={"detail": "Not found."})
        return await self._inner.handle_async_request(request)


def _run_test(env: Served, index: int = 0) -> tuple[str, list[str], int]:
    run_test = env.fake.dataset.run_tests[index]
    executions = env.fake.dataset.executions_of(run_test.id)
    calls = sum(len(env.fake.dataset.calls_of(e.id)) for e in executions)
    return run_test.name, [e.id for e in executions], calls


def _jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_export_writes_every_execution_and_call(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, calls = _run_test(env)
    out = tmp_path / "out"
    result = cli("export", name, "-o", str(out), "--format", "jsonl,csv,parquet")
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [
        "calls.csv",
        "calls.parquet",
        "executions.jsonl",
    ]
    records = _jsonl(out / "executions.jsonl")
    assert sorted(r["execution"]["execution_id"] for r in records) == sorted(ids)  # type: ignore[index]
    assert sum(len(r["calls"]) for r in records) == calls  # type: ignore[arg-type]
    with (out / "calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == calls
    assert {r["execution_id"] for r in rows} == set(ids)
    assert "eval:helpful_or_not" in rows[0]
    assert {r["eval:helpful_or_not"] for r in rows} >= {"Passed", "Failed"}
    pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
    assert pyarrow_parquet.read_table(out / "calls.parquet").num_rows == calls
    assert f"{calls} call row(s)" in result.out
    # No progress bar when stderr is not a terminal.
    assert result.err == ""


def test_transcripts_are_optional(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, _, _ = _run_test(env)
    plain, full = tmp_path / "plain", tmp_path / "full"
    assert cli("export", name, "-o", str(plain), "--format", "jsonl").code == 0
    assert cli("export", name, "-o", str(full), "--format", "jsonl,csv", "--transcripts").code == 0
    calls_plain = [c for r in _jsonl(plain / "executions.jsonl") for c in r["calls"]]  # type: ignore[attr-defined]
    calls_full = [c for r in _jsonl(full / "executions.jsonl") for c in r["calls"]]  # type: ignore[attr-defined]
    assert not any(c.get("transcript") for c in calls_plain)
    assert any(c.get("transcript") for c in calls_full)
    assert "transcript" in (full / "calls.csv").read_text(encoding="utf-8").splitlines()[0]


def test_an_interrupted_export_resumes_without_corruption(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, ids, calls = _run_test(env)
    out = tmp_path / "out"
    failing = ids[0]  # the oldest: listed, and so fetched, last
    http = httpx2.AsyncClient(transport=FailFor(env, failing))
    first = cli(
        "export", name, "-o", str(out), "--concurrency", "1", "--progress", http_client=http
    )
    assert first.code == 2
    assert "rerun the same command to resume" in first.err
    assert not (out / "executions.jsonl").exists()
    assert not (out / "calls.csv").exists()
    partial = out / "executions.jsonl.partial"
    saved = _jsonl(partial)
    assert 0 < len(saved) < len(ids)
    # The interrupted writer may have left half a line in the data and in the manifest.
    with partial.open("ab") as handle:
        handle.write(b'{"execution": {"execution_id": "torn')
    with (out / "calls.csv.partial").open("ab") as handle:
        handle.write(b"torn,row")
    with (out / "export.manifest").open("ab") as handle:
        handle.write(b'{"execution_id": "x", "offs')

    second = cli("export", name, "-o", str(out), "--concurrency", "1")
    assert second.code == 0, second.err
    assert f"({len(saved)} already saved)" in second.out
    records = _jsonl(out / "executions.jsonl")
    assert sorted(r["execution"]["execution_id"] for r in records) == sorted(ids)  # type: ignore[index]
    with (out / "calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == calls
    assert "torn" not in (out / "calls.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["calls.csv", "executions.jsonl"]


def test_a_finished_export_is_not_overwritten_by_accident(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, _, _ = _run_test(env)
    out = tmp_path / "out"
    assert cli("export", name, "-o", str(out), "--format", "jsonl").code == 0
    again = cli("export", name, "-o", str(out), "--format", "jsonl")
    assert again.code == 2
    assert "--overwrite" in again.err
    assert cli("export", name, "-o", str(out), "--format", "jsonl", "--overwrite").code == 0


def test_resuming_with_other_options_is_refused(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, _ = _run_test(env)
    out = tmp_path / "out"
    http = httpx2.AsyncClient(transport=FailFor(env, ids[0]))
    assert cli("export", name, "-o", str(out), "--concurrency", "1", http_client=http).code == 2
    other = cli("export", name, "-o", str(out), "--transcripts")
    assert other.code == 2
    assert "unfinished export" in other.err
    other_name, _, _ = _run_test(env, 2)
    assert cli("export", other_name, "-o", str(out)).code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format"),
        (["--concurrency", "0"], "--concurrency"),
    ],
)
def test_export_usage_errors(
    cli: Cli, env: Served, tmp_path: Path, args: list[str], message: str
) -> None:
    name, _, _ = _run_test(env)
    result = cli("export", name, "-o", str(tmp_path / "x"), *args)
    assert result.code == 2
    assert message in result.err


def test_an_unknown_run_test_is_an_error(cli: Cli, env: Served, tmp_path: Path) -> None:
    result = cli("export", "No such run test", "-o", str(tmp_path / "x"))
    assert result.code == 2
    assert result.err.startswith("error:")


def test_two_exports_never_write_to_one_directory(tmp_path: Path) -> None:
    from futureagi_async.cli._errors import UsageError
    from futureagi_async.cli._export_files import ExportWriter

    options = {"run_test": "rt", "formats": ["jsonl"], "transcripts": False, "evals": []}
    with (
        ExportWriter(tmp_path, **options),  # type: ignore[arg-type]
        pytest.raises(UsageError, match="another export is writing"),
    ):
        ExportWriter(tmp_path, **options).__enter__()  # type: ignore[arg-type]
    with ExportWriter(tmp_path, **options) as writer:  # type: ignore[arg-type]
        writer.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["executions.jsonl"]
