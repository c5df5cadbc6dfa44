"""Without the `gate` extra: the package imports, assertions work, a comparison says what to
install."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from futureagi_async.gate import StatisticsUnavailableError, compare_outcomes

from .helpers import outcomes, passes


def test_a_comparison_without_scipy_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "scipy.stats", None)  # importing it now fails
    base = outcomes("base", helpful=passes(0.8, 10))
    cand = outcomes("cand", helpful=passes(0.8, 10))
    with pytest.raises(StatisticsUnavailableError, match=r"pip install 'futureagi-async\[gate\]'"):
        compare_outcomes(base, cand)


def test_the_package_imports_without_scipy() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["scipy"] = None  # any import of scipy now fails
        import futureagi_async.gate as gate
        result = gate.check_assertions(
            [gate.parse_assertion("failed_calls <= 2")],
            gate.ExecutionOutcomes("e", None, "completed", {}, ()),
        )
        assert result[0].passed
        assert "scipy" not in [m.split(".")[0] for m in sys.modules if sys.modules[m]]
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
