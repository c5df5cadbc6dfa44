"""The fake's closed sets of names, as `Literal` types: mypy checks them, `get_args` lists them."""

from __future__ import annotations

from typing import Literal, get_args

__all__ = ["ALL_KINDS", "DEFAULT_KINDS", "DIALECTS", "Dialect", "FaultKind"]

#: `backend` answers as the running backend does; `docs` serves the published pages' shapes.
Dialect = Literal["backend", "docs"]
DIALECTS: tuple[Dialect, ...] = get_args(Dialect)

FaultKind = Literal[
    "503", "429", "429-envelope", "html-502", "drop", "truncate", "drip", "500", "html-500"
]
#: Every kind the fake knows.
ALL_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
#: What `Faults.rate` draws from by default: everything a client should retry or survive.
DEFAULT_KINDS: tuple[FaultKind, ...] = ALL_KINDS[:7]
