"""OpenTelemetry spans and metrics, when the API is installed and a provider is set.

No switch: with `opentelemetry-api` importable (the `otel` extra) and a tracer or meter
provider configured the usual way (`trace.set_tracer_provider(...)`), every logical call
(a listing, one of its pages, a fan-out, an export) gets a span, and under it every HTTP
attempt one span named as the HTTP client semantic conventions say: `GET {url.template}`,
with `http.request.method`, `server.address`, `server.port`, `url.full`, `url.template`,
`http.response.status_code`, `http.request.resend_count` on a retry and `error.type` on a
failure. Retries and rate-limit waits are span events. Metrics: the
`http.client.request.duration` histogram and counters of pages, 429s and seconds waited.

Without the API, or with no provider set, `current()` is None and the pipeline does nothing
more than that one check. No attribute ever holds a key: credentials travel in headers, and
no header is recorded. Anything the tracing SDK raises is logged and swallowed: telemetry
never breaks a request. The attempt's context carries OpenTelemetry's suppress-HTTP key, so
an httpx/httpx2 instrumentation that is also active does not add a second span per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import Span, TracerProvider

try:
    from opentelemetry import context as otel_context
    from opentelemetry import metrics as otel_metrics
    from opentelemetry import trace as otel_trace
except ImportError:  # the `otel` extra is not installed
    otel_trace = None  # type: ignore[assignment]

__all__ = ["Attempt", "StepSpan", "Telemetry", "current", "logical_span"]

logger = logging.getLogger("futureagi_async")

_SCOPE = "futureagi_async"
#: OpenTelemetry's key for "an outer layer already traces this HTTP request" (in the API
#: since 1.x, private by name; instrumentations read it through `is_http_instrumentation_
#: enabled`). Looked up by name so an API without it just means no suppression.
_SUPPRESS_HTTP = (
    getattr(otel_context, "_SUPPRESS_HTTP_INSTRUMENTATION_KEY", None)
    if otel_trace is not None
    else None
)

#: The semantic conventions' advised buckets for `http.client.request.duration`.
_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

_override: tuple[Any, Any] | None = None
_cache: dict[tuple[int, int], Telemetry] = {}


@contextmanager
def use_providers(tracer_provider: Any, meter_provider: Any) -> Iterator[None]:
    """Use these providers instead of the global ones (for tests: the globals are set once)."""
    global _override
    previous, _override = _override, (tracer_provider, meter_provider)
    try:
        yield
    finally:
        _override = previous


def current() -> Telemetry | None:
    """The telemetry to record with, or None when there is nothing to record to."""
    if otel_trace is None:
        return None
    if _override is not None:
        tracer_provider, meter_provider = _override
    else:
        tracer_provider = otel_trace.get_tracer_provider()
        meter_provider = otel_metrics.get_meter_provider()
    if _is_noop(tracer_provider) and _is_noop(meter_provider):
        return None
    key = (id(tracer_provider), id(meter_provider))
    telemetry = _cache.get(key)
    if telemetry is None:
        try:
            telemetry = Telemetry(tracer_provider, meter_provider)
        except Exception:
            logger.debug("could not set up OpenTelemetry; not tracing", exc_info=True)
            return None
        _cache.clear()  # one pair of providers at a time: no growth
        _cache[key] = telemetry
    return telemetry


def _is_noop(provider: object) -> bool:
    names = type(provider).__name__
    return names in (
        "ProxyTracerProvider",
        "NoOpTracerProvider",
        "_ProxyMeterProvider",
        "NoOpMeterProvider",
    )


class Telemetry:
    """A tracer and the instruments, from one pair of providers."""

    def __init__(self, tracer_provider: TracerProvider, meter_provider: MeterProvider):
        self.tracer = tracer_provider.get_tracer(_SCOPE, __version__)
        meter = meter_provider.get_meter(_SCOPE, __version__)
        self.duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests.",
            explicit_bucket_boundaries_advisory=_BUCKETS,
        )
        self.pages = meter.create_counter(
            "futureagi.client.pages", unit="{page}", description="Listing pages read."
        )
        self.rate_limited = meter.create_counter(
            "futureagi.client.rate_limited",
            unit="{response}",
            description="429 answers received.",
        )
        self.waited = meter.create_counter(
            "futureagi.client.rate_limit.wait",
            unit="s",
            description="Seconds requests waited for the rate limit (summed over requests).",
        )

    @contextmanager
    def span(self, name: str, attributes: Mapping[str, Any]) -> Iterator[None]:
        """A span for one logical call, current while the block runs."""
        try:
            manager = self.tracer.start_as_current_span(name, attributes=dict(attributes))
            manager.__enter__()
        except Exception:
            logger.debug("OpenTelemetry failed to start a span", exc_info=True)
            yield
            return
        try:
            yield
        except BaseException as exc:
            _guard(manager.__exit__, type(exc), exc, exc.__traceback__)
            raise
        _guard(manager.__exit__, None, None, None)

    def start_span(self, name: str, attributes: Mapping[str, Any]) -> Span | None:
        """A span that is not current (see `enter`), for a call that spans many steps."""
        try:
            return self.tracer.start_span(name, attributes=dict(attributes))
        except Exception:
            logger.debug("OpenTelemetry failed to start a span", exc_info=True)
            return None

    def enter(self, span: Span) -> object | None:
        """Make `span` current until `leave(token)`, in this task."""
        try:
            return otel_context.attach(otel_trace.set_span_in_context(span))
        except Exception:
            logger.debug("OpenTelemetry failed to enter a span", exc_info=True)
            return None

    def leave(self, token: object | None) -> None:
        if token is not None:
            _guard(otel_context.detach, token)

    def finish(self, span: Span, error: BaseException | None) -> None:
        try:
            if error is not None:
                span.record_exception(error)
                span.set_status(otel_trace.StatusCode.ERROR, type(error).__qualname__)
            span.end()
        except Exception:
            logger.debug("OpenTelemetry failed to end a span", exc_info=True)

    @contextmanager
    def attempt(
        self,
        *,
        url: str,
        template: str | None,
        server: tuple[str, int],
        resend_count: int,
        waited: float,
        retry_reason: str | None,
    ) -> Iterator[Attempt]:
        """One HTTP attempt's span, current (with HTTP instrumentation suppressed) inside."""
        attempt = Attempt(self, template=template, server=server)
        attributes: dict[str, Any] = {
            "http.request.method": "GET",
            "server.address": server[0],
            "server.port": server[1],
            "url.full": url,
        }
        if template is not None:
            attributes["url.template"] = template
        if resend_count:
            attributes["http.request.resend_count"] = resend_count
        token = None
        try:
            span = self.tracer.start_span(
                attempt.name, kind=otel_trace.SpanKind.CLIENT, attributes=attributes
            )
            attempt.span = span
            if retry_reason is not None:
                span.add_event("retry", {"retry.reason": retry_reason})
            if waited > 0:
                span.add_event("rate_limit.wait", {"wait.seconds": waited})
            ctx = otel_trace.set_span_in_context(span)
            if _SUPPRESS_HTTP is not None:
                ctx = otel_context.set_value(_SUPPRESS_HTTP, True, ctx)
            token = otel_context.attach(ctx)
        except Exception:
            logger.debug("OpenTelemetry failed to start an HTTP span", exc_info=True)
        try:
            yield attempt
        finally:
            if token is not None:
                _guard(otel_context.detach, token)
            attempt.end()

    def count_page(self) -> None:
        _guard(self.pages.add, 1)

    def count_wait(self, seconds: float, server: tuple[str, int]) -> None:
        _guard(self.waited.add, seconds, {"server.address": server[0]})

    def count_rate_limited(self, server: tuple[str, int]) -> None:
        _guard(self.rate_limited.add, 1, {"server.address": server[0]})


