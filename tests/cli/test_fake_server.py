"""`fake-server` and `python -m futureagi_async.testing`: one command line, honest output."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx2
import pytest

from futureagi_async.cli import main
from futureagi_async.testing import __main__ as fake_command

ENTRY_POINTS = {
    "cli": [sys.executable, "-m", "futureagi_async", "fake-server"],
    "testing": [sys.executable, "-m", "futureagi_async.testing"],
}


@contextmanager
def _serving(command: list[str], *argv: str) -> Iterator[list[str]]:
    """Start a server process; yield its banner (every line up to the run tests)."""
    with subprocess.Popen(
        [*command, "--port", "0", "--run-tests", "2", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            lines: list[str] = []
            while not lines or lines[-1] != "# run tests:":
                line = proc.stdout.readline()
                assert line, f"the server stopped; printed {lines}"
                lines.append(line.rstrip("\n"))
            lines += [proc.stdout.readline().rstrip("\n") for _ in range(2)]
            yield lines
        finally:
            proc.terminate()
            proc.wait(30)


def _exports(banner: list[str]) -> dict[str, str]:
    pairs = (line.removeprefix("export ").partition("=") for line in banner)
    return {key: value for key, sep, value in pairs if sep and key.startswith("FI_")}


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_the_banner_gives_the_keys_the_fake_accepts(entry: str) -> None:
    with _serving(ENTRY_POINTS[entry], "--api-key", "mine", "--secret-key", "shh") as banner:
        url = banner[0]
        assert url.startswith("http://127.0.0.1:")
        env = _exports(banner)
        assert env == {"FI_BASE_URL": url, "FI_API_KEY": "mine", "FI_SECRET_KEY": "shh"}
        assert banner[-1].startswith("#   'Refund flow smoke'")
        keys = {"X-Api-Key": env["FI_API_KEY"], "X-Secret-Key": env["FI_SECRET_KEY"]}
        assert httpx2.get(f"{url}/simulate/run-tests/", headers=keys).status_code == 200
        test_keys = {"X-Api-Key": "test-api-key", "X-Secret-Key": "test-secret-key"}
        assert httpx2.get(f"{url}/simulate/run-tests/", headers=test_keys).status_code == 401


def _flags(help_text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text))


def test_both_entry_points_take_the_same_flags(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fake-server", "--help"]) == 0
    cli_help = capsys.readouterr().out
    with pytest.raises(SystemExit):
        fake_command.main(["--help"])
    testing_help = capsys.readouterr().out
    assert "--executions-per-run-test" in testing_help
    assert _flags(cli_help) - {"--debug"} == _flags(testing_help)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--latency", "-1"], "argument --latency: must be >= 0"),
        (["--jitter", "nan"], "argument --jitter"),
        (["--fault-rate", "2"], "argument --fault-rate: must be from 0 to 1"),
        (["--fault-kinds", "503,teapot"], "unknown fault kind(s) teapot"),
        (["--run-tests", "0"], "argument --run-tests: must be at least 1"),
        (["--calls-per-execution", "-1"], "must be at least 0"),
        (["--port", "-5"], "argument --port"),
    ],
)
def test_bad_options_are_refused_with_the_commands_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["fake-server", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: futureagi-async fake-server")
    assert message in err
