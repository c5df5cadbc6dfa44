"""The real backend's recorded answers (tests/recordings/), replayed through a mock transport.

A request is answered only by a recording of the same method, path, query and credentials.
The query is compared as a multiset (order-insensitive), with two equivalences the backend
itself makes, and nothing else:

- `page=1` is the same as no `page` (every paginated endpoint defaults to page 1; the
  recordings of both spellings, e.g. `e3_limit3` and `e3_limit3_p1`, hold the same body);
- a JSON parameter (`filters`, `row_groups`, `group_keys`) is compared by its parsed value,
  since the backend parses it (the recordings have `", "` separators, the library sends
  compact JSON).

Credentials: the recordings redact the valid keys as `<redacted>`, so a client built with
`REPLAY_API_KEY`/`REPLAY_SECRET_KEY` sends "the valid keys", and any other value is matched
as itself (`wrong`, `fi_local_api_key_disabled`, an empty string, no header at all).

A request no recording answers is the library asking the real backend something it was never
asked: the transport remembers it in `unanswered` (the fixture fails the test on it) and
raises `UnrecordedRequest`, so the library cannot carry on as if it had been answered.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import attrs
import httpx2

__all__ = [
    "RECORDINGS",
    "REPLAY_API_KEY",
    "REPLAY_SECRET_KEY",
    "Recording",
    "ReplayTransport",
    "UnrecordedRequest",
    "recorded_rows",
    "recording",
]

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"
REPLAY_API_KEY = "replay-api-key"
REPLAY_SECRET_KEY = "replay-secret-key"
_REDACTED = "<redacted>"
_JSON_PARAMS = frozenset({"filters", "row_groups", "group_keys"})
# The credential headers a recording's answer depends on (the rest are the client's own).
_CREDENTIAL_HEADERS = ("X-Api-Key", "X-Secret-Key", "Authorization", "X-Workspace-Id")
# Recomputed from the body we send, not replayed.
_DROPPED_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})

Query = tuple[tuple[str, str], ...]
Credentials = tuple[str | None, ...]
Key = tuple[str, str, Query, Credentials]


class UnrecordedRequest(AssertionError):
    """The library sent a request that the real backend was never asked."""


@attrs.frozen
class Recording:
    """One recorded exchange, as stored."""

    name: str
    method: str
    path: str
    query: Query
    credentials: Credentials
    status: int
    headers: list[tuple[str, str]]
    body_json: Any
    body_text: str | None

    @property
    def key(self) -> Key:
        return (self.method, self.path, self.query, self.credentials)

    @property
    def payload(self) -> Any:
        """The body's data: the SDK endpoint's `result`, else the body itself."""
        body = self.body_json
        if isinstance(body, dict) and isinstance(body.get("status"), bool) and "result" in body:
            return body["result"]
        return body

    def response(self) -> httpx2.Response:
        headers = [(k, v) for k, v in self.headers if k.lower() not in _DROPPED_HEADERS]
        if self.body_text is not None:
            content = self.body_text.encode()
        elif self.body_json is not None:
            content = json.dumps(self.body_json).encode()
        else:
            content = b""
        return httpx2.Response(self.status, headers=headers, content=content)


def canonical_query(pairs: list[tuple[str, str]]) -> Query:
    """The query as a sorted multiset, with the backend's own equivalences (see module doc)."""
    kept: list[tuple[str, str]] = []
    for name, value in pairs:
        if name == "page" and value == "1":
            continue
        if name in _JSON_PARAMS:
            # Not JSON: compared as sent (the backend answers 400 to it).
            with contextlib.suppress(ValueError):
                value = json.dumps(json.loads(value), sort_keys=True, separators=(",", ":"))
        kept.append((name, value))
    return tuple(sorted(kept))


def _credentials(headers: Mapping[str, str], valid: tuple[str, str]) -> Credentials:
    found: list[str | None] = []
    for name, valid_value in zip(_CREDENTIAL_HEADERS, (*valid, None, None), strict=True):
        value = headers.get(name)
        found.append(_REDACTED if value is not None and value == valid_value else value)
    return tuple(found)


def _load(path: Path) -> Recording:
    raw = json.loads(path.read_text())
    request = raw["request"]
    target, _, query = request["path"].partition("?")
    headers = {k.title(): v for k, v in request.get("headers", {}).items()}
    return Recording(
        name=path.stem,
        method=request["method"],
        path=unquote(target),
        query=canonical_query(parse_qsl(query, keep_blank_values=True)),
        credentials=_credentials(headers, (_REDACTED, _REDACTED)),
        status=raw["status"],
        headers=[(k, v) for k, v in raw.get("headers", [])],
        body_json=raw.get("body_json"),
        body_text=raw.get("body_text"),
    )


@cache
def _all() -> dict[str, Recording]:
    return {
        path.stem: _load(path)
        for path in sorted(RECORDINGS.glob("*.json"))
        if not path.name.startswith("_")
    }


def recording(name: str) -> Recording:
    """The recording stored as `tests/recordings/<name>.json`."""
    return _all()[name]


@cache
def _index() -> dict[Key, Recording]:
    index: dict[Key, Recording] = {}
    for rec in _all().values():
        twin = index.setdefault(rec.key, rec)
        if twin is not rec and (twin.status, twin.payload) != (rec.status, rec.payload):
            raise AssertionError(f"{twin.name} and {rec.name} ask the same and answer differently")
    return index


@attrs.define
class ReplayTransport:
    """An httpx2 mock transport answering from the recordings; see the module doc."""

    api_key: str = REPLAY_API_KEY
    secret_key: str = REPLAY_SECRET_KEY
    answered: list[str] = attrs.Factory(list)
    unanswered: list[str] = attrs.Factory(list)

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        query = canonical_query(parse_qsl(request.url.query.decode(), keep_blank_values=True))
        headers = {
            name: request.headers[name] for name in _CREDENTIAL_HEADERS if name in request.headers
        }
        key: Key = (
            request.method,
            request.url.path,
            query,
            _credentials(headers, (self.api_key, self.secret_key)),
        )
        rec = _index().get(key)
        if rec is None:
            described = f"{request.method} {request.url.path} {dict(query)!r} {key[3]!r}"
            self.unanswered.append(described)
            raise UnrecordedRequest(f"no recording answers {described}")
        self.answered.append(rec.name)
        return rec.response()

    def asked_exactly(self, names: list[str]) -> bool:
        """Whether the requests answered were those of `names`, each once, in any order.

        Compared by what was asked, since twin recordings (`e3_limit3`, `e3_limit3_p1`) ask
        the same and only one of them answers.
        """
        asked = sorted(recording(n).key for n in self.answered)
        return asked == sorted(recording(n).key for n in names)


def recorded_rows(names: list[str], *, inside: str | None = None) -> list[dict[str, Any]]:
    """The rows of recorded pages in order, each id once (as a walk over them yields them)."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name in names:
        payload = recording(name).payload
        page = payload[inside] if inside else payload
        for row in page["results"]:
            key = row.get("id") or row.get("execution_id") or row.get("call_execution_id")
            if key not in seen:
                seen.add(key)
                rows.append(row)
    return rows
