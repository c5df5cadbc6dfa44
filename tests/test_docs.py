"""The docs (`nox -s docs`) cover every public name with its attributes, and the guide pages'
README sections exist.

The static checks run everywhere; the built-site check runs where mkdocs is installed (the
`docs` dependency group), and `nox -s docs` builds the same site strictly in CI.
"""

from __future__ import annotations

import enum
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import attrs
import pytest

import futureagi_async
import futureagi_async.export
import futureagi_async.gate
import futureagi_async.mcp
import futureagi_async.models
import futureagi_async.testing

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
#: Modules whose reference is the whole module: it renders their `__all__`.
MODULES = {
    "futureagi_async.models": futureagi_async.models,
    "futureagi_async.testing": futureagi_async.testing,
    "futureagi_async.export": futureagi_async.export,
    "futureagi_async.gate": futureagi_async.gate,
    "futureagi_async.mcp": futureagi_async.mcp,
}


def _hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _directives() -> Iterator[tuple[str, str]]:
    """(target, its options block) of every `::: target` in the reference pages."""
    for page in REFERENCE.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^::: (\S+)\n((?:    .*\n?)*)", text, re.M):
            yield match[1], match[2]


def _documented() -> set[str]:
    """Every name a directive renders; a whole module renders its `__all__`."""
    names: set[str] = set()
    for target, _ in _directives():
        module = MODULES.get(target)
        if module is not None:
            names.update(module.__all__)
        names.add(target.rsplit(".", 1)[-1])
    return names


def _public() -> set[str]:
    return {n for n in futureagi_async.__all__ if not n.startswith("__")}


def test_every_public_name_is_in_the_reference() -> None:
    missing = _public() - _documented()
    assert not missing, f"add `::: futureagi_async.NAME` to a page of docs/reference: {missing}"


def test_whole_modules_render_their_all_and_not_the_list_itself() -> None:
    # `members: true` ignores the filters, which renders `__all__` as an entry of its own.
    for target, options in _directives():
        if target in MODULES:
            assert "filters: public" in options, target
            assert not re.search(r"^\s+members:", options, re.M), target


def test_attributes_without_docstrings_are_rendered() -> None:
    # attrs fields have no docstrings of their own: without this, a model shows none of them.
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+show_if_no_docstring: true$", config, re.M)


def test_every_guide_include_names_an_existing_section() -> None:
    hooks = _hooks()
    includes = 0
    for page in DOCS.rglob("*.md"):
        for source, heading in re.findall(
            r'^<!-- include (\S+)(?: "([^"]+)")? -->$', page.read_text(encoding="utf-8"), re.M
        ):
            includes += 1
            text = (ROOT / source).read_text(encoding="utf-8")
            assert not heading or hooks.section(text, heading), f"{page}: {source} {heading!r}"
    assert includes >= 7


def test_the_section_reader_skips_headings_in_code() -> None:
    text = "# A\n\n## Two\n\n```sh\n# not a heading\n```\nbody\n### Sub\nmore\n## Three\nno"
    assert _hooks().section(text, "Two") == "```sh\n# not a heading\n```\nbody\n### Sub\nmore"
    assert _hooks().section(text, "Four") is None


# --- the built site --------------------------------------------------------------------------


def _fields(cls: object) -> list[str]:
    if not (isinstance(cls, type) and attrs.has(cls)):
        return []
    return [f.name for f in attrs.fields(cls) if not f.name.startswith("_")]


@pytest.fixture(scope="module")
def anchors(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every `id` of the site, built strictly into a temporary directory."""
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=120,
    )
    found: set[str] = set()
    for page in site.rglob("*.html"):
        found.update(re.findall(r'id="([^"]+)"', page.read_text(encoding="utf-8")))
    return found


def test_the_site_shows_every_public_name_with_its_attributes(anchors: set[str]) -> None:
    assert "futureagi_async.models.__all__" not in anchors
    assert "futureagi_async.testing.__all__" not in anchors
    named = [(f"futureagi_async.{n}", getattr(futureagi_async, n)) for n in _public()]
    named += [
        (f"{prefix}.{n}", getattr(module, n))
        for prefix, module in MODULES.items()
        for n in module.__all__
    ]
    missing = []
    for anchor, obj in named:
        if anchor not in anchors:
            # Re-exported models are documented where they live, in futureagi_async.models.
            anchor = f"futureagi_async.models.{anchor.rsplit('.', 1)[-1]}"
        if anchor not in anchors:
            missing.append(anchor)
            continue
        if isinstance(obj, type) and issubclass(obj, enum.Enum):
            continue
        missing += [f"{anchor}.{f}" for f in _fields(obj) if f"{anchor}.{f}" not in anchors]
    assert missing == [], missing


def test_the_index_links_the_readme_and_every_guide_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    assert (DOCS / "readme.md").read_text(encoding="utf-8").strip() == "<!-- include README.md -->"
    pages = ["readme.md", *(f"guide/{p.name}" for p in (DOCS / "guide").glob("*.md"))]
    assert [p for p in pages if f"]({p})" not in index] == []
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert [p for p in pages if f": {p}" not in nav] == []
