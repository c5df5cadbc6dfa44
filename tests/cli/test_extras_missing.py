"""Without an extra, a command says how to install it, from PyPI or a clone (issues 18, 22.7)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .helpers import Cli, Served


def test_a_table_without_rich_prints_the_install_hint(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "rich", None)  # as if the `cli` extra were not installed

    result = cli("run-tests", "list")

    assert result.code == 2
    assert "No module named" not in result.err
    assert result.err.startswith("error: tables and progress bars need the 'cli' extra")
    assert "pip install 'futureagi-async[cli]'" in result.err
    assert "from a clone of the repository pip install '.[cli]'" in result.err
    assert cli("run-tests", "list", "--json").code == 0  # JSON needs no rich


def test_parquet_without_pyarrow_says_how_to_install_it_from_a_clone(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    name = env.fake.dataset.run_tests[0].name

    result = cli("export", name, "-o", str(tmp_path / "x"), "--format", "parquet")

    assert result.code == 2
    assert "Parquet needs the 'parquet' extra" in result.err
    assert "pip install 'futureagi-async[parquet]'" in result.err
    assert "pip install '.[parquet]'" in result.err
