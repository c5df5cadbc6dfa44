"""The bounded map: run an async function over many inputs, at most ``concurrency`` at once.

Every fan-out of the library (``*_many`` helpers, the export pipeline) and of its users goes
through here, so the bound, the error semantics and the cancellation rules live in one place::

    async with bounded_map(fetch, ids, concurrency=16) as results:
        async for value in results:
            ...

Why a context manager and not an async generator: the work runs in a task group, and a task
group must never stay open across a ``yield`` (PEP 789, trio's "don't yield inside a
nursery"). A consumer that ``break``s out of ``async for`` over such a generator leaves it
suspended, its tasks still running, until garbage collection finalises it on some other task.
``async with`` puts the task group in the caller's own block instead: however the block is
left (exhausted, ``break``, an exception, cancellation) the outstanding work is cancelled and
awaited before the next line runs. A ``BoundedMap`` is therefore deliberately not iterable:
``async for x in bounded_map(...)`` is a type error (and a ``TypeError`` at run time).

The requests ``fn`` makes are further bounded by the client's ``max_concurrency``; that is the
request pipeline's limiter, which this module leaves alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sized
from types import TracebackType
from typing import Any, Generic, Literal, NoReturn, TypeVar, cast, overload

import anyio
import anyio.lowlevel
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = [
    "BoundedMap",
    "Outcome",
    "Progress",
    "ProgressCallback",
    "Results",
    "bounded_map",
    "map_all",
]

In = TypeVar("In")
Out = TypeVar("Out")
T = TypeVar("T")

ProgressCallback = Callable[["Progress"], object]
"""Called with a fresh `Progress` snapshot whenever a counter changes."""

_END: Any = object()


@attrs.frozen
class Outcome(Generic[In, Out]):
    """One input's result or error, so that one failed item does not cost the others theirs."""

    index: int
    """The input's position in ``inputs`` (0-based), to match results up in unordered mode."""
    input: In
    value: Out | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> Out:
        """The value, or raise the error: for callers who want fail-on-use, not fail-fast."""
        if self.error is not None:
            raise self.error
        return cast(Out, self.value)


@attrs.frozen
class Progress:
    """A snapshot of a map's counters, for progress bars.

    ``total`` is ``None`` while unknown: an input without ``len()`` (an async stream) has a
    total only once it runs out. ``done`` counts items whose ``fn`` returned or raised,
    ``failed`` the ones that raised. Items cancelled mid-flight are neither.
    """

    total: int | None
    started: int
    done: int
    failed: int
    in_flight: int


@overload
def bounded_map(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = ...,
    ordered: bool = ...,
    return_exceptions: Literal[False] = ...,
    progress: ProgressCallback | None = ...,
) -> BoundedMap[Out]: ...


@overload
def bounded_map(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = ...,
    ordered: bool = ...,
    return_exceptions: Literal[True],
    progress: ProgressCallback | None = ...,
) -> BoundedMap[Outcome[In, Out]]: ...


@overload
def bounded_map(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = ...,
    ordered: bool = ...,
    return_exceptions: bool,
    progress: ProgressCallback | None = ...,
) -> BoundedMap[Out] | BoundedMap[Outcome[In, Out]]: ...


