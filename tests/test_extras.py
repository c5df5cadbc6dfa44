"""The `examples` extra installs what the scripts in examples/ import, trio included (issue
22.1: `pytest examples/testing_with_the_fake.py` runs its tests on trio too)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Import names whose distribution is spelled otherwise.
DISTRIBUTIONS = {"futureagi_async": "futureagi-async"}


def _extra(name: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["optional-dependencies"][name]
    names = {re.split(r"[<>=\[ ;]", item, maxsplit=1)[0].lower() for item in requirements}
    for item in requirements:  # an extra that names other extras of this project
        if item.startswith("futureagi-async["):
            for other in item[len("futureagi-async[") : -1].split(","):
                names |= _extra(other)
    return names | {d.lower() for d in project["dependencies"]} | {"futureagi-async"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names)


def test_the_examples_extra_covers_what_the_examples_import_and_run_on() -> None:
    installed = {re.split(r"[<>=\[ ;]", name, maxsplit=1)[0] for name in _extra("examples")}
    needed: set[str] = set()
    for script in sorted((ROOT / "examples").glob("*.py")):
        needed |= {DISTRIBUTIONS.get(name, name) for name in _imports(script)}
        if '"trio"' in script.read_text(encoding="utf-8"):  # an anyio backend it runs on
            needed.add("trio")
    assert "trio" in needed
    assert needed <= installed, f"missing from the examples extra: {needed - installed}"
