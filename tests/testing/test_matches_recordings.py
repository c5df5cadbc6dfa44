"""The fake answers like the recorded backend: same status, same headers that matter, same shapes.

Every recording in tests/recordings/ is replayed against the fake with the recorded seed's ids
swapped for the fake's (the run test "Billing bot nightly", its two executions, a completed, a
failed and a soft-deleted call, two eval configs, the workspace). Ids and data differ, shapes
must not: the top-level keys are the recording's, and every object deeper down has a key set
the backend sent at that place in some answer of the same route, every value a JSON kind it
sent there (null matches anything). Objects keyed by ids or names are compared by their
values. What the backend's code sends but the recorded seed never produced is listed in
`_FAKE_ONLY`. Error messages are compared word for word, except those quoting what the fake
cannot share (a token, a database error). Of each paging series, the first page and the page
past the end are replayed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_PAGE = re.compile(r"_p(\d+)(_past_end)?$")
#: Objects whose keys are data (names, choices), not fields: compared by their values.
_MAPS = frozenset({"scenario_columns", "eval_explanation_summary", "total_choices_avg"})
#: What the backend's code stores and sends that the recorded seed never produced, by path:
#: key sets, or JSON kinds. Stored eval outputs can be pending, skipped or failed;
#: scenarios can come from a dataset or a graph; prompt runs have prompt details.
_RAW_FAILED = frozenset({"output", "reason", "output_type", "name", "status", "error", "timestamp"})
_RAW_SKIPPED = frozenset({"output", "reason", "output_type", "name", "status", "skipped"})
_RAW_PENDING = frozenset({"status"})
#: A prompt run has prompt details, on the run test and on each of its scenarios.
_PROMPT_DETAIL_AT = (
    "body.results[].",
    "body.results[].scenarios_detail[].",
    "body.scenarios_detail[].",
)
_FAKE_ONLY: dict[str, set[frozenset[str] | str]] = {
    "body.results[].eval_outputs{}": {_RAW_FAILED, _RAW_SKIPPED, _RAW_PENDING},
    "body.results[].eval_outputs{}.error": {"str"},
    "body.results[].rerun_snapshots[].eval_outputs{}": {_RAW_FAILED, _RAW_SKIPPED, _RAW_PENDING},
    "body.column_order[]": {
        frozenset(
            {
                "column_name",
                "id",
                "visible",
                "type",
                "data_type",
                "scenario_id",
                "dataset_id",
                "dataset_column_ids",
            }
        )
    },
    "body.scenarios_detail[].dataset_column_config": {"dict"},
    "body.results[].scenarios_detail[].dataset_column_config": {"dict"},
    "body.scenarios_detail[].graph": {frozenset({"nodes", "edges"})},
    "body.results[].scenarios_detail[].graph": {frozenset({"nodes", "edges"})},
    **{
        f"{at}prompt_template_detail": {frozenset({"id", "name", "description", "variable_names"})}
        for at in _PROMPT_DETAIL_AT
    },
    **{
        f"{at}prompt_version_detail": {
            frozenset({"id", "template_version", "is_default", "commit_message"})
        }
        for at in _PROMPT_DETAIL_AT
    },
}
#: Headers whose presence (not value) must match.
_HEADERS = ("content-type", "allow", "x-request-id", "location", "www-authenticate")
#: Messages that quote what the fake cannot reproduce: a token's decoding, a SQL error.
_OWN_WORDS = ("Invalid Token parsed", "function upper(boolean)")


def _recordings() -> Iterator[str]:
    for path in sorted(RECORDINGS.glob("*.json")):
        match = _PAGE.search(path.stem)
        if path.stem.startswith("_") or (match and match[1] != "1" and not match[2]):
            continue
        yield path.stem


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    # The recorded seed's evals: one score and two Pass/Fail configs.
    return FakeAPI(DatasetSpec(seed=3, eval_output_types=("Pass/Fail", "score", "Pass/Fail")))


def _ids(fake: FakeAPI) -> dict[str, str]:
    """Recorded id -> the fake's id in the same role."""
    data = fake.dataset
    by_name = {rt.name: rt for rt in data.run_tests}
    billing = by_name["Billing bot nightly"]
    executions = data.executions_of(billing.id)
    calls = [c for e in executions for c in data.calls_of(e.id, include_deleted=True)]
    with_snapshot = next(e for e in executions if any(c.snapshots for c in data.calls_of(e.id)))
    with_summary = next(e for e in executions if e.summary_kind == 2 and e != with_snapshot)
    configs = {c.template.output_type: c for c in billing.eval_configs}
    return {
        "4f418cd0-f63a-416d-8089-a9342c1f830e": billing.id,
        "4F418CD0-F63A-416D-8089-A9342C1F830E": billing.id.upper(),
        "d683362c-f418-4ae4-abc5-664efabc5cf7": by_name["Refund flow smoke"].id,
        "0a247fd2-9952-4c29-9071-33686870bc4a": by_name["Upgrade A/B"].id,
        "13dd3f1d-92b2-475d-9f8d-f543f75ce5a5": with_snapshot.id,
        "96ef5bd3-c331-4781-9dae-9651fdea1ef1": with_summary.id,
        "c992f89a-8e01-485e-a626-607ef93508f0": next(
            c.id for c in calls if c.status == "completed" and not c.deleted
        ),
        "3bfbabc2-1a6b-434a-ae84-e4300e494b0b": next(
            c.id for c in calls if c.status == "failed" and not c.deleted
        ),
        "40252eac-0875-4916-94b1-33d2caa4ace0": next(c.id for c in calls if c.deleted),
        "7a8c85c0-fae7-4503-83e9-269fd9282b70": configs["Pass/Fail"].id,
        "00ddc139-c7db-4418-9f90-f32af2ab827f": configs["score"].id,
        "e21b9183-52a9-4dfc-a9df-ddb383ce57d9": data.workspace_id,
    }