def bounded_map(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = 16,
    ordered: bool = False,
    return_exceptions: bool = False,
    progress: ProgressCallback | None = None,
) -> BoundedMap[Out] | BoundedMap[Outcome[In, Out]]:
    """Map ``fn`` over ``inputs``, at most ``concurrency`` calls at once; use with ``async with``.

    - Results come as they complete, or in input order with ``ordered=True``.
    - Errors: by default the first ``Exception`` from ``fn`` (or from iterating ``inputs``)
      cancels the outstanding work and is raised from the ``async with``, as itself, not in
      an ``ExceptionGroup``. With ``return_exceptions=True`` every item is yielded as an
      ``Outcome`` holding its value or its error; an error from ``inputs`` itself still
      fails the map. Cancellation and other ``BaseException``\\ s are never captured.
      The block's body runs inside the map's task group, so a failure also cancels the
      body at its next ``await`` (whatever it awaits), and is raised even if the body
      has already left by ``break``. Items that fail while the map is being cancelled are
      counted in a note on the raised exception.
    - Back-pressure: at most ``concurrency`` inputs are taken and not yet yielded, counting
      the running ones, the finished ones waiting for the consumer and, in ordered mode,
      the ones waiting for an earlier item: item ``i + concurrency`` does not start before
      item ``i`` is yielded. Inputs are pulled lazily, one per free slot; they are not
      closed by the map (wrap an async generator in ``contextlib.aclosing`` if it must be).
    - Leaving the block, however, cancels the work still running and waits for it;
      results not read by then are dropped. Read ``results`` from one task only.
    - ``progress`` is called with a ``Progress`` snapshot whenever a counter changes; it
      runs inline, so it should be quick. An exception from it fails the map.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
    return BoundedMap(
        fn,
        inputs,
        concurrency=concurrency,
        ordered=ordered,
        capture=return_exceptions,
        wrap=return_exceptions,
        on_progress=progress,
    )


@overload
async def map_all(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = ...,
    return_exceptions: Literal[False] = ...,
    progress: ProgressCallback | None = ...,
) -> list[Out]: ...


@overload
async def map_all(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = ...,
    return_exceptions: Literal[True],
    progress: ProgressCallback | None = ...,
) -> list[Outcome[In, Out]]: ...


async def map_all(
    fn: Callable[[In], Awaitable[Out]],
    inputs: Iterable[In] | AsyncIterable[In],
    *,
    concurrency: int = 16,
    return_exceptions: bool = False,
    progress: ProgressCallback | None = None,
) -> list[Out] | list[Outcome[In, Out]]:
    """``bounded_map`` collected into a list in input order, for callers who want them all.

    Runs unordered underneath and sorts at the end, so a slow early item does not hold back
    the later ones the way ``ordered=True`` would; the list holds everything anyway.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
    the_map: BoundedMap[Outcome[In, Out]] = BoundedMap(
        fn,
        inputs,
        concurrency=concurrency,
        ordered=False,
        capture=return_exceptions,
        wrap=True,
        on_progress=progress,
    )
    async with the_map as results:
        outcomes = [outcome async for outcome in results]
    outcomes.sort(key=lambda outcome: outcome.index)
    if return_exceptions:
        return outcomes
    return [cast(Out, outcome.value) for outcome in outcomes]


class BoundedMap(Generic[T]):
    """One run of a bounded map: an async context manager whose target is its ``Results``.

    Single use: enter it once; call ``bounded_map`` again for another run.
    """

    __slots__ = (
        "_capture",
        "_concurrency",
        "_done",
        "_entered",
        "_exited",
        "_failed",
        "_failure",
        "_fn",
        "_in_flight",
        "_on_progress",
        "_ordered",
        "_other_failures",
        "_pull",
        "_receive",
        "_send",
        "_slots",
        "_started",
        "_task_group",
        "_total",
        "_wrap",
    )

    def __init__(
        self,
        fn: Callable[[Any], Awaitable[Any]],
        inputs: Iterable[Any] | AsyncIterable[Any],
        *,
        concurrency: int,
        ordered: bool,
        capture: bool,
        wrap: bool,
        on_progress: ProgressCallback | None,
    ) -> None:
        self._fn = fn
        # Made now so that a non-iterable fails at the call site, not inside the task group.
        self._pull = _puller(inputs)
        self._total: int | None = len(inputs) if isinstance(inputs, Sized) else None
        self._concurrency = concurrency
        self._ordered = ordered
        self._capture = capture
        self._wrap = wrap
        self._on_progress = on_progress
        self._started = self._done = self._failed = self._in_flight = 0
        self._failure: Exception | None = None
        self._other_failures = 0
        self._entered = self._exited = False
        self._task_group: TaskGroup | None = None
        self._send: MemoryObjectSendStream[Outcome[Any, Any]] | None = None
        self._receive: MemoryObjectReceiveStream[Outcome[Any, Any]] | None = None

    @property
    def progress(self) -> Progress:
        return Progress(
            total=self._total,
            started=self._started,
            done=self._done,
            failed=self._failed,
            in_flight=self._in_flight,
        )

    async def __aenter__(self) -> Results[T]:
        if self._entered:
            raise RuntimeError("a BoundedMap runs once; call bounded_map() again to rerun it")
        self._entered = True
        # A slot is taken before an input is pulled and given back when its result is
        # yielded, so it bounds running + finished-but-unread + waiting-for-order together.
        self._slots = anyio.Semaphore(self._concurrency)
        # The slots already bound what can be buffered, so sends never wait.
        self._send, self._receive = anyio.create_memory_object_stream[Outcome[Any, Any]](
            self._concurrency
        )
        self._task_group = anyio.create_task_group()
        await self._task_group.__aenter__()
        self._task_group.start_soon(self._feed, self._send, name="bounded_map feeder")
        return Results(self, self._receive)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Never suppresses: the task group only swallows a cancellation of its own scope, and
        # that scope is cancelled only by a failure (raised below) or on a clean exit.
        assert self._task_group is not None
        assert self._send is not None
        assert self._receive is not None
        if exc is None:
            # The consumer stopped reading (or read everything): nothing outlives the block.
            # On an exception the task group cancels the work by itself.
            self._task_group.cancel_scope.cancel()
        try:
            suppressed = await self._task_group.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as group:
            if exc is not None and len(group.exceptions) == 1 and group.exceptions[0] is exc:
                # The body's own exception, wrapped by the task group: give it back as is.
                return
            raise
        finally:
            self._exited = True
            self._send.close()
            self._receive.close()
        failure, self._failure = self._failure, None
        if failure is not None and (exc is None or suppressed):
            if self._other_failures:
                failure.add_note(
                    f"{self._other_failures} more item(s) failed while the map was cancelled"
                )
            _raise_keeping_context(failure)

    def _fail(self, exc: Exception) -> None:
        """Record the first failure and cancel everything; the exit raises it."""
        if self._failure is None:
            self._failure = exc
            assert self._task_group is not None
            self._task_group.cancel_scope.cancel()
        elif exc is not self._failure:
            self._other_failures += 1

    def _notify(self) -> None:
        if self._on_progress is None:
            return
        try:
            self._on_progress(self.progress)
        except Exception as exc:
            self._fail(exc)

    async def _feed(self, send: MemoryObjectSendStream[Outcome[Any, Any]]) -> None:
        # Closing the stream after the last worker is what ends the consumer's loop.
        with send:
            async with anyio.create_task_group() as workers:
                index = 0
                while True:
                    await self._slots.acquire()
                    # A slot freed by the consumer's last read must not start new work
                    # once the map is being torn down.
                    await anyio.lowlevel.checkpoint_if_cancelled()
                    try:
                        item = await self._pull()
                    except Exception as exc:
                        self._fail(exc)
                        return
                    if item is _END:
                        self._slots.release()
                        break
                    workers.start_soon(self._run_one, send, index, item)
                    index += 1
            if self._total != index:
                self._total = index
                self._notify()

    async def _run_one(
        self, send: MemoryObjectSendStream[Outcome[Any, Any]], index: int, item: Any
    ) -> None:
        # Counted here, not when spawned: a task cancelled before its first step never runs.
        self._started += 1
        self._in_flight += 1
        self._notify()
        try:
            value = await self._fn(item)
        except Exception as exc:
            outcome: Outcome[Any, Any] = Outcome(index, item, error=exc)
            self._failed += 1
        else:
            outcome = Outcome(index, item, value=value)
        finally:
            self._in_flight -= 1
        self._done += 1
        self._notify()
        if outcome.error is not None and not self._capture:
            self._fail(outcome.error)
            return
        await send.send(outcome)


