"""The API reference (docs/reference, built by `nox -s docs`) covers every public name."""

from __future__ import annotations

import re
from pathlib import Path

import futureagi_async
import futureagi_async.models
import futureagi_async.testing

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference"


def _documented() -> set[str]:
    """Every `::: module.Name` directive; a whole module documents its `__all__`."""
    names: set[str] = set()
    for page in REFERENCE.glob("*.md"):
        for target in re.findall(r"^::: (\S+)", page.read_text(encoding="utf-8"), re.M):
            if target == "futureagi_async.models":
                names.update(futureagi_async.models.__all__)
            elif target == "futureagi_async.testing":
                names.update(futureagi_async.testing.__all__)
            names.add(target.rsplit(".", 1)[-1])
    return names


def test_every_public_name_is_in_the_reference() -> None:
    public = {n for n in futureagi_async.__all__ if not n.startswith("__")}
    assert public - _documented() == set()