class Attempt:
    """What an attempt's span learns: a status, or the type of its failure."""

    def __init__(self, telemetry: Telemetry, *, template: str | None, server: tuple[str, int]):
        self.telemetry = telemetry
        self.name = f"GET {template}" if template else "GET"
        self.template = template
        self.server = server
        self.span: Span | None = None
        self.status: int | None = None
        self.error_type: str | None = None
        self._started = _now()

    def answered(self, status: int) -> None:
        self.status = status
        if status >= 400:
            self.error_type = str(status)

    def failed(self, error: BaseException) -> None:
        self.error_type = type(error).__qualname__

    def end(self) -> None:
        elapsed = _now() - self._started
        attributes: dict[str, Any] = {
            "http.request.method": "GET",
            "server.address": self.server[0],
            "server.port": self.server[1],
        }
        if self.template is not None:
            attributes["url.template"] = self.template
        if self.status is not None:
            attributes["http.response.status_code"] = self.status
        if self.error_type is not None:
            attributes["error.type"] = self.error_type
        _guard(self.telemetry.duration.record, elapsed, attributes)
        span = self.span
        if span is None:
            return
        try:
            if self.status is not None:
                span.set_attribute("http.response.status_code", self.status)
            if self.error_type is not None:
                span.set_attribute("error.type", self.error_type)
                span.set_status(otel_trace.StatusCode.ERROR)
            span.end()
        except Exception:
            logger.debug("OpenTelemetry failed to end an HTTP span", exc_info=True)


@contextmanager
def logical_span(name: str, **attributes: Any) -> Iterator[None]:
    """A span around one logical call (`watch()`, an export, ...); nothing when not tracing.

    Attribute values that are None are left out.
    """
    telemetry = current()
    if telemetry is None:
        yield
        return
    with telemetry.span(name, {k: v for k, v in attributes.items() if v is not None}):
        yield


class StepSpan:
    """A span over a call that runs in steps (an iterator's), current only inside each step,
    so the caller's code between steps never runs under it. Nothing when not tracing."""

    def __init__(self, name: str, **attributes: Any):
        self._telemetry = current()
        self._span: Span | None = None
        if self._telemetry is not None:
            attributes = {k: v for k, v in attributes.items() if v is not None}
            self._span = self._telemetry.start_span(name, attributes)

    @contextmanager
    def step(self) -> Iterator[None]:
        telemetry, span = self._telemetry, self._span
        if telemetry is None or span is None:
            yield
            return
        token = telemetry.enter(span)
        try:
            yield
        finally:
            telemetry.leave(token)

    def end(self, error: BaseException | None = None) -> None:
        """End the span (once); an `Exception` marks it failed, a cancellation does not."""
        if self._telemetry is not None and self._span is not None:
            failure = error if isinstance(error, Exception) else None
            self._telemetry.finish(self._span, failure)
            self._span = None


def _guard(function: Any, *args: Any) -> None:
    try:
        function(*args)
    except Exception:
        logger.debug("OpenTelemetry failed", exc_info=True)


def _now() -> float:
    return time.perf_counter()
