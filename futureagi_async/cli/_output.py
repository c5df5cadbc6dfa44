"""How results reach the user: rich tables for people, JSON or JSON Lines for scripts.

`rich` comes with the `cli` extra and is imported only when a table is drawn, so
`--json` works without it and a missing extra is one clear line, not an ImportError.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterable, Iterable, Sequence
from typing import TYPE_CHECKING, Literal, TextIO, TypeVar

from .._json import dumps
from ._errors import UsageError
from ._jsonable import jsonable

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Format", "Output", "cell_text", "console", "percent", "require_rich", "take"]

T = TypeVar("T")

Format = Literal["table", "json", "jsonl"]

_PIPED_WIDTH = 200
# Ids are what users copy into the next command: never fold them.
_ID_COLUMNS = frozenset({"id", "execution", "call"})

_MISSING_RICH = (
    "tables and progress bars need the 'cli' extra: pip install 'futureagi-async[cli]' "
    "(or use --json / --jsonl)"
)


def require_rich() -> None:
    try:
        import rich  # noqa: F401
    except ImportError:
        raise UsageError(_MISSING_RICH) from None


def console(file: TextIO | None = None) -> Console:
    """A console on `file` (stdout by default), looked up now so tests can capture it."""
    require_rich()
    from rich.console import Console

    file = file or sys.stdout
    # Off a terminal rich assumes 80 columns, which folds every UUID in a CI log or a pipe.
    piped = not getattr(file, "isatty", lambda: False)() and "COLUMNS" not in os.environ
    return Console(
        file=file, highlight=False, soft_wrap=False, width=_PIPED_WIDTH if piped else None
    )


async def take(items: AsyncIterable[T], limit: int | None) -> list[T]:
    """The first `limit` items (all of them for None), without reading further."""
    out: list[T] = []
    async for item in items:
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out


class Output:
    """Prints rows as a table, one JSON array, or one JSON document per line."""

    def __init__(self, fmt: Format, file: TextIO | None = None):
        self.fmt = fmt
        self._file = file

    @property
    def file(self) -> TextIO:
        return self._file or sys.stdout

    def write_json(self, item: object) -> None:
        self.file.write(dumps(jsonable(item)).decode() + "\n")

    def items(self, items: Iterable[object]) -> None:
        """For --json/--jsonl: the full models, never the table's abbreviations."""
        if self.fmt == "jsonl":
            for item in items:
                self.write_json(item)
        else:
            self.write_json([jsonable(item) for item in items])

    def table(
        self,
        title: str | None,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        justify: Sequence[Literal["left", "right"]] | None = None,
    ) -> None:
        from rich.table import Table

        table = Table(title=title, title_justify="left", header_style="bold")
        for i, column in enumerate(columns):
            table.add_column(
                column,
                justify=justify[i] if justify else "left",
                overflow="fold",
                no_wrap=column in _ID_COLUMNS,
                min_width=36 if column in _ID_COLUMNS else None,
            )
        for row in rows:
            table.add_row(*(cell_text(value) for value in row))
        console(self.file).print(table)

    def line(self, text: str = "") -> None:
        self.file.write(text + "\n")


def cell_text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return str(value.isoformat(timespec="seconds")).replace("+00:00", "Z")
    return str(value)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"