def _eval_names(fake: FakeAPI) -> dict[str, str]:
    billing = next(rt for rt in fake.dataset.run_tests if rt.name == "Billing bot nightly")
    configs = {c.template.output_type: c.name for c in billing.eval_configs}
    return {"helpful_or_not": configs["Pass/Fail"], "tone": configs["score"]}


def _translate(text: str, ids: dict[str, str]) -> str:
    return _UUID.sub(lambda m: ids.get(m[0], m[0]), text)


def _target(fake: FakeAPI, name: str, recorded: dict[str, Any], pages: dict[str, int]) -> str:
    path, _, query = recorded["request"]["path"].partition("?")
    ids = _ids(fake)
    params = []
    for pair in query.split("&") if query else []:
        key, eq, value = pair.partition("=")
        value = _translate(unquote_plus(value), ids)
        if key == "eval_name":
            for recorded_name, fake_name in _eval_names(fake).items():
                value = re.sub(rf"(?i)\b{recorded_name}\b", fake_name, value)
        if key == "page" and name.endswith("_past_end") and _PAGE.search(name):
            value = str(pages[_PAGE.sub("", name)] + 1)
        params.append(f"{key}{eq}{quote(value, safe='')}" if eq else key)
    path = _translate(path, ids)
    return path + ("?" + "&".join(params) if params else "")


