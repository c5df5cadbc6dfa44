"""A progress bar on a terminal, and nothing at all when the output goes to a pipe or file.

It draws on stderr, so `export ... > out.txt` and CI logs stay clean.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

from .._fanout import Progress

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["ProgressBar", "wants_bar"]


def wants_bar(choice: bool | None, stream: TextIO | None = None) -> bool:
    """`--progress`/`--no-progress` win; otherwise only when `stream` is a terminal."""
    if choice is not None:
        return choice
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items a second: rich's own speed column speaks bytes only."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("-/s" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")

    return RateColumn()


class ProgressBar:
    """`with ProgressBar(label, enabled) as bar: bar.update(progress, calls=n)`."""

    def __init__(self, label: str, *, enabled: bool, stream: TextIO | None = None):
        self._label = label
        self._enabled = enabled
        self._stream = stream
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> Self:
        if not self._enabled:
            return self
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )
        except ImportError:  # no `cli` extra: carry on without a bar
            self._enabled = False
            return self
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            _rate_column(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[extra]}"),
            console=Console(file=self._stream or sys.stderr),
            transient=False,
        )
        self._bar.__enter__()
        self._task = self._bar.add_task(self._label, total=None, extra="")
        return self

    def update(self, progress: Progress, *, extra: str = "") -> None:
        if self._bar is None or self._task is None:
            return
        self._bar.update(self._task, total=progress.total, completed=progress.done, extra=extra)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
            self._bar = None
