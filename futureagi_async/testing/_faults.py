"""Fault injection: what to break, decided deterministically so a failing test replays.

A random fault is picked from a hash of (seed, request, how many times that exact request
was seen), not from arrival order, so the same requests fail however they interleave, and a
retry of a failed request gets a fresh draw. Scripted faults (`push`) come first.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, deque

import attrs

from ._types import ALL_KINDS, DEFAULT_KINDS, FaultKind

__all__ = ["Faults"]


@attrs.define(eq=False)
class _Scripted:
    kind: FaultKind
    times: int
    path: str | None


@attrs.define(eq=False)
class Faults:
    """Fault settings and the scripted queue. Kinds:

    - `503`: a gateway's HTML 503. `html-502`: a gateway's HTML 502.
    - `429`: the flat envelope; `429-envelope`: `{"status": false, "result": {"code":
      "RATE_LIMITED", …, "retry_after": N}}`. Both send `Retry-After: N`.
    - `500`: the JSON envelope; `html-500`: Django's HTML page.
    - `drop`: headers and half the body, then the connection dies.
    - `truncate`: a complete response whose JSON body is cut in half.
    - `drip`: the right body, sent in slow chunks `drip_interval` apart.
    """

    rate: float = 0.0
    seed: int = 0
    kinds: tuple[FaultKind, ...] = DEFAULT_KINDS
    retry_after: int = 1
    drip_interval: float = 0.02
    drip_chunks: int = 8
    _script: deque[_Scripted] = attrs.field(factory=deque, init=False)
    _seen: Counter[str] = attrs.field(factory=Counter, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def __attrs_post_init__(self) -> None:
        unknown = set(self.kinds) - set(ALL_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")

    def push(self, kind: FaultKind, times: int = 1, *, path: str | None = None) -> None:
        """The next `times` requests (whose path contains `path`, if given) get `kind`."""
        if kind not in ALL_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {ALL_KINDS}")
        with self._lock:
            self._script.append(_Scripted(kind, times, path))

    def clear(self) -> None:
        """Forget scripted faults and the per-request draw counters."""
        with self._lock:
            self._script.clear()
            self._seen.clear()

    def pick(self, method: str, path: str, query: str) -> FaultKind | None:
        """The fault for this request, or None."""
        with self._lock:
            for entry in self._script:
                if entry.path is None or entry.path in path:
                    entry.times -= 1
                    if entry.times <= 0:
                        self._script.remove(entry)
                    return entry.kind
            if self.rate <= 0 or not self.kinds:
                return None
            key = f"{method} {path}?{query}"
            self._seen[key] += 1
            digest = hashlib.blake2b(
                f"{self.seed}|{key}|{self._seen[key]}".encode(), digest_size=16
            ).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        if draw >= self.rate:
            return None
        return self.kinds[int.from_bytes(digest[8:], "big") % len(self.kinds)]