def _headers(fake: FakeAPI, name: str, recorded: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in recorded["request"]["headers"].items():
        if value == "<redacted>":
            value = fake.headers[key]
            if key == "X-Secret-Key" and name.endswith(("_bad_secret", "_bad_keys")):
                value = "wrong-secret"
            if key == "X-Api-Key" and name.endswith("_disabled_key"):
                value = "a-disabled-key"
            if name.endswith("_empty_keys"):
                value = ""
        out[key] = _translate(value, _ids(fake))
    if name.endswith("_no_keys"):
        out = {}
    return out


# --- shapes --------------------------------------------------------------------------------

#: path -> (JSON kinds seen, key sets seen); collected over every recording of one route.
Schema = dict[str, tuple[set[str], set[frozenset[str]]]]


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "null" if value is None else type(value).__name__


def _is_map(key: str, value: dict[str, Any]) -> bool:
    return key in _MAPS or (bool(value) and all(_UUID.fullmatch(k) for k in value))


def _walk(value: Any, path: str, out: Schema) -> None:
    kinds, keysets = out.setdefault(path, (set(), set()))
    kinds.add(_kind(value))
    if isinstance(value, dict):
        if _is_map(path.rsplit(".", 1)[-1], value):
            for item in value.values():
                _walk(item, f"{path}{{}}", out)
            return
        keysets.add(frozenset(value))
        for key, item in value.items():
            _walk(item, f"{path}.{key}", out)
    elif isinstance(value, list):
        for item in value:
            _walk(item, f"{path}[]", out)


def _family(recorded: dict[str, Any]) -> str:
    """Recordings answered by the same code: route, selector mode, success or not."""
    path, _, query = recorded["request"]["path"].partition("?")
    route = _UUID.sub("{id}", path)
    mode = next((k for k in ("call_execution_id", "execution_id") if k + "=" in query), "")
    return f"{route} {mode} {recorded['status'] // 100}"


def _schemas() -> dict[str, Schema]:
    schemas: dict[str, Schema] = {}
    for path in RECORDINGS.glob("[a-z]*.json"):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        if recorded.get("body_json") is not None:
            _walk(recorded["body_json"], "body", schemas.setdefault(_family(recorded), {}))
    return schemas


SCHEMAS = _schemas()


def _diff(recorded: Schema, ours: Schema) -> Iterator[str]:
    """Key sets and kinds the fake sends that no recording of that route shows."""
    for path, (kinds, keysets) in ours.items():
        if path not in recorded:
            continue  # under a key set reported below
        seen_kinds, seen_keysets = recorded[path]
        allowed = _FAKE_ONLY.get(path, set())
        if seen_kinds != {"null"} and kinds - seen_kinds - allowed - {"null"}:
            yield f"{path}: {sorted(kinds - seen_kinds)} where recorded {sorted(seen_kinds)}"
        for keys in keysets - seen_keysets - allowed - {frozenset()}:
            closest = min(seen_keysets, key=lambda k: len(k ^ keys), default=frozenset())
            missing, extra = sorted(closest - keys), sorted(keys - closest)
            yield f"{path}: keys missing {missing}, extra {extra}"


def _message(body: Any) -> str | None:
    return body.get("message") if isinstance(body, dict) else None


@pytest.mark.parametrize("name", list(_recordings()))
async def test_the_fake_answers_like_the_recording(fake: FakeAPI, name: str) -> None:
    recorded = json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))
    async with fake.http_client(headers={}) as http:
        pages: dict[str, int] = {}
        if name.endswith("_past_end") and _PAGE.search(name):
            first = json.loads((RECORDINGS / f"{_PAGE.sub('', name)}_p1.json").read_text())
            answer = await http.get(_target(fake, "", first, {}), headers=fake.headers)
            body = answer.json().get("result", answer.json())
            pages[_PAGE.sub("", name)] = body.get("call_results", body)["total_pages"]
        method = recorded["request"]["method"]
        response = await http.request(
            method,
            _target(fake, name, recorded, pages),
            headers=_headers(fake, name, recorded),
        )
    assert response.status_code == recorded["status"]
    recorded_headers = {k for k, _ in recorded["headers"]}
    for header in _HEADERS:
        assert (header in response.headers) == (header in recorded_headers), header
    if "allow" in recorded_headers:
        assert response.headers["allow"] == dict(recorded["headers"])["allow"]
    assert response.headers["content-type"] == dict(recorded["headers"])["content-type"]
    if recorded.get("body_json") is None or method == "HEAD":
        assert not response.content or "text/html" in response.headers["content-type"]
        return
    ours = response.json()
    if isinstance(ours, dict):
        assert set(ours) == set(recorded["body_json"])
    shape: Schema = {}
    _walk(ours, "body", shape)
    assert list(_diff(SCHEMAS[_family(recorded)], shape)) == []
    message = _message(recorded["body_json"])
    if recorded["status"] >= 400 and message and not any(w in message for w in _OWN_WORDS):
        assert _message(ours) == message


def test_every_kind_of_recording_is_replayed() -> None:
    names = list(_recordings())
    assert len(names) > 100
    assert {n.split("_")[0] for n in names} >= {"e1", "e2", "e3", "e4", "e5", "s", "x"}
