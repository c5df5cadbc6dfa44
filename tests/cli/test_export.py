"""`export`: complete files, and an interrupted export resumed without corruption."""

from __future__ import annotations

import csv
import io
import json
import socket
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

import anyio
import anyio.from_thread
import anyio.lowlevel
import httpx2
import pytest

from futureagi_async._export_lock import Lease
from futureagi_async.cli import main
from futureagi_async.export import ExportError, open_export

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
    # Nothing published: the saved executions wait in _staging/, which readers skip.
    assert sorted(p.name for p in out.iterdir()) == ["_staging"]
    committed = sorted((out / "_staging" / "committed").iterdir())
    assert 0 < len(committed) < len(ids)
    # What a killed writer may leave: the failing execution's pieces without their commit
    # record (half an execution), and a temporary file it never renamed.
    staging = out / "_staging"
    (staging / "jsonl" / f"{failing}.jsonl").write_bytes(b'{"execution": {"execution_id": "torn')
    (staging / "csv" / f"{failing}.csv").write_bytes(b"torn,row")
    (staging / "jsonl" / ".executions.jsonl.0123.tmp").write_bytes(b"torn")

    second = cli("export", name, "-o", str(out), "--concurrency", "1")
    assert second.code == 0, second.err
    assert f"({len(committed)} already saved)" in second.out
    records = _jsonl(out / "executions.jsonl")
    assert sorted(r["execution"]["execution_id"] for r in records) == sorted(ids)
    with (out / "calls.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == calls
    assert len({r["call_id"] for r in rows}) == calls
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


_OPTIONS: dict[str, Any] = {"run_test": "rt", "formats": ["jsonl"]}


@pytest.mark.anyio
async def test_two_exports_never_write_to_one_directory(tmp_path: Path) -> None:
    async with open_export(tmp_path, **_OPTIONS) as writer:
        with pytest.raises(ExportError, match="another export is writing"):
            async with open_export(tmp_path, **_OPTIONS):
                pass
        await writer.begin([])
        await writer.finish()
    assert _names(tmp_path) == ["executions.jsonl", "export.done"]


def _names(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def _lock(path: Path, *, pid: int, host: str, expires: float) -> None:
    holder = {"owner": "x", "host": host, "pid": pid, "run_test": "rt", "expires": expires}
    (path / "export.lock").write_text(json.dumps(holder))


@pytest.mark.anyio
async def test_a_dead_exports_lock_is_taken_over(tmp_path: Path) -> None:
    # A process of this machine that is gone: taken over at once.
    dead = await anyio.run_process([sys.executable, "-c", "import os; print(os.getpid())"])
    _lock(tmp_path, pid=int(dead.stdout), host=socket.gethostname(), expires=time.time() + 600)
    async with open_export(tmp_path, **_OPTIONS) as writer:
        await writer.begin([])
        await writer.finish()
    # Another machine's export: only once its lease has run out.
    _lock(tmp_path, pid=1, host="elsewhere", expires=time.time() + 600)
    with pytest.raises(ExportError, match=r"another export is writing .* on elsewhere"):
        async with open_export(tmp_path, **_OPTIONS, overwrite=True):
            pass
    _lock(tmp_path, pid=1, host="elsewhere", expires=time.time() - 1)
    async with open_export(tmp_path, **_OPTIONS, overwrite=True) as writer:
        await writer.begin([])
        await writer.finish()
    assert not (tmp_path / "export.lock").exists()


def test_a_directory_of_other_files_is_refused(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, _, _ = run_test_with_calls(env)
    (tmp_path / "notes.txt").write_text("mine")
    env.fake.stats.reset()
    result = cli("export", name, "-o", str(tmp_path))
    assert result.code == 2
    assert "holds files no export wrote (notes.txt)" in result.err
    assert env.fake.stats.requests_served == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


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


@pytest.mark.anyio
async def test_an_export_whose_lock_was_taken_over_does_not_publish(tmp_path: Path) -> None:
    async with open_export(tmp_path, **_OPTIONS) as writer:
        await writer.begin([])
        # Its lease ran out (a long pause, say) and another export took the lock.
        _lock(tmp_path, pid=1, host="elsewhere", expires=time.time() + 600)
        with pytest.raises(ExportError, match="lock was taken over"):
            await writer.finish()
    assert _names(tmp_path) == ["_staging", "export.lock"]  # the successor's lock stays


@pytest.mark.anyio
async def test_file_urls_and_missing_filesystems(tmp_path: Path) -> None:
    directory = tmp_path / "a b"  # as a URL: a%20b
    async with open_export(directory.as_uri(), **_OPTIONS) as writer:
        await writer.begin([])
        assert await writer.finish() == [f"{directory.as_uri()}/executions.jsonl"]
    assert _names(directory) == ["executions.jsonl", "export.done"]
    for url, package in [("gs://bucket/x/", "gcsfs"), ("az://container/x/", "adlfs")]:
        try:
            __import__(package)
        except ImportError:
            with pytest.raises(ExportError, match=f"needs {package}: pip install"):
                async with open_export(url, **_OPTIONS):
                    pass


@pytest.mark.anyio
async def test_cancelled_while_taking_the_lock_releases_it(tmp_path: Path) -> None:
    real_acquire = Lease.acquire

    def acquire_then_cancel(lease: Lease) -> None:
        real_acquire(lease)
        anyio.from_thread.run_sync(scope.cancel)  # delivered once the thread returns

    with (
        mock.patch.object(Lease, "acquire", acquire_then_cancel),
        anyio.CancelScope() as scope,
    ):
        async with open_export(tmp_path, **_OPTIONS):
            await anyio.lowlevel.checkpoint()  # the block's first await sees the cancel
            pytest.fail("cancelled before here")
    assert scope.cancelled_caught
    assert _names(tmp_path) == []
