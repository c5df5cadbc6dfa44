"""`export`: complete files, and an interrupted export resumed without corruption."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from futureagi_async.cli import main

from .helpers import Cli, FailFor, Served, run_test_with_calls


def _parquet_calls(out: Path) -> Any:
    dataset = pytest.importorskip("pyarrow.dataset")
    return dataset.dataset(out / "calls", partitioning="hive").to_table()


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_export_writes_every_execution_and_call(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, calls = run_test_with_calls(env)
    out = tmp_path / "out"
    result = cli("export", name, "-o", str(out), "--format", "jsonl,csv,parquet")
    assert result.code == 0, result.err
    assert sorted(p.name for p in out.iterdir()) == [
        "calls",
        "calls.csv",
        "executions",
        "executions.jsonl",
        "export.done",
    ]
    records = _jsonl(out / "executions.jsonl")
    assert sorted(r["execution"]["execution_id"] for r in records) == sorted(ids)
    assert sum(len(r["calls"]) for r in records) == calls
    with (out / "calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == calls
    assert {r["execution_id"] for r in rows} == set(ids)
    assert "eval:helpful_or_not" in rows[0]
    assert {r["eval:helpful_or_not"] for r in rows} >= {"Passed", "Failed"}
    assert _parquet_calls(out).num_rows == calls
    assert f"{calls} call row(s)" in result.out
    # No progress bar when stderr is not a terminal.
    assert result.err == ""


def test_transcripts_are_optional(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, _, _ = run_test_with_calls(env)
    plain, full = tmp_path / "plain", tmp_path / "full"
    assert cli("export", name, "-o", str(plain), "--format", "jsonl").code == 0
    assert cli("export", name, "-o", str(full), "--format", "jsonl,csv", "--transcripts").code == 0
    calls_plain = [c for r in _jsonl(plain / "executions.jsonl") for c in r["calls"]]
    calls_full = [c for r in _jsonl(full / "executions.jsonl") for c in r["calls"]]
    assert not any(c.get("transcript") for c in calls_plain)
    assert any(c.get("transcript") for c in calls_full)
    assert "transcript" in (full / "calls.csv").read_text(encoding="utf-8").splitlines()[0]


def test_an_interrupted_export_resumes_without_corruption(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, ids, calls = run_test_with_calls(env)
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
    assert sorted(r["execution"]["execution_id"] for r in records) == sorted(ids)
    with (out / "calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == calls
    assert "torn" not in (out / "calls.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["calls.csv", "executions.jsonl", "export.done"]


def test_running_a_finished_export_again_is_a_no_op(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, calls = run_test_with_calls(env)
    out = tmp_path / "out"
    assert cli("export", name, "-o", str(out), "--format", "jsonl").code == 0
    written = (out / "executions.jsonl").read_bytes()
    env.fake.stats.reset()
    again = cli("export", name, "-o", str(out), "--format", "jsonl")
    assert again.code == 0, again.err
    assert again.out.startswith(f"already exported: {out} holds a finished export of {name!r}")
    assert f"({len(ids)} execution(s), {calls} call row(s)); nothing to do" in again.out
    assert (out / "executions.jsonl").read_bytes() == written
    assert env.fake.stats.requests_served <= 2  # the run test's listing only
    assert cli("export", name, "-o", str(out), "--format", "jsonl", "--overwrite").code == 0


def test_a_finished_export_is_not_overwritten_by_another(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, _, _ = run_test_with_calls(env)
    out = tmp_path / "out"
    assert cli("export", name, "-o", str(out), "--format", "jsonl").code == 0
    other = cli("export", name, "-o", str(out), "--format", "jsonl", "--transcripts")
    assert other.code == 2
    assert "--overwrite" in other.err
    other_name, _, _ = run_test_with_calls(env, 1)
    assert cli("export", other_name, "-o", str(out), "--format", "jsonl").code == 2


def test_resuming_with_other_options_is_refused(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, _ = run_test_with_calls(env)
    out = tmp_path / "out"
    http = httpx2.AsyncClient(transport=FailFor(env, ids[0]))
    assert cli("export", name, "-o", str(out), "--concurrency", "1", http_client=http).code == 2
    other = cli("export", name, "-o", str(out), "--transcripts")
    assert other.code == 2
    assert "unfinished export" in other.err
    other_name, _, _ = run_test_with_calls(env, 2)
    assert cli("export", other_name, "-o", str(out)).code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format"),
        (["--concurrency", "0"], "argument --concurrency: must be at least 1"),
    ],
)
def test_export_usage_errors(
    cli: Cli, env: Served, tmp_path: Path, args: list[str], message: str
) -> None:
    name, _, _ = run_test_with_calls(env)
    result = cli("export", name, "-o", str(tmp_path / "x"), *args)
    assert result.code == 2
    assert message in result.err


def test_an_unknown_run_test_is_an_error(cli: Cli, env: Served, tmp_path: Path) -> None:
    result = cli("export", "No such run test", "-o", str(tmp_path / "x"))
    assert result.code == 2
    assert result.err.startswith("error: no run test named 'No such run test'")
    assert "http" not in result.err


def test_two_exports_never_write_to_one_directory(tmp_path: Path) -> None:
    from futureagi_async.cli._errors import UsageError
    from futureagi_async.cli._export_files import ExportWriter

    options: dict[str, Any] = {
        "run_test": "rt",
        "formats": ["jsonl"],
        "transcripts": False,
        "evals": [],
    }
    with (
        ExportWriter(tmp_path, **options),
        pytest.raises(UsageError, match="another export is writing"),
    ):
        ExportWriter(tmp_path, **options).__enter__()
    with ExportWriter(tmp_path, **options) as writer:
        writer.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["executions.jsonl", "export.done"]


def test_forced_progress_off_a_terminal_prints_whole_lines(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, ids, calls = run_test_with_calls(env)
    result = cli("export", name, "-o", str(tmp_path / "out"), "--progress", "--transcripts")
    assert result.code == 0, result.err
    lines = result.err.splitlines(keepends=True)
    assert lines
    assert all(line.endswith("\n") and "\r" not in line for line in lines)
    assert f"exporting {name}: reading the run test's call listing for transcripts\n" in lines
    # The last update shows the numbers of the summary.
    assert lines[-1] == f"exporting {name}: {len(ids)}/{len(ids)}, {calls:,} calls\n"
    assert f"{calls} call row(s)" in result.out


class Broken(FailFor):
    """The fake, except that one execution's requests fail with an unexpected error."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._needle in str(request.url):
            raise RuntimeError("boom")
        return await self._inner.handle_async_request(request)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_stopped_line_comes_after_the_bar(
    env: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, ids, _ = run_test_with_calls(env)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    http = httpx2.AsyncClient(transport=Broken(env, ids[0]))
    code = main(["export", name, "-o", str(tmp_path), "--concurrency", "1"], http_client=http)
    assert code == 2
    err = terminal.getvalue()
    assert f"exporting {name}" in err  # a bar was drawn
    stopped = err.index("stopped: ")
    assert err.rindex(f"exporting {name}") < stopped
    assert "\x1b[" not in err[stopped:]
