"""One export at a time per destination: a lock object with an owner token and a lease.

The lock is `export.lock`, made with an exclusive create (S3 `If-None-Match: *`, a local
hard link), so of two exports that start together exactly one gets it; the other stops
before reading any page of the API. The holder renews the lease while it runs (from a
thread of its own, so a renewal never waits on the event loop and the export's own
exceptions are never wrapped in a task group's) and deletes the lock when it stops. A
holder that died leaves its lock behind: it is taken over when its lease has run out, or at
once when it was a process on this machine that is gone (a killed export is resumed by
running it again). Before it publishes, the holder checks that the lock still carries its
token, so an export whose lease was taken over stops instead of writing over its successor.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid

import attrs

from ._export_target import ExportError, ExportTarget

__all__ = ["LOCK", "Lease"]

LOCK = "export.lock"


class _TakenOver(ExportError):
    """Another export holds the lock now."""


@attrs.frozen
class _Holder:
    owner: str
    host: str
    pid: int
    run_test: str
    expires: float

    def encode(self) -> bytes:
        return json.dumps(attrs.asdict(self)).encode()

    @classmethod
    def decode(cls, data: bytes) -> _Holder | None:
        try:
            raw = json.loads(data)
            return cls(
                str(raw["owner"]),
                str(raw["host"]),
                int(raw["pid"]),
                str(raw["run_test"]),
                float(raw["expires"]),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def gone(self, now: float) -> bool:
        if now >= self.expires:
            return True
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:  # alive, someone else's
            return False
        return False


class Lease:
    """The held lock of one export; `renew()` while running, `release()` at the end."""

    def __init__(self, target: ExportTarget, run_test: str, seconds: float):
        self._target = target
        self._path = target.path(LOCK)
        self._run_test = run_test
        self.seconds = seconds
        self._owner = uuid.uuid4().hex
        self._held = False
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._lost: ExportError | None = None

    def _record(self) -> bytes:
        return _Holder(
            self._owner,
            socket.gethostname(),
            os.getpid(),
            self._run_test,
            time.time() + self.seconds,
        ).encode()

    def acquire(self) -> None:
        target = self._target
        with target.errors("taking the export lock"):
            for _ in range(3):
                if target.create(self._path, self._record()):
                    self._held = True
                    return
                data = target.read(self._path)
                if data is None:
                    continue  # released meanwhile
                holder = _Holder.decode(data)
                if holder is not None and not holder.gone(time.time()):
                    raise ExportError(
                        f"another export is writing to {target.display} (run test "
                        f"{holder.run_test!r}, pid {holder.pid} on {holder.host}, lease until "
                        f"{time.strftime('%H:%M:%S', time.localtime(holder.expires))}); wait "
                        "for it, or rerun once its lease has run out if it died"
                    )
                target.remove(self._path)  # a dead holder's
        raise ExportError(f"another export is writing to {target.display}")

    def start_renewing(self) -> None:
        """Renew every third of the lease until `release()`, from a thread."""
        self._renewer = threading.Thread(
            target=self._renew_until_stopped, name="futureagi-export-lease", daemon=True
        )
        self._renewer.start()

    def _renew_until_stopped(self) -> None:
        renewed = time.monotonic()
        while not self._stop.wait(self.seconds / 3):
            try:
                self.renew()
            except _TakenOver as exc:
                self._lost = exc  # raised by the export's next write
                return
            except ExportError as exc:
                # A failed request: tried again at the next tick, until the lease is out.
                if time.monotonic() - renewed >= self.seconds:
                    self._lost = exc
                    return
            else:
                renewed = time.monotonic()

    def raise_if_lost(self) -> None:
        if self._lost is not None:
            raise self._lost

    def check(self) -> None:
        """Still ours? Raises when another export took the lock over."""
        self.raise_if_lost()
        with self._target.errors("checking the export lock"):
            data = self._target.read(self._path)
        holder = None if data is None else _Holder.decode(data)
        if holder is None or holder.owner != self._owner:
            self._held = False
            raise _TakenOver(
                f"{self._target.display}: this export's lock was taken over (its lease ran "
                "out); stopped without publishing"
            )

    def renew(self) -> None:
        self.check()
        with self._target.errors("renewing the export lock"):
            self._target.put(self._path, self._record())

    def release(self) -> None:
        """Stop renewing, then delete the lock if it is still ours. Blocks: run in a thread."""
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if not self._held:
            return
        self._held = False
        with self._target.errors("releasing the export lock"):
            data = self._target.read(self._path)
            holder = None if data is None else _Holder.decode(data)
            if holder is not None and holder.owner == self._owner:
                self._target.remove(self._path)
