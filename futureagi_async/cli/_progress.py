"""Progress on stderr: a bar on a terminal, one line per update elsewhere, or nothing.

It draws on stderr, so `export ... > out.txt` stays clean. By default it shows only on a
terminal; `--progress` forces it, and then a log (CI, a file) gets whole lines, at most one
a second, instead of a bar's redraws run together.

While the client waits for the rate limit (a pause after a 429, or its `rate_limit`'s next
turn), the bar says "waiting for the rate limit", so a still count is not taken for a hang.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

from .._pacing import watch_waits

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

__all__ = ["ProgressBar", "wants_bar"]

WAITING = "waiting for the rate limit"
#: Waits shorter than this pass unannounced (a paced client waits a little all the time).
_WORTH_SAYING = 0.5


def _is_terminal(stream: TextIO) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def wants_bar(choice: bool | None, stream: TextIO | None = None) -> bool:
    """`--progress`/`--no-progress` win; otherwise only when `stream` is a terminal."""
    if choice is not None:
        return choice
    return _is_terminal(stream or sys.stderr)


def _rate_column() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Items a second: rich's own speed column speaks bytes only."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("-/s" if speed is None else f"{speed:.1f}/s", style="progress.data.speed")

    return RateColumn()


def _waiting_column(bar: ProgressBar) -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class WaitingColumn(ProgressColumn):
        """The wait, while it lasts: drawn from the clock, so it clears by itself."""

        def render(self, task: Any) -> Text:
            return Text(WAITING if bar.waiting else "", style="progress.remaining")

    return WaitingColumn()


class ProgressBar:
    """`with ProgressBar(label, enabled=...) as bar: bar.phase(...); bar.update(done, ...)`.

    `update` takes the counts the caller will report at the end, so the last thing the bar
    shows is the summary's numbers.
    """

    def __init__(
        self,
        label: str,
        *,
        enabled: bool,
        stream: TextIO | None = None,
        interval: float = 1.0,
    ):
        self._label = label
        self._enabled = enabled
        self._stream = stream or sys.stderr
        self._interval = interval
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        self._last_line = ""
        self._last_time = -float("inf")
        self._waiting_until = -float("inf")
        self._watching = ExitStack()

    @property
    def waiting(self) -> bool:
        """Whether the client is waiting for the rate limit now."""
        return time.monotonic() < self._waiting_until

    def _on_wait(self, seconds: float) -> None:
        if seconds < _WORTH_SAYING:
            return
        was_waiting = self.waiting
        self._waiting_until = max(self._waiting_until, time.monotonic() + seconds)
        if self._lines and not was_waiting:
            self._print(f"{self._label}: {WAITING} ({seconds:.1f}s)")

    @property
    def _lines(self) -> bool:
        return self._enabled and self._bar is None

    def __enter__(self) -> Self:
        if self._enabled:
            self._watching.enter_context(watch_waits(self._on_wait))
        if not self._enabled or not _is_terminal(self._stream):
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
        except ImportError:  # no `cli` extra: whole lines instead
            return self
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            _rate_column(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[extra]}"),
            _waiting_column(self),
            console=Console(file=self._stream),
            transient=False,
        )
        self._bar.__enter__()
        self._task = self._bar.add_task(self._label, total=None, extra="")
        return self

    def phase(self, text: str) -> None:
        """A step before counting starts (reading a listing), shown in place of the count."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, extra=text)
        elif self._lines:
            self._print(f"{self._label}: {text}")

    def update(self, done: int, total: int | None, *, extra: str = "") -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total, completed=done, extra=extra)
        elif self._lines:
            now = time.monotonic()
            final = total is not None and done >= total
            if final or now - self._last_time >= self._interval:
                self._last_time = now
                of = "?" if total is None else str(total)
                self._print(f"{self._label}: {done}/{of}" + (f", {extra}" if extra else ""))

    def _print(self, line: str) -> None:
        if line != self._last_line:
            self._last_line = line
            print(line, file=self._stream, flush=True)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._watching.close()
        if self._bar is not None:
            self._bar.__exit__(exc_type, exc, tb)
            self._bar = None
