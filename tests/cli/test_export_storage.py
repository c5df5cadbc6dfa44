"""`export -o s3://...`: against a real S3-compatible server the suite starts on loopback.

moto's server runs in a thread of this process for the whole session; each test gets a
bucket of its own and the AWS_* variables (restored afterwards) that point boto3, s3fs and
pyarrow at it. Nothing leaves 127.0.0.1: the instance-metadata lookup is switched off and
no AWS config file is read.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx2
import pytest

import futureagi_async as fa
from futureagi_async.cli.commands.export import export as export_pipeline
from futureagi_async.export import ExportError, open_export
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI
from futureagi_async.testing._fake import BASE_URL

from .helpers import Cli, Served, run_test_with_calls

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")
s3fs = pytest.importorskip("s3fs")
pa_dataset = pytest.importorskip("pyarrow.dataset")
duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[2]
#: The fake the killed subprocess exports from: enough executions to stop in the middle.
SPEC = DatasetSpec(seed=3, run_tests=1, executions_per_run_test=12, calls_per_execution=4)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@attrs.frozen
class Bucket:
    endpoint: str
    name: str
    client: Any

    def url(self, prefix: str = "evals") -> str:
        return f"s3://{self.name}/{prefix}/"

    def listing(self, prefix: str = "evals/") -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def text(self, key: str) -> str:
        body = self.client.get_object(Bucket=self.name, Key=key)["Body"]
        return str(body.read().decode())


def _aws_env(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing-secret",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in _aws_env(s3_endpoint).items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3")
    name = f"lake-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(s3_endpoint, name, client)


def _calls(bucket: Bucket, prefix: str = "evals") -> Any:
    """pyarrow's own S3 filesystem (AWS_ENDPOINT_URL from the environment), not the writer's."""
    return pa_dataset.dataset(f"s3://{bucket.name}/{prefix}/calls", partitioning="hive")


def _expected_calls(fake: FakeAPI, run_test_index: int = 0) -> set[str]:
    run_test = fake.dataset.run_tests[run_test_index]
    return {
        c.id for e in fake.dataset.executions_of(run_test.id) for c in fake.dataset.calls_of(e.id)
    }


def _assert_every_call_once(bucket: Bucket, expected: set[str], *, executions: int) -> None:
    calls = _calls(bucket)
    call_ids = calls.to_table().column("call_id").to_pylist()
    assert sorted(call_ids) == sorted(expected)
    # DuckDB scans the same pyarrow dataset in place: no extension to download.
    with duckdb.connect() as db:
        db.register("calls", calls)
        counted = db.execute(
            "SELECT count(*), count(DISTINCT call_id), count(DISTINCT execution) FROM calls"
        ).fetchall()
    assert counted == [(len(expected), len(expected), executions)]
    assert not [k for k in bucket.listing() if "/_staging/" in k or k.endswith("export.lock")]


# --- the command line ---------------------------------------------------------------------


def test_export_to_s3_writes_every_format_once(cli: Cli, env: Served, bucket: Bucket) -> None:
    name, ids, calls = run_test_with_calls(env)
    result = cli("export", name, "-o", bucket.url(), "--format", "jsonl,csv,parquet")
    assert result.code == 0, result.err
    assert f"{bucket.url()}calls.csv" in result.out
    keys = bucket.listing()
    assert {"evals/executions.jsonl", "evals/calls.csv", "evals/export.done"} <= set(keys)
    assert len([k for k in keys if k.endswith(".parquet")]) == 2 * len(ids)
    expected = _expected_calls(env.fake)
    assert len(expected) == calls
    _assert_every_call_once(bucket, expected, executions=len(ids))
    records = [json.loads(line) for line in bucket.text("evals/executions.jsonl").splitlines()]
    assert sorted(r["execution"]["execution_id"] for r in records) == sorted(ids)
    rows = list(csv.DictReader(io.StringIO(bucket.text("evals/calls.csv"))))
    assert sorted(r["call_id"] for r in rows) == sorted(expected)

    env.fake.stats.reset()
    again = cli("export", name, "-o", bucket.url(), "--format", "jsonl,csv,parquet")
    assert again.code == 0, again.err
    assert again.out.startswith("already exported:")
    assert env.fake.stats.requests_served == 0


def test_bad_destinations_fail_before_any_request(
    cli: Cli, env: Served, bucket: Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _, _ = run_test_with_calls(env)
    other, _, _ = run_test_with_calls(env, 1)
    assert cli("export", other, "-o", bucket.url("taken"), "--format", "jsonl").code == 0
    bucket.client.put_object(Bucket=bucket.name, Key="mine/notes.txt", Body=b"mine")
    before = bucket.listing("")
    cases = {
        "zz://somewhere/x/": "unknown storage scheme 'zz'",
        "s3://": "name a bucket",
        f"s3://no-such-bucket-{uuid.uuid4().hex[:8]}/x/": "The specified bucket does not exist",
        f"s3://AKIAEXAMPLE:hunter2@{bucket.name}/x/": "not in the URL",
        bucket.url("taken"): "already holds a finished export",
        bucket.url("mine"): "holds files no export wrote (notes.txt)",
    }
    env.fake.stats.reset()
    for destination, message in cases.items():
        result = cli("export", name, "-o", destination, "--format", "jsonl")
        assert result.code == 2, destination
        assert message in result.err, (destination, result.err)
        assert "hunter2" not in result.err
        assert "testing-secret" not in result.err
    assert env.fake.stats.requests_served == 0
    assert bucket.listing("") == before

    # No credentials at all, then credentials the store does not know.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = cli("export", name, "-o", bucket.url("x"), "--format", "jsonl")
    assert (result.code, result.err) == (
        2,
        f"error: {bucket.url('x')}: opening the export: "
        "no storage credentials found (set AWS_ACCESS_KEY_ID "
        "and AWS_SECRET_ACCESS_KEY)\n",
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAWRONG")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret")
    with _moto_checks_credentials(bucket.endpoint):
        result = cli("export", name, "-o", bucket.url("x"), "--format", "jsonl")
    assert result.code == 2
    assert "access denied: check the storage credentials" in result.err
    assert "wrong-secret" not in result.err
    assert env.fake.stats.requests_served == 0
    assert bucket.listing("") == before


@contextmanager
def _moto_checks_credentials(endpoint: str) -> Iterator[None]:
    """moto accepts any key unless told otherwise (its documented /moto-api/reset-auth)."""
    httpx2.post(f"{endpoint}/moto-api/reset-auth", content=b"0").raise_for_status()
    try:
        yield
    finally:
        httpx2.post(f"{endpoint}/moto-api/reset-auth", content=b"inf").raise_for_status()


def test_a_second_export_into_the_prefix_is_refused(cli: Cli, env: Served, bucket: Bucket) -> None:
    name, _, _ = run_test_with_calls(env)

    async def hold_then_export() -> int:
        async with open_export(bucket.url(), run_test="someone else's"):
            return await anyio.to_thread.run_sync(
                lambda: cli("export", name, "-o", bucket.url()).code
            )

    env.fake.stats.reset()
    assert anyio.run(hold_then_export) == 2
    assert env.fake.stats.requests_served == 0
    assert bucket.listing() == []


# --- interrupted, then resumed ---------------------------------------------------------------


@pytest.mark.anyio
async def test_a_cancelled_export_resumes_with_every_row_once(bucket: Bucket) -> None:
    fake = FakeAPI(SPEC)
    run_test = fake.dataset.run_tests[0]
    executions = fake.dataset.executions_of(run_test.id)

    class CancelAfter(httpx2.AsyncBaseTransport):
        """The fake, cancelling the export once a few executions are in the bucket."""

        def __init__(self, scope: anyio.CancelScope):
            self._inner = fake.transport()
            self._scope = scope

        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            if len(await anyio.to_thread.run_sync(_committed, bucket)) >= 3:
                self._scope.cancel()
            return await self._inner.handle_async_request(request)

    async def run(http: httpx2.AsyncBaseTransport | None) -> Any:
        transport = http or fake.transport()
        async with (
            httpx2.AsyncClient(transport=transport) as http_client,
            fa.AsyncClient(
                fake.api_key, fake.secret_key, base_url=BASE_URL, http_client=http_client
            ) as client,
        ):
            return await export_pipeline(
                client, run_test.name, bucket.url(), formats=["parquet", "jsonl"], concurrency=2
            )

    with anyio.CancelScope() as scope:
        await run(CancelAfter(scope))
    assert scope.cancelled_caught
    saved = _committed(bucket)
    assert 3 <= len(saved) < len(executions)
    keys = bucket.listing()
    assert "evals/export.lock" not in keys  # released on the way out
    assert "evals/executions.jsonl" not in keys  # published only when finished

    summary = await run(None)
    assert summary.skipped == len(saved)
    assert summary.executions == len(executions)
    _assert_every_call_once(bucket, _expected_calls(fake), executions=len(executions))
    lines = bucket.text("evals/executions.jsonl").splitlines()
    assert sorted(json.loads(line)["execution"]["execution_id"] for line in lines) == sorted(
        e.id for e in executions
    )


def _committed(bucket: Bucket) -> list[str]:
    return bucket.listing("evals/_staging/committed/")


def test_a_killed_export_process_resumes_with_every_row_once(bucket: Bucket) -> None:
    fake = FakeAPI(SPEC)
    run_test = fake.dataset.run_tests[0]
    executions = fake.dataset.executions_of(run_test.id)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FUTUREAGI_DEBUG": ""}
    spec = [
        "--seed", str(SPEC.seed), "--run-tests", "1",
        "--executions-per-run-test", str(SPEC.executions_per_run_test),
        "--calls-per-execution", str(SPEC.calls_per_execution),
    ]  # fmt: skip
    export = [sys.executable, "-m", "futureagi_async", "export", run_test.name, "-o"]
    export += [bucket.url(), "--format", "parquet,csv", "--concurrency", "1"]
    with _fake_server(env, [*spec, "--latency", "0.05"]) as base_url:
        env |= {"FI_BASE_URL": base_url, "FI_API_KEY": TEST_API_KEY}
        env |= {"FI_SECRET_KEY": TEST_SECRET_KEY}
        with subprocess.Popen(
            export, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ) as proc:
            try:
                # Poll the bucket, bounded: the export takes >= 0.6 s (12 x 50 ms latency).
                for _ in range(2000):
                    if len(_committed(bucket)) >= 3 or proc.poll() is not None:
                        break
                    time.sleep(0.005)
                os.kill(proc.pid, signal.SIGKILL)
            finally:
                proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        saved = len(_committed(bucket))
        assert 3 <= saved < len(executions)
        # The dead export's lock is still there; the same machine takes it over at once.
        assert "evals/export.lock" in bucket.listing()
        assert "evals/calls.csv" not in bucket.listing()
        resumed = subprocess.run(export, env=env, capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    assert f"({saved} already saved)" in resumed.stdout
    expected = _expected_calls(fake)
    _assert_every_call_once(bucket, expected, executions=len(executions))
    rows = list(csv.DictReader(io.StringIO(bucket.text("evals/calls.csv"))))
    assert sorted(r["call_id"] for r in rows) == sorted(expected)


@contextmanager
def _fake_server(env: dict[str, str], argv: list[str]) -> Iterator[str]:
    """`python -m futureagi_async fake-server` on a free loopback port; yields its URL."""
    command = [sys.executable, "-m", "futureagi_async", "fake-server", "--port", "0", *argv]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:"), url
            yield url
        finally:
            proc.terminate()
            proc.wait(30)


@pytest.mark.anyio
async def test_the_python_api_takes_the_same_urls(bucket: Bucket) -> None:
    with pytest.raises(ExportError, match="unknown storage scheme"):
        async with open_export("ftp://host/x/", run_test="rt"):
            pass
    async with open_export(bucket.url(), run_test="rt", formats=["jsonl"]) as out:
        assert out.finished is None
        await out.begin(evals=[])
        assert await out.finish() == [f"{bucket.url()}executions.jsonl"]
    assert bucket.listing() == ["evals/executions.jsonl", "evals/export.done"]


def test_an_assembled_file_appears_whole_or_not_at_all(bucket: Bucket) -> None:
    from futureagi_async._export_target import open_target

    target = open_target(bucket.url())
    target.fs.default_block_size = 5 * 2**20  # S3's smallest part: a multipart upload
    piece = b"x" * (3 * 2**20)
    with pytest.raises(RuntimeError, match="stopped"):
        _write_then_fail(target, piece)
    assert bucket.listing() == []
    assert not bucket.client.list_multipart_uploads(Bucket=bucket.name).get("Uploads")
    with target.stream(target.path("a.jsonl")) as out:
        for _ in range(4):
            out.write(piece)
    head = bucket.client.head_object(Bucket=bucket.name, Key="evals/a.jsonl")
    assert head["ContentLength"] == 4 * len(piece)


def _write_then_fail(target: Any, piece: bytes) -> None:
    with target.stream(target.path("a.jsonl")) as out:
        for _ in range(4):  # two parts uploaded already
            out.write(piece)
        raise RuntimeError("stopped")


@pytest.mark.anyio
async def test_the_lease_is_renewed_while_the_export_runs(bucket: Bucket) -> None:
    def expires() -> float:
        return float(json.loads(bucket.text("evals/export.lock"))["expires"])

    async with open_export(bucket.url(), run_test="rt", lease_seconds=0.3):
        first = expires()
        deadline = time.monotonic() + 20  # bounded; renewed every 0.1 s
        while time.monotonic() < deadline:
            if await anyio.to_thread.run_sync(expires) > first:
                break
        assert expires() > first
    assert bucket.listing() == []
