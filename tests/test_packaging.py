"""The wheel installs into a fresh venv and its command runs: what `pip install` users get.

Slow (a build and an install), so marked `packaging`: `pytest -m "not packaging"` skips it.
`nox -s build` runs it against the wheel it built (`FUTUREAGI_WHEEL`); otherwise the test
builds one from this checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(600)]


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("FUTUREAGI_WHEEL")
    if given:
        return Path(given)
    out = tmp_path_factory.mktemp("wheel")
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, ROOT, cwd=out)
    [built] = out.glob("futureagi_async-*.whl")
    return built


def test_the_wheel_holds_the_package_and_its_type_marker(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "futureagi_async/py.typed" in names
    assert "futureagi_async/testing/__init__.py" in names
    assert not [n for n in names if n.startswith(("tests/", "examples/", "benchmarks/"))]


def test_the_wheel_installs_into_a_fresh_venv_and_its_command_runs(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run(bin_dir / "python", "-m", "pip", "install", "-q", f"{wheel}[cli]", cwd=tmp_path)

    helped = _run(bin_dir / "futureagi-async", "--help", cwd=tmp_path)
    assert "export" in helped.stdout
    assert "gate" in helped.stdout

    # Imported from the venv, not from this checkout (cwd is elsewhere).
    where = _run(
        bin_dir / "python",
        "-c",
        "import futureagi_async as fa; print(fa.__file__); print(fa.__version__)",
        cwd=tmp_path,
    )
    path, version = where.stdout.split()
    assert Path(path).is_relative_to(venv)
    assert version in wheel.name
