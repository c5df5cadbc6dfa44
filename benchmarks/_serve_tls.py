"""The fake over TLS: `python -m benchmarks._serve_tls CERTFILE KEYFILE [fake options...]`.

The fake's own command line (`python -m futureagi_async.testing`) serves plain HTTP; this
runs exactly it with uvicorn given the certificate and key, so both servers are the same
code. It prints the same first line (`http://host:port`); the caller speaks https to it.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> None:
    import uvicorn

    from futureagi_async.testing.__main__ import main as serve_fake

    certfile, keyfile, *argv = sys.argv[1:]
    plain = uvicorn.Config

    def with_tls(*args: Any, **kwargs: Any) -> Any:
        kwargs.update(ssl_certfile=certfile, ssl_keyfile=keyfile)
        return plain(*args, **kwargs)

    uvicorn.Config = with_tls  # type: ignore[misc,assignment]
    serve_fake([*argv, "--link-scheme", "https"])


if __name__ == "__main__":
    main()
