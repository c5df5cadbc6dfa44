from __future__ import annotations

import pytest

import futureagi_async as fa
from futureagi_async._config import ClientConfig


def build(**kwargs: object) -> ClientConfig:
    args: dict[str, object] = {
        "base_url": None,
        "timeout": None,
        "max_retries": None,
        "max_concurrency": None,
        "workspace_id": None,
        "environ": {},
    }
    args.update(kwargs)
    api_key = args.pop("api_key", "k")
    secret_key = args.pop("secret_key", "s")
    return ClientConfig.build(api_key, secret_key, **args)  # type: ignore[arg-type]


def test_reads_credentials_and_base_url_from_the_environment() -> None:
    env = {"FI_API_KEY": "ak", "FI_SECRET_KEY": "sk", "FI_BASE_URL": "http://127.0.0.1:9000"}
    config = build(api_key=None, secret_key=None, environ=env)
    assert (config.api_key, config.secret_key) == ("ak", "sk")
    assert str(config.base_url) == "http://127.0.0.1:9000/"


def test_default_base_url() -> None:
    assert str(build().base_url) == "https://api.futureagi.com/"


def test_missing_credentials_name_the_environment_variables() -> None:
    with pytest.raises(fa.ConfigurationError, match="FI_API_KEY") as info:
        build(api_key=None, secret_key=None)
    assert "FI_SECRET_KEY" in str(info.value)


@pytest.mark.parametrize(
    "url",
    ["http://api.futureagi.com", "ftp://x", "not a url", "https://x/?a=1", "http://10.0.0.1"],
)
def test_rejects_unsafe_or_odd_base_urls(url: str) -> None:
    with pytest.raises(fa.ConfigurationError):
        build(base_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]:80", "https://example.com/v"]
)
def test_accepts_https_and_loopback_http(url: str) -> None:
    assert build(base_url=url).base_url.path.endswith("/")


def test_repr_hides_the_keys() -> None:
    text = repr(build(api_key="AKEY-123", secret_key="SECRET-456"))
    assert "AKEY-123" not in text
    assert "SECRET-456" not in text


@pytest.mark.parametrize(("field", "value"), [("max_concurrency", 0), ("max_retries", -1)])
def test_rejects_nonsense_numbers(field: str, value: int) -> None:
    with pytest.raises(fa.ConfigurationError, match=field):
        build(**{field: value})


def test_a_bad_value_is_blamed_on_where_it_came_from() -> None:
    env = {"FI_API_KEY": "x\n", "FI_SECRET_KEY": "s\t", "FI_BASE_URL": "http://10.0.0.1"}
    with pytest.raises(fa.ConfigurationError, match=r"^FI_API_KEY must be visible ASCII"):
        build(api_key=None, environ=env)
    with pytest.raises(fa.ConfigurationError, match=r"^FI_SECRET_KEY must be visible ASCII"):
        build(secret_key=None, environ=env)
    with pytest.raises(fa.ConfigurationError, match=r"^FI_BASE_URL must use https"):
        build(environ=env)
    with pytest.raises(fa.ConfigurationError, match=r"^api_key must be visible ASCII"):
        build(api_key="x\n", environ=env)
    with pytest.raises(fa.ConfigurationError, match=r"^base_url must use https"):
        build(base_url="http://10.0.0.2", environ=env)
