"""An mkdocs hook: guide pages include the README's sections by reference, never copies.

A line `<!-- include README.md "Configuration" -->` becomes the body of the README's section
of that heading (down to the next heading of its level or above); without a heading, the
whole file. Relative links are rewritten for the page: a file under docs/ is linked from
where the page is, anything else in the repository (examples/, benchmarks/) is named as code.
A missing file or heading fails the build, so a renamed README section cannot go unnoticed.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

_INCLUDE = re.compile(r'^<!-- include (\S+)(?: "([^"]+)")? -->$', re.M)
_HEADING = re.compile(r"^(#{1,6}) (.+?)\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_ROOT = Path(__file__).resolve().parent.parent


def _lines_outside_fences(text: str) -> list[tuple[str, bool]]:
    """Each line, and whether it is outside a code fence (where `#` starts a heading)."""
    out, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            out.append((line, False))
            continue
        out.append((line, not fenced))
    return out


def section(text: str, heading: str) -> str | None:
    """The body under `heading` (any level), or None when no heading says that."""
    body: list[str] = []
    level = 0
    for line, outside in _lines_outside_fences(text):
        match = _HEADING.match(line) if outside else None
        if level:
            if match and len(match[1]) <= level:
                break
            body.append(line)
        elif match and match[2] == heading:
            level = len(match[1])
    return "\n".join(body).strip("\n") if level else None


def _relink(text: str, source: str, page: str) -> str:
    """Links relative to `source` (a repository path) made to work from `page` (under docs/)."""

    def fix(match: re.Match[str]) -> str:
        label, target = match[1], match[2]
        if re.match(r"^[a-z]+:|^#|^/", target):
            return match[0]
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if resolved == "CHANGELOG.md":
            resolved = "docs/changelog.md"
        if resolved.startswith("docs/") and (_ROOT / resolved).is_file():
            relative = posixpath.relpath(resolved[len("docs/") :], posixpath.dirname(page))
            return f"[{label}]({relative}{'#' + anchor if anchor else ''})"
        named = f"`{path}`" if path.endswith("/") else f"`{resolved}`"
        return named if label.strip("`") in (path, resolved) else f"{label} ({named})"

    out = []
    for line, outside in _lines_outside_fences(text):
        out.append(_LINK.sub(fix, line) if outside else line)
    return "\n".join(out)


def include(markdown: str, page: str) -> str:
    """`markdown` with every include line replaced; `page` is its path under docs/."""

    from mkdocs.exceptions import PluginError  # imported here: tests read `section` without it

    def expand(match: re.Match[str]) -> str:
        source, heading = match[1], match[2]
        path = _ROOT / source
        if not path.is_file():
            raise PluginError(f"{page}: no file {source} to include")
        text = path.read_text(encoding="utf-8")
        if heading is not None:
            found = section(text, heading)
            if found is None:
                raise PluginError(f'{page}: {source} has no heading "{heading}"')
            text = found
        return _relink(text, source, page)

    return _INCLUDE.sub(expand, markdown)


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    return include(markdown, page.file.src_uri)
