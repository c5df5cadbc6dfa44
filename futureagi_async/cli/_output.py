"""How results reach the user: rich tables for people, JSON or JSON Lines for scripts.

`rich` comes with the `cli` extra and is imported only when a table is drawn, so
`--json` works without it and a missing extra is one clear line, not an ImportError.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, TextIO, TypeVar

from .._json import dumps
from ._errors import UsageError, install_hint
from ._jsonable import jsonable

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Format", "Output", "cell_text", "console", "percent", "require_rich", "take"]

T = TypeVar("T")

Format = Literal["table", "json", "jsonl"]

_PIPED_WIDTH = 200
# Ids are what users copy into the next command: never folded mid-id. A table too wide for
# the terminal shows their first characters instead (`--wide` shows them whole, and --json
# always does).
_ID_COLUMNS = frozenset({"id", "execution", "call"})
_SHORT_ID = 8
# Names are what people read: they keep their width (up to this much) and other columns
# give way, so a name is never cut into four-letter pieces.
_NAME_COLUMNS = frozenset({"name", "scenario", "eval"})
_NAME_WIDTH = 32
_WORD = 10
_FOLDED = 8
_GAP = 2  # between two columns
_SHORTENED = "(ids shortened to fit the terminal: --wide shows them whole, --json gives everything)"

_MISSING_RICH = (
    f"tables and progress bars need the 'cli' extra: {install_hint('cli')} "
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

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            """rich would exit with 1 here; the command line's one rule for a reader that
            went away is in `_app.main`."""
            raise BrokenPipeError

    file = file or sys.stdout
    # Off a terminal rich assumes 80 columns, which folds every UUID in a CI log or a pipe.
    piped = not getattr(file, "isatty", lambda: False)() and "COLUMNS" not in os.environ
    return _Console(
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

    def __init__(self, fmt: Format, file: TextIO | None = None, *, wide: bool = False):
        self.fmt = fmt
        self.wide = wide
        self._file = file
        self._said_shortened = False

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
        names: Collection[str] = (),
    ) -> None:
        """A table that fits the terminal: ids shortened if need be (see `_ID_COLUMNS`),
        names (and the columns in `names`, headed by one) and one-word cells kept whole, and
        only the other columns folded."""
        out = console(self.file)  # first: says how to install rich when it is missing
        from rich import box
        from rich.table import Table

        cells = [[cell_text(value) for value in row] for row in rows]
        shorten = not self.wide and _width(columns, cells) > out.width
        if shorten:
            ids = [i for i, column in enumerate(columns) if column in _ID_COLUMNS]
            cells = [[_short(t) if i in ids else t for i, t in enumerate(row)] for row in cells]
        # No outer edge and no vertical rules: two spaces between columns, not three, and
        # none outside them (an 80-column terminal has none to spare).
        table = Table(
            title=title,
            title_justify="left",
            header_style="bold",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
        )
        for i, column in enumerate(columns):
            longest = max((len(row[i]) for row in cells), default=0)
            whole = True  # never folded: ids, names, one-word cells
            if column in _ID_COLUMNS:
                min_width = longest
            elif column in _NAME_COLUMNS:
                min_width = min(max(longest, len(column)), _NAME_WIDTH)
            elif column in names:  # the header is the name; its values may fold
                whole = False
                min_width = min(len(column), _NAME_WIDTH)
            elif 0 < longest <= _WORD and " " not in "".join(row[i] for row in cells):
                min_width = longest  # one short word (a status, a count): never folded
            else:
                whole = False
                min_width = min(longest, _FOLDED)  # free text folds, but not to nothing
            table.add_column(
                column,
                justify=justify[i] if justify else "left",
                overflow="fold",
                no_wrap=whole,
                min_width=min_width,
            )
        for row in cells:
            table.add_row(*row)
        out.print(table)
        if shorten and not self._said_shortened and _ID_COLUMNS.intersection(columns):
            self._said_shortened = True
            out.print(_SHORTENED, style="dim")

    def line(self, text: str = "") -> None:
        self.file.write(text + "\n")


def _width(columns: Sequence[str], cells: Sequence[Sequence[str]]) -> int:
    """The width the table needs to show every cell on one line."""
    widths = [len(column) for column in columns]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], max((len(line) for line in text.splitlines()), default=0))
    return sum(widths) + _GAP * (len(columns) - 1)


def _short(text: str) -> str:
    return text if len(text) <= _SHORT_ID + 1 else text[:_SHORT_ID] + "…"


def cell_text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, datetime):
        # To the minute, in UTC, with a space to fold at: `--json` has the exact time.
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}%"
