"""`run-tests list` and `run-tests get`."""

from __future__ import annotations

import json

import httpx2

from .helpers import Cli, Served, first_run_test


def test_run_tests_list_json_and_table(cli: Cli, env: Served) -> None:
    result = cli("run-tests", "list", "--json")
    assert result.code == 0, result.err
    names = [item["name"] for item in json.loads(result.out)]
    assert sorted(names) == sorted(r.name for r in env.fake.dataset.run_tests)

    table = cli("run-tests", "list")
    assert table.code == 0
    assert all(name in table.out for name in names)


def test_run_tests_list_search_and_limit(cli: Cli, env: Served) -> None:
    _, name = first_run_test(env)
    found = json.loads(cli("run-tests", "list", "--search", name, "--json").out)
    assert [item["name"] for item in found] == [name]
    lines = cli("run-tests", "list", "--limit", "2", "--jsonl").out.splitlines()
    assert len(lines) == 2


def test_run_tests_get(cli: Cli, env: Served) -> None:
    run_test_id, name = first_run_test(env)
    result = cli("run-tests", "get", run_test_id, "--json")
    assert result.code == 0
    assert json.loads(result.out)["id"] == run_test_id
    table = cli("run-tests", "get", run_test_id)
    assert name in table.out
    assert "helpful_or_not" in table.out


def test_run_tests_get_json_writes_a_lone_surrogate_escaped(cli: Cli, env: Served) -> None:
    """A name cut mid-emoji (`"\\ud83d"` on the wire) is printed as valid JSON (#18 defect 4)."""
    run_test_id, _ = first_run_test(env)
    body = b'{"id": "%s", "name": "Billing \\ud83d", "description": null}' % run_test_id.encode()

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=body, headers={"content-type": "application/json"})

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
    result = cli("run-tests", "get", run_test_id, "--json", http_client=http)

    assert result.code == 0, result.err
    assert '"name":"Billing \\ud83d"' in result.out
    assert json.loads(result.out)["name"] == "Billing \ud83d"
    table = cli("run-tests", "get", run_test_id, http_client=http)
    assert table.code == 0, table.err
    assert "Billing \\ud83d" in table.out


def test_a_run_test_is_taken_by_its_exact_name_too(cli: Cli, env: Served) -> None:
    run_test_id, name = first_run_test(env)

    by_name = cli("run-tests", "get", name, "--json")
    assert by_name.code == 0, by_name.err
    assert json.loads(by_name.out)["id"] == run_test_id
    calls = cli("calls", "list", name, "--limit", "3", "--json")
    assert calls.code == 0, calls.err
    assert len(json.loads(calls.out)) == 3

    partial = cli("run-tests", "get", name[:-1])
    assert partial.code == 2
    assert f"no run test named {name[:-1]!r}" in partial.err
    assert cli("calls", "list", name.upper()).code == 2


def test_a_name_two_run_tests_share_is_refused_with_their_ids(cli: Cli) -> None:
    ids = ["0a247fd2-9952-4c29-9071-33686870bc4a", "1b247fd2-9952-4c29-9071-33686870bc4a"]
    page = {"count": 2, "total_pages": 1, "results": [{"id": i, "name": "Twin"} for i in ids]}

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=page)

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(answer))
    result = cli("run-tests", "get", "Twin", http_client=http)

    assert result.code == 2
    assert f"2 run tests are named 'Twin': pass one of their ids ({ids[0]}, {ids[1]})" in result.err
