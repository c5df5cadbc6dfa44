"""OpenTelemetry: spans per logical call and per HTTP attempt, metrics, and no harm done.

The SDK's in-memory exporter and metric reader record what the library emits; the providers
are given through `_tracing.use_providers`, since OpenTelemetry's globals can be set only
once per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import futureagi_async as fa
from futureagi_async import _tracing
from futureagi_async.testing import FakeAPI

pytestmark = pytest.mark.anyio


class Recorded:
    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def http_spans(self) -> list[ReadableSpan]:
        return [s for s in self.spans if s.kind == trace.SpanKind.CLIENT]

    def metrics(self) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {}
        data = self.reader.get_metrics_data()
        assert data is not None
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found


@pytest.fixture
def recorded() -> Iterator[Recorded]:
    rec = Recorded()
    with _tracing.use_providers(rec.tracer_provider, rec.meter_provider):
        yield rec


def all_attribute_text(rec: Recorded) -> str:
    texts: list[str] = []
    for span in rec.spans:
        texts += [f"{k}={v!r}" for k, v in (span.attributes or {}).items()]
        for event in span.events:
            texts += [f"{k}={v!r}" for k, v in (event.attributes or {}).items()]
    for points in rec.metrics().values():
        for point in points:
            texts += [f"{k}={v}" for k, v in point.attributes.items()]
    return "\n".join(texts)


async def test_no_provider_no_telemetry() -> None:
    # The suite never sets OpenTelemetry's global providers: nothing to record to.
    assert _tracing.current() is None


async def test_one_http_span_per_attempt_with_the_semantic_conventions(
    recorded: Recorded,
) -> None:
    fake = FakeAPI(api_key="key-SECRET-1", secret_key="secret-SECRET-2")
    run_test = fake.dataset.run_tests[0]
    fake.faults.push("503")
    async with fake.client() as client:
        await client.run_tests.get(run_test.id)
    first, second = recorded.http_spans()
    template = "/simulate/run-tests/{run_test_id}/"
    for span in (first, second):
        assert span.name == f"GET {template}"
        attributes = dict(span.attributes or {})
        assert attributes["http.request.method"] == "GET"
        assert attributes["server.address"] == "127.0.0.1"
        assert attributes["server.port"] == 80
        assert attributes["url.full"] == f"http://127.0.0.1/simulate/run-tests/{run_test.id}/"
        assert attributes["url.template"] == template
    assert first.attributes is not None
    assert first.attributes["http.response.status_code"] == 503
    assert first.attributes["error.type"] == "503"
    assert first.status.status_code == trace.StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes is not None
    assert second.attributes["http.response.status_code"] == 200
    assert second.attributes["http.request.resend_count"] == 1
    assert "error.type" not in second.attributes
    assert [e.name for e in second.events] == ["retry"]
    # No key or secret anywhere: not in a span, an event or a metric's attributes.
    text = all_attribute_text(recorded)
    assert "SECRET" not in text
    assert "X-Api-Key" not in text


async def test_connection_failures_name_their_error_type(recorded: Recorded) -> None:
    answers: list[httpx2.Response | Exception] = [
        httpx2.ConnectError("refused"),
        httpx2.Response(200, json={"ok": True}),
    ]

    def handler(request: httpx2.Request) -> httpx2.Response:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    async with fa.AsyncClient("k", "s", base_url="http://127.0.0.1:9", http_client=http) as client:
        await client._pipeline.get(
            "simulate/run-tests/", {}, lambda body: body, template="simulate/run-tests/"
        )
    failed, ok = recorded.http_spans()
    assert failed.attributes is not None
    assert failed.attributes["error.type"] == "ConnectError"
    assert "http.response.status_code" not in failed.attributes
    assert failed.attributes["server.port"] == 9
    assert ok.attributes is not None
    assert ok.attributes["http.request.resend_count"] == 1


async def test_pages_and_fan_outs_are_logical_spans(recorded: Recorded) -> None:
    fake = FakeAPI()
    ids = [r.id for r in fake.dataset.run_tests]
    async with fake.client() as client:
        rows = await client.run_tests.list(page_size=2).collect()
        async with client.run_tests.get_many(ids) as results:
            assert len([r async for r in results]) == len(ids)
    assert len(rows) == len(ids)
    spans = recorded.spans
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    pages = [s for s in spans if s.name == "futureagi.page"]
    assert len(pages) == -(-len(ids) // 2)
    for page in pages:
        assert page.attributes is not None
        assert page.attributes["url.template"] == "/simulate/run-tests/"
    (walk,) = [s for s in spans if s.name == "futureagi.list"]
    assert walk.attributes is not None
    assert walk.attributes["url.template"] == "/simulate/run-tests/"
    assert walk.context is not None
    assert all(p.parent is not None and p.parent.span_id == walk.context.span_id for p in pages)
    listing = [s for s in recorded.http_spans() if s.name == "GET /simulate/run-tests/"]
    assert {s.parent.span_id for s in listing if s.parent} == {
        p.context.span_id for p in pages if p.context
    }
    (fan_out,) = [s for s in spans if s.name == "futureagi.fan_out run_test_id"]
    assert fan_out.attributes is not None
    assert fan_out.attributes["futureagi.items"] == len(ids)
    gets = [s for s in recorded.http_spans() if s.name.endswith("{run_test_id}/")]
    assert len(gets) == len(ids)
    assert all(s.parent is not None and by_id[s.parent.span_id] is fan_out for s in gets)
    counted = recorded.metrics()
    assert sum(p.value for p in counted["futureagi.client.pages"]) == len(pages)
    durations = counted["http.client.request.duration"]
    assert sum(p.count for p in durations) == len(recorded.http_spans())
    assert {p.attributes["url.template"] for p in durations} == {
        "/simulate/run-tests/",
        "/simulate/run-tests/{run_test_id}/",
    }


async def test_a_failed_listing_ends_its_span_with_the_error(recorded: Recorded) -> None:
    fake = FakeAPI()
    fake.faults.push("500", path="/simulate/run-tests/")
    async with fake.client() as client:
        with pytest.raises(fa.ServerError):
            await client.run_tests.list().collect()
        # Left midway: the span is not ended, and not exported.
        async for _ in client.run_tests.list(page_size=1):
            break
    (walk,) = [s for s in recorded.spans if s.name == "futureagi.list"]
    assert walk.status.status_code == trace.StatusCode.ERROR
    assert [e.name for e in walk.events] == ["exception"]


async def test_an_export_is_one_span_over_its_work(recorded: Recorded) -> None:
    fake = FakeAPI()
    name = fake.dataset.run_tests[0].name
    async with fake.client() as client, client.export(name) as records:
        assert [r async for r in records]
    (export,) = [s for s in recorded.spans if s.name == "futureagi.export"]
    assert export.context is not None
    trace_ids = {s.context.trace_id for s in recorded.http_spans() if s.context}
    assert trace_ids == {export.context.trace_id}


async def test_a_watch_is_one_span_over_its_polls(recorded: Recorded) -> None:
    fake = FakeAPI()
    execution = fake.dataset.executions[0]  # already complete: one poll, then the end
    async with fake.client() as client:
        calls = [c async for c in client.test_executions.watch(execution.id)]
    assert calls
    (watch,) = [s for s in recorded.spans if s.name == "futureagi.watch"]
    assert watch.context is not None
    assert (watch.attributes or {})["futureagi.execution_id"] == execution.id
    http = recorded.http_spans()
    assert http
    assert all(s.parent is not None and s.parent.span_id == watch.context.span_id for s in http)


async def test_rate_limit_waits_are_events_and_counted(recorded: Recorded) -> None:
    fake = FakeAPI()
    run_test = fake.dataset.run_tests[0]
    fake.faults.push("429-envelope")
    async with fake.client(rate_limit=fa.RateLimit(1, 0.05)) as client:
        for _ in range(3):
            await client.run_tests.get(run_test.id)
    events = [e.name for s in recorded.http_spans() for e in s.events]
    assert "rate_limit.wait" in events
    assert "retry" in events
    counted = recorded.metrics()
    assert sum(p.value for p in counted["futureagi.client.rate_limited"]) == 1
    assert sum(p.value for p in counted["futureagi.client.rate_limit.wait"]) > 0


async def test_http_instrumentation_is_suppressed_during_the_send(recorded: Recorded) -> None:
    seen: list[object] = []
    key = otel_context._SUPPRESS_HTTP_INSTRUMENTATION_KEY

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(otel_context.get_value(key))
        seen.append(trace.get_current_span().get_span_context().is_valid)
        return httpx2.Response(200, json={})

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    async with fa.AsyncClient("k", "s", base_url="http://127.0.0.1:9", http_client=http) as client:
        await client._pipeline.get("simulate/run-tests/", {}, lambda body: body)
    assert seen == [True, True]
    # Outside the send, the key is gone again.
    assert otel_context.get_value(key) is None


class Exploding:
    """A tracer (and provider) whose every call raises."""

    def __getattr__(self, name: str) -> Any:
        def explode(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"tracing is broken: {name}")

        return explode


class ExplodingTracerProvider(TracerProvider):
    def get_tracer(self, *args: Any, **kwargs: Any) -> Any:
        return Exploding()


async def test_a_raising_tracer_provider_does_not_break_a_request() -> None:
    fake = FakeAPI()
    run_test = fake.dataset.run_tests[0]
    with _tracing.use_providers(ExplodingTracerProvider(), MeterProvider()):
        async with fake.client() as client:
            assert (await client.run_tests.get(run_test.id)).id == run_test.id
            assert len(await client.run_tests.list(page_size=3).collect()) > 0
            async with client.run_tests.get_many([run_test.id]) as results:
                assert len([r async for r in results]) == 1
    # A provider that cannot even make a tracer: no telemetry at all, requests still go.
    with _tracing.use_providers(Exploding(), Exploding()):
        assert _tracing.current() is None
        async with fake.client() as client:
            assert (await client.run_tests.get(run_test.id)).id == run_test.id


async def test_logical_span_for_other_calls(recorded: Recorded) -> None:
    with _tracing.logical_span("futureagi.watch", **{"futureagi.id": "x", "skipped": None}):
        pass
    (span,) = recorded.spans
    assert span.name == "futureagi.watch"
    assert dict(span.attributes or {}) == {"futureagi.id": "x"}
    with pytest.raises(KeyError), _tracing.logical_span("futureagi.watch"):
        raise KeyError("boom")
    assert recorded.spans[-1].status.status_code == trace.StatusCode.ERROR
