"""The `fake_api` and `fake_client` fixtures, as a user's test suite sees them (pytester)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

USERS_TESTS = """
import pytest

from futureagi_async import AsyncClient, AuthenticationError, NotFoundError
from futureagi_async._retry import retries_are_instant
from futureagi_async.testing import FakeAPI

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


async def test_the_client_reads_the_fake(fake_client, fake_api):
    assert isinstance(fake_api, FakeAPI)
    assert isinstance(fake_client, AsyncClient)
    names = [rt.name async for rt in fake_client.run_tests.list()]
    assert names and set(names) == {rt.name for rt in fake_api.dataset.run_tests}
    latest = await anext(aiter(fake_client.simulation.runs("Billing bot nightly")))
    assert latest.eval_results


async def test_retries_are_instant_while_the_test_runs(fake_client, fake_api):
    assert retries_are_instant()
    fake_api.faults.push("503", times=2)
    await fake_client.run_tests.get(fake_api.dataset.run_tests[0].id)
    assert [r.status for r in fake_api.stats.request_log] == [503, 503, 200]


async def test_errors_are_the_librarys(fake_client):
    with pytest.raises(NotFoundError):
        await fake_client.run_tests.get("12345678-90ab-cdef-1234-567890abcdef")


async def test_a_wrong_key_is_a_401(fake_api):
    async with fake_api.client(api_key="nope", max_retries=0) as client:
        with pytest.raises(AuthenticationError):
            await client.run_tests.get(fake_api.dataset.run_tests[0].id)


def test_the_previous_retry_setting_is_back():
    assert not retries_are_instant()


def test_fake_api_alone_needs_no_event_loop(fake_api):
    assert fake_api.dataset.run_tests[0].name == "Billing bot nightly"
"""


def test_the_fixtures_work_in_a_users_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_users=USERS_TESTS)
    # The user's suite has no conftest of ours: the fixtures come from the entry point.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=10)


def test_importing_the_fake_does_not_import_pytest() -> None:
    code = (
        "import sys, futureagi_async.testing\n"
        "assert 'pytest' not in sys.modules, 'pytest was imported'\n"
        "assert 'futureagi_async.testing._pytest_plugin' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
