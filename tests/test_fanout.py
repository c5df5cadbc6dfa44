from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Callable, Iterable, Iterator
from contextlib import aclosing
from typing import Any

import anyio
import anyio.lowlevel
import attrs
import pytest

from futureagi_async._fanout import BoundedMap, Outcome, Progress, bounded_map, map_all

pytestmark = pytest.mark.anyio


class Boom(BaseException):
    """Stands for KeyboardInterrupt and friends, which must never be captured per item."""


@attrs.define
class Work:
    """An ``fn`` whose calls finish only when the test releases them, and that keeps count."""

    fail: dict[int, Exception] = attrs.field(factory=dict)
    started: list[int] = attrs.field(factory=list)
    finished: list[int] = attrs.field(factory=list)
    cancelled: list[int] = attrs.field(factory=list)
    running: int = 0
    max_running: int = 0
    _gates: dict[int, anyio.Event] = attrs.field(factory=dict)
    _changed: anyio.Event | None = None

    def release(self, *items: int) -> None:
        for item in items:
            self._gate(item).set()

    def release_all(self, up_to: int) -> None:
        self.release(*range(up_to))

    async def until(self, condition: Callable[[Work], bool]) -> None:
        while not condition(self):
            self._changed = self._changed or anyio.Event()
            await self._changed.wait()

    async def __call__(self, item: int) -> int:
        self.started.append(item)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        self._tick()
        try:
            await self._gate(item).wait()
        except anyio.get_cancelled_exc_class():
            self.cancelled.append(item)
            self._tick()
            raise
        finally:
            self.running -= 1
        self.finished.append(item)
        self._tick()
        if item in self.fail:
            raise self.fail[item]
        return item * 10

    def _gate(self, item: int) -> anyio.Event:
        return self._gates.setdefault(item, anyio.Event())

    def _tick(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None


async def settle() -> None:
    """Let every task run until all are blocked, to show that something does NOT happen."""
    await anyio.wait_all_tasks_blocked()


async def instant(item: int) -> int:
    await anyio.lowlevel.checkpoint()
    return item * 10


async def drain(the_map: BoundedMap[Any]) -> list[Any]:
    async with the_map as results:
        return [value async for value in results]


# --- bound and order ---------------------------------------------------------------------


async def test_at_most_concurrency_calls_run_at_once() -> None:
    work = Work()
    async with bounded_map(work, range(20), concurrency=4) as results:
        await work.until(lambda w: w.running == 4)
        await settle()
        assert work.started == [0, 1, 2, 3]
        work.release_all(20)
        values = [value async for value in results]
    assert sorted(values) == [i * 10 for i in range(20)]
    assert work.max_running == 4


async def test_unordered_yields_in_completion_order() -> None:
    work = Work()
    async with bounded_map(work, range(3), concurrency=3) as results:
        got = []
        for item in (2, 0, 1):
            work.release(item)
            got.append(await anext(results))
        assert [value async for value in results] == []
    assert got == [20, 0, 10]


async def test_ordered_yields_in_input_order_when_completion_is_reversed() -> None:
    work = Work()
    async with bounded_map(work, range(4), concurrency=4, ordered=True) as results:
        for item in (3, 2, 1, 0):
            work.release(item)
            await work.until(lambda w, item=item: item in w.finished)  # type: ignore[misc]
        values = [value async for value in results]
    assert work.finished == [3, 2, 1, 0]
    assert values == [0, 10, 20, 30]


# --- errors ------------------------------------------------------------------------------


async def test_first_failure_cancels_the_rest_and_is_raised_unwrapped() -> None:
    work = Work(fail={1: ValueError("item 1")})

    async def run() -> None:
        async with bounded_map(work, range(10), concurrency=3) as results:
            await work.until(lambda w: len(w.started) == 3)
            work.release(1)
            async for _ in results:
                pytest.fail("nothing succeeded, so nothing is yielded")

    with pytest.raises(ValueError, match="item 1") as info:
        await run()
    assert not isinstance(info.value, BaseExceptionGroup)
    assert sorted(work.cancelled) == [0, 2]
    assert work.started == [0, 1, 2]


async def test_the_raised_failure_keeps_its_own_context() -> None:
    async def fn(item: int) -> int:
        try:
            return int(f"not a number {item}")
        except ValueError:
            raise RuntimeError("wrapped")  # noqa: B904 - the implicit chain is what is tested

    with pytest.raises(RuntimeError, match="wrapped") as info:
        await drain(bounded_map(fn, [0], concurrency=1))
    assert isinstance(info.value.__context__, ValueError)


async def test_a_failure_cancels_the_body_whatever_it_awaits() -> None:
    never = anyio.Event()
    work = Work(fail={0: ValueError("zero")})
    work.release(0)

    async def run() -> None:
        async with bounded_map(work, [0]):
            await never.wait()

    with pytest.raises(ValueError, match="zero"):
        await run()


async def test_failures_during_cancellation_are_noted_on_the_raised_one() -> None:
    work = Work(fail={0: ValueError("first")})

    async def fn(item: int) -> int:
        try:
            return await work(item)
        except anyio.get_cancelled_exc_class():
            raise RuntimeError("cleanup failed") from None

    async def run() -> None:
        async with bounded_map(fn, range(3), concurrency=3) as results:
            await work.until(lambda w: len(w.started) == 3)
            work.release(0)
            async for _ in results:
                pass

    with pytest.raises(ValueError, match="first") as info:
        await run()
    assert info.value.__notes__ == ["2 more item(s) failed while the map was cancelled"]


async def test_failure_in_ordered_mode_is_raised_without_waiting_for_its_turn() -> None:
    work = Work(fail={2: KeyError("late item")})

    async def run() -> None:
        async with bounded_map(work, range(3), concurrency=3, ordered=True) as results:
            await work.until(lambda w: len(w.started) == 3)
            work.release(2)
            async for _ in results:
                pytest.fail("item 0 never finished")

    with pytest.raises(KeyError):
        await run()
    assert sorted(work.cancelled) == [0, 1]


async def test_return_exceptions_yields_every_item_with_its_value_or_error() -> None:
    errors = {1: ValueError("one"), 3: LookupError("three")}
    work = Work(fail=dict(errors))
    work.release_all(5)
    async with bounded_map(
        work, range(5), concurrency=2, ordered=True, return_exceptions=True
    ) as results:
        outcomes = [outcome async for outcome in results]
    assert [(o.index, o.input, o.ok) for o in outcomes] == [
        (0, 0, True),
        (1, 1, False),
        (2, 2, True),
        (3, 3, False),
        (4, 4, True),
    ]
    assert [o.value for o in outcomes if o.ok] == [0, 20, 40]
    assert outcomes[1].error is errors[1]
    assert outcomes[3].error is errors[3]
    assert outcomes[4].unwrap() == 40
    with pytest.raises(ValueError, match="one"):
        outcomes[1].unwrap()


async def test_base_exceptions_are_never_captured_per_item() -> None:
    async def fn(item: int) -> int:
        raise Boom

    with pytest.raises(BaseExceptionGroup) as info:
        await drain(bounded_map(fn, range(3), return_exceptions=True))
    booms, rest = info.value.split(Boom)
    assert booms is not None
    assert rest is None


async def test_an_input_that_fails_fails_the_map_in_both_modes() -> None:
    def inputs() -> Iterator[int]:
        yield 0
        raise RuntimeError("input broke")

    for return_exceptions in (False, True):
        with pytest.raises(RuntimeError, match="input broke"):
            await drain(bounded_map(instant, inputs(), return_exceptions=return_exceptions))


async def test_an_exception_in_the_body_comes_out_as_itself_and_cancels_the_work() -> None:
    work = Work()
    work.release(0)

    async def run() -> None:
        async with bounded_map(work, range(3), concurrency=3) as results:
            async for _ in results:
                raise KeyError("consumer broke")

    with pytest.raises(KeyError):
        await run()
    assert sorted(work.cancelled) == [1, 2]


# --- back-pressure and laziness ----------------------------------------------------------


async def test_a_slow_consumer_holds_at_most_concurrency_unread_results() -> None:
    completed = 0

    async def fn(item: int) -> int:
        nonlocal completed
        await anyio.lowlevel.checkpoint()
        completed += 1
        return item

    async with bounded_map(fn, range(50), concurrency=3) as results:
        await settle()
        assert completed == 3
        assert [await anext(results), await anext(results)] == [0, 1]
        await settle()
        assert completed == 5
        assert len([value async for value in results]) == 48
    assert completed == 50


async def test_ordered_mode_does_not_start_item_i_plus_concurrency_before_i_is_yielded() -> None:
    work = Work()
    work.release(1, 2, 3, 4)
    async with bounded_map(work, range(5), concurrency=3, ordered=True) as results:
        await work.until(lambda w: w.finished == [1, 2])
        await settle()
        assert work.started == [0, 1, 2]
        work.release(0)
        assert await anext(results) == 0
        await work.until(lambda w: 3 in w.started)
        assert [value async for value in results] == [10, 20, 30, 40]


async def test_async_inputs_are_pulled_lazily() -> None:
    pulled = 0

    async def inputs() -> AsyncGenerator[int, None]:
        nonlocal pulled
        for item in range(100):
            pulled += 1
            yield item

    async with (
        aclosing(inputs()) as source,
        bounded_map(instant, source, concurrency=2) as results,
    ):
        await settle()
        assert pulled == 2
        await anext(results)
        await settle()
        assert pulled == 3


async def test_inputs_can_be_fed_through_a_memory_stream_as_they_are_discovered() -> None:
    send, receive = anyio.create_memory_object_stream[int]()
    seen: list[Progress] = []
    async with anyio.create_task_group() as tg:

        async def discover() -> None:
            async with send:
                for item in range(5):
                    await send.send(item)

        tg.start_soon(discover)
        async with receive, bounded_map(instant, receive, progress=seen.append) as results:
            assert results.progress.total is None
            values = sorted([value async for value in results])
    assert values == [0, 10, 20, 30, 40]
    assert seen[-1] == Progress(total=5, started=5, done=5, failed=0, in_flight=0)
    assert all(p.total is None for p in seen[:-1])


# --- cancellation ------------------------------------------------------------------------


@pytest.mark.parametrize("return_exceptions", [False, True])
async def test_break_cancels_the_work_in_flight_and_leaves_no_tasks(
    return_exceptions: bool,
) -> None:
    tasks_before = len(anyio.get_running_tasks())
    work = Work()
    work.release(0)
    async with bounded_map(
        work, range(10), concurrency=3, return_exceptions=return_exceptions
    ) as results:
        async for _ in results:
            break
    assert sorted(work.cancelled) == [1, 2]
    assert work.running == 0
    assert len(anyio.get_running_tasks()) == tasks_before

    # Nothing is left behind: the same fn maps again from scratch.
    work.release_all(10)
    assert await map_all(work, range(10), concurrency=3) == [i * 10 for i in range(10)]


@pytest.mark.parametrize("return_exceptions", [False, True])
async def test_cancelling_the_consumer_cancels_the_work_and_is_not_swallowed(
    return_exceptions: bool,
) -> None:
    tasks_before = len(anyio.get_running_tasks())
    work = Work()
    yielded = []
    with anyio.CancelScope() as scope:
        async with bounded_map(
            work, range(10), concurrency=3, return_exceptions=return_exceptions
        ) as results:
            await work.until(lambda w: len(w.started) == 3)
            scope.cancel()
            async for outcome in results:
                yielded.append(outcome)
        pytest.fail("the cancellation was swallowed")
    assert scope.cancelled_caught
    assert yielded == []
    assert sorted(work.cancelled) == [0, 1, 2]
    assert len(anyio.get_running_tasks()) == tasks_before


async def test_cancelling_a_consumer_task_from_outside() -> None:
    work = Work()
    async with anyio.create_task_group() as tg:

        async def consume() -> None:
            async with bounded_map(work, range(10), concurrency=2) as results:
                async for _ in results:
                    pytest.fail("nothing was released")

        tg.start_soon(consume)
        await work.until(lambda w: len(w.started) == 2)
        tg.cancel_scope.cancel()
    assert sorted(work.cancelled) == [0, 1]


async def test_a_map_runs_once_and_results_live_only_inside_the_block() -> None:
    the_map = bounded_map(instant, range(3))
    async with the_map as results:
        pass
    with pytest.raises(RuntimeError, match="inside its block"):
        await anext(results)
    with pytest.raises(RuntimeError, match="runs once"):
        async with the_map:
            pass


async def test_a_plain_async_for_is_refused() -> None:
    with pytest.raises(TypeError):
        async for _ in bounded_map(instant, range(3)):  # type: ignore[attr-defined]
            pass


# --- progress ----------------------------------------------------------------------------


async def test_progress_counts_started_done_failed_and_in_flight() -> None:
    seen: list[Progress] = []
    work = Work(fail={1: ValueError("one")})
    async with bounded_map(
        work, range(4), concurrency=2, return_exceptions=True, progress=seen.append
    ) as results:
        await work.until(lambda w: len(w.started) == 2)
        assert results.progress == Progress(total=4, started=2, done=0, failed=0, in_flight=2)
        work.release(1)
        assert not (await anext(results)).ok
        assert results.progress.failed == 1
        work.release_all(4)
        async for _ in results:
            pass
        assert results.progress == Progress(total=4, started=4, done=4, failed=1, in_flight=0)
    assert seen[0] == Progress(total=4, started=1, done=0, failed=0, in_flight=1)
    assert seen[-1] == Progress(total=4, started=4, done=4, failed=1, in_flight=0)
    assert all(p.in_flight <= 2 for p in seen)


async def test_a_failing_progress_callback_fails_the_map() -> None:
    def progress(p: Progress) -> None:
        if p.done:
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await drain(bounded_map(instant, range(5), progress=progress))


# --- edges and the collecting form ------------------------------------------------------


async def test_empty_inputs() -> None:
    async def nothing() -> AsyncGenerator[int, None]:
        return
        yield

    inputs: Iterable[int] | AsyncIterable[int]
    for inputs in ([], nothing()):
        seen: list[Progress] = []
        async with bounded_map(instant, inputs, progress=seen.append) as results:
            assert [value async for value in results] == []
        assert results.progress == Progress(total=0, started=0, done=0, failed=0, in_flight=0)
    assert await map_all(instant, []) == []


async def test_map_all_returns_input_order_even_when_completion_is_reversed() -> None:
    work = Work(fail={2: ValueError("two")})

    async def release_backwards() -> None:
        for item in reversed(range(4)):
            await work.until(lambda w: len(w.started) == 4)
            work.release(item)
            await work.until(lambda w, item=item: item in w.finished)  # type: ignore[misc]

    async with anyio.create_task_group() as tg:
        tg.start_soon(release_backwards)
        outcomes = await map_all(work, range(4), concurrency=4, return_exceptions=True)
    assert work.finished == [3, 2, 1, 0]
    assert [o.index for o in outcomes] == [0, 1, 2, 3]
    assert [o.value for o in outcomes] == [0, 10, None, 30]
    assert isinstance(outcomes[2].error, ValueError)
    assert isinstance(outcomes[0], Outcome)

    work = Work(fail={2: ValueError("two")})
    work.release_all(4)
    with pytest.raises(ValueError, match="two"):
        await map_all(work, range(4), concurrency=2)


@pytest.mark.parametrize("concurrency", [0, -1, True, 1.5])
def test_concurrency_must_be_a_positive_integer(concurrency: object) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        bounded_map(instant, [1], concurrency=concurrency)  # type: ignore[call-overload]
