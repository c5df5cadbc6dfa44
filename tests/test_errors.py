from __future__ import annotations

import futureagi_async as fa
from futureagi_async._errors import error_from_response


def test_flat_envelope_gives_message_code_and_details() -> None:
    body = {
        "status": False,
        "type": "validation_error",
        "code": "invalid",
        "detail": "page: A valid integer is required.",
        "message": "page: A valid integer is required.",
        "details": {"page": ["A valid integer is required."]},
        "attr": "page",
    }
    err = error_from_response(400, body, b"{}")
    assert isinstance(err, fa.BadRequestError)
    assert err.message == "page: A valid integer is required."
    assert err.code == "invalid"
    assert err.details == {"page": ["A valid integer is required."]}


def test_rate_limit_object_result_and_header_precedence() -> None:
    body = {
        "status": False,
        "result": {"code": "RATE_LIMITED", "message": "Rate limit exceeded", "retry_after": 37},
    }
    err = error_from_response(429, body, b"{}")
    assert isinstance(err, fa.RateLimitError)
    assert (err.retry_after, err.code, err.message) == (37.0, "RATE_LIMITED", "Rate limit exceeded")
    from_header = error_from_response(429, body, b"{}", retry_after_header="5")
    assert isinstance(from_header, fa.RateLimitError)
    assert from_header.retry_after == 5.0


def test_missing_test_execution_500_is_not_found() -> None:
    msg = "Failed to retrieve test execution: No TestExecution matches the given query."
    err = error_from_response(500, {"status": False, "detail": msg}, b"{}")
    assert isinstance(err, fa.NotFoundError)
    assert err.status_code == 500


def test_html_body_gives_short_snippet() -> None:
    raw = b"<html><body>" + b"x" * 5000 + b"</body></html>"
    err = error_from_response(502, None, raw)
    assert isinstance(err, fa.ServerError)
    assert len(err.message) <= 200
    assert err.message.startswith("<html>")


def test_empty_body() -> None:
    err = error_from_response(503, None, b"")
    assert isinstance(err, fa.ServerError)
    assert "empty body" in err.message
