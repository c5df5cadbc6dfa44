"""How to install an optional extra: one sentence every missing-extra error ends with."""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """How to install an extra, from PyPI or (while the package is not there) a clone."""
    return (
        f"pip install 'futureagi-async[{extra}]', or from a clone of the repository "
        f"pip install '.[{extra}]'"
    )
