"""`demo`: offline end to end, and a concurrency claim the user can check from its output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from futureagi_async.cli import main
from futureagi_async.export import ExportWriter


def _demo(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(
        [
            "demo",
            "--executions-per-run-test",
            "8",
            "--calls-per-execution",
            "20",
            "--latency",
            "0.01",
            *argv,
        ]
    )
    assert code == 0
    return capsys.readouterr().out


def test_demo_runs_offline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = _demo(capsys, "-o", str(tmp_path))
    assert "from 8 executions" in out
    assert "Pass rate per eval" in out
    assert "helpful_or_not" in out
    assert "Most common failure reasons" in out
    assert (tmp_path / "executions.jsonl").exists()
    assert (tmp_path / "calls.csv").exists()


def test_the_speedup_is_the_ratio_of_the_printed_rates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _demo(capsys)
    # The latency the fake used is stated, and both sides of the comparison are printed.
    assert "after 10 ms" in out
    rates = [
        (int(n.replace(",", "")), float(s), float(r.replace(",", "")))
        for n, s, r in re.findall(r"([\d,]+) requests in ([\d.]+)s = ([\d,.]+) requests/s", out)
    ]
    assert len(rates) == 2
    for requests, seconds, rate in rates:
        assert requests > 0
        assert rate == pytest.approx(requests / seconds, rel=0.05, abs=0.1)
    match = re.search(r"([\d.]+)x the requests per second of fetching one request at a time", out)
    assert match is not None
    assert float(match.group(1)) == pytest.approx(rates[0][2] / rates[1][2], rel=0.05, abs=0.1)


def test_ctrl_c_in_the_demo_does_not_offer_to_resume_from_a_removed_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    write = ExportWriter.write

    async def interrupted(self: ExportWriter, execution: Any, calls: Any) -> None:
        if written:
            raise KeyboardInterrupt
        written.append(execution.execution_id)
        await write(self, execution, calls)

    monkeypatch.setattr(ExportWriter, "write", interrupted)
    code = main(["demo", "--executions-per-run-test", "4", "--calls-per-execution", "5"])

    err = capsys.readouterr().err
    assert code == 130
    assert "stopped after 1 of 4 executions; the files were temporary and are removed" in err
    assert "rerun" not in err
