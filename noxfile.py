"""Sessions: tests (each supported Python found here), fuzz, lint, typecheck, docs, build, bench.

`nox` alone runs tests, lint, typecheck and docs. The tests session runs on every supported
Python this machine has: on PATH, else under pyenv (whose shims for a version that is not
selected exist but fail, so each candidate is asked for its version before it is used).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "docs"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
EXTRAS = ".[fake,cli]"
SUPPORTED = ("3.11", "3.12", "3.13")


def _version_of(interpreter: str) -> str | None:
    """`X.Y` of a working interpreter, None for a broken one (a pyenv shim, say)."""
    try:
        done = subprocess.run(
            [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _find(version: str) -> str | None:
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [
        shutil.which(f"python{version}"),
        *sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"), reverse=True),
    ]
    return next((c for c in candidates if c and _version_of(c) == version), None)


def _pythons() -> list[str]:
    """The supported versions found; a found one off PATH gets its directory put first."""
    found = []
    for version in SUPPORTED:
        interpreter = _find(version)
        if interpreter is None:
            continue
        if interpreter != shutil.which(f"python{version}"):
            directory = str(Path(interpreter).parent)
            os.environ["PATH"] = directory + os.pathsep + os.environ.get("PATH", "")
        found.append(version)
    # Never an empty list (which would run no test at all): nox's own Python is supported.
    return found or [f"{sys.version_info.major}.{sys.version_info.minor}"]


PYTHONS = _pythons()


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", EXTRAS, *nox.project.dependency_groups(PYPROJECT, "test"))
    # Async tests run asyncio in debug mode (tests/conftest.py's anyio_backend). pytest's exit
    # code 5 (no test collected) fails the session like any other non-zero code.
    session.run("pytest", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Fuzz: 10,000 mutated real bodies per endpoint family, each a model or a typed error.

    The generated-body test at full size (the default test run does 250 per family)."""
    session.install("-e", EXTRAS, *nox.project.dependency_groups(PYPROJECT, "test"))
    bodies = os.environ.get("FUTUREAGI_FUZZ_BODIES", "10000")
    session.run(
        "pytest",
        "tests/test_hostile.py",
        "-k",
        "generated",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env={"FUTUREAGI_FUZZ_BODIES": bodies},
    )


@nox.session
def lint(session: nox.Session) -> None:
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    everything = ".[fake,cli,parquet,aiohttp,examples]"
    session.install("-e", everything, *nox.project.dependency_groups(PYPROJECT, "typecheck"))
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """The API reference from the docstrings; any warning fails the build."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "docs"))
    site = session.posargs or ["--site-dir", session.create_tmp() + "/site"]
    session.run("mkdocs", "build", "--strict", *site, env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session
def build(session: nox.Session) -> None:
    """The sdist and the wheel in dist/, checked by twine; then the wheel installed and run."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "build"))
    shutil.rmtree("dist", ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", "dist")
    artifacts = sorted(glob.glob("dist/*"))
    session.run("twine", "check", "--strict", *artifacts)
    [wheel] = glob.glob("dist/*.whl")
    # --noconftest: the suite's conftest imports the library, which this venv does not have.
    session.run(
        "pytest",
        "--noconftest",
        "-m",
        "packaging",
        "tests/test_packaging.py",
        env={"FUTUREAGI_WHEEL": os.path.abspath(wheel)},
    )


@nox.session
def bench(session: nox.Session) -> None:
    session.install("-e", EXTRAS, *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.run("python", "-m", "benchmarks", *session.posargs)
