"""`nox --list` shows a session's first docstring line: it must be a whole sentence."""

from __future__ import annotations

import ast
from pathlib import Path

NOXFILE = Path(__file__).resolve().parent.parent / "noxfile.py"


def test_every_session_summary_is_one_whole_line() -> None:
    tree = ast.parse(NOXFILE.read_text(encoding="utf-8"))
    sessions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any("session" in ast.unparse(decorator) for decorator in node.decorator_list)
    ]
    assert any(node.name == "fuzz" for node in sessions)
    for node in sessions:
        doc = ast.get_docstring(node)
        if doc is None:
            continue
        first = doc.splitlines()[0]
        assert first.endswith("."), f"{node.name}: {first!r} is cut mid-sentence"