class Results(Generic[T]):
    """The async iterator of a running map; valid only inside its ``async with`` block."""

    __slots__ = ("_map", "_next", "_pending", "_receive")

    def __init__(
        self, the_map: BoundedMap[T], receive: MemoryObjectReceiveStream[Outcome[Any, Any]]
    ) -> None:
        self._map = the_map
        self._receive = receive
        self._pending: dict[int, Outcome[Any, Any]] = {}
        self._next = 0

    @property
    def progress(self) -> Progress:
        """The counters right now (also passed to the ``progress`` callback as they change)."""
        return self._map.progress

    def __aiter__(self) -> Results[T]:
        return self

    async def __anext__(self) -> T:
        if self._map._exited:
            raise RuntimeError("a bounded_map's results can only be read inside its block")
        try:
            outcome = await (
                self._next_in_order() if self._map._ordered else self._receive.receive()
            )
        except anyio.EndOfStream:
            raise StopAsyncIteration from None
        self._map._slots.release()
        return cast(T, outcome if self._map._wrap else outcome.value)

    async def _next_in_order(self) -> Outcome[Any, Any]:
        outcome = self._pending.pop(self._next, None)
        if outcome is None:
            while (received := await self._receive.receive()).index != self._next:
                self._pending[received.index] = received
            outcome = received
        else:
            # Stay a checkpoint either way, so a failed map is noticed promptly.
            await anyio.lowlevel.checkpoint()
        self._next += 1
        return outcome


def _puller(inputs: Iterable[Any] | AsyncIterable[Any]) -> Callable[[], Awaitable[Any]]:
    """One awaitable "next input, or _END" over both kinds of iterable."""
    if isinstance(inputs, AsyncIterable):
        iterator = aiter(inputs)

        async def pull_async() -> Any:
            try:
                return await anext(iterator)
            except StopAsyncIteration:
                return _END

        return pull_async

    sync_iterator = iter(inputs)

    async def pull_sync() -> Any:
        return next(sync_iterator, _END)

    return pull_sync


def _raise_keeping_context(exc: Exception) -> NoReturn:
    """Raise ``exc`` with its own ``__context__``, not the cancellation it was raised over."""
    context = exc.__context__
    try:
        raise exc
    finally:
        exc.__context__ = context
        del exc, context
