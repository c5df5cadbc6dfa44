"""Where an export goes: a local directory or an object-store prefix, through fsspec.

fsspec rather than `pyarrow.fs`: the export's lock needs an exclusive create, which fsspec
has (`s3fs` sends `If-None-Match: *`, the local filesystem `O_EXCL`) and `pyarrow.fs` has
not; `s3fs`, `gcsfs` and `adlfs` read credentials as boto3 and the clouds' own SDKs do; and
pyarrow writes Parquet into an fsspec file as well as into its own. Credentials come only
from the environment or the SDKs' config files (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
`AWS_ENDPOINT_URL` for an S3-compatible store such as MinIO); a URL that carries them is
refused, and no message here ever shows them.

Every write is whole or absent: on an object store one PUT (or a multipart upload that is
completed only at the end), on a local disk a hidden temporary file renamed into place.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ._errors import FutureAGIError
from ._extras import install_hint

__all__ = ["SCHEMES", "ExportError", "ExportTarget", "open_target"]

#: URL schemes an export writes to, and the package (and extra) each needs beyond fsspec.
SCHEMES = {
    "file": None,
    "s3": ("s3fs", "s3"),
    "s3a": ("s3fs", "s3"),
    "gs": ("gcsfs", "gcs"),
    "gcs": ("gcsfs", "gcs"),
    "az": ("adlfs", "azure"),
    "abfs": ("adlfs", "azure"),
    "abfss": ("adlfs", "azure"),
}


class ExportError(FutureAGIError):
    """The export cannot go ahead as asked: an unknown scheme or format, a missing bucket,
    credentials the store refuses, another export's files or lock, a failed write."""


def _storage_failures() -> tuple[type[BaseException], ...]:
    """What the filesystems raise: OSError (s3fs maps most S3 errors to it) and botocore's
    own errors (no credentials at all, an unreachable endpoint)."""
    failures: list[type[BaseException]] = [OSError, ValueError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        pass
    else:
        failures += [BotoCoreError, ClientError]
    return tuple(failures)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "access denied: check the storage credentials and their permissions"
    if type(exc).__name__ in {"NoCredentialsError", "PartialCredentialsError"}:
        return "no storage credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
    if isinstance(exc, FileNotFoundError):
        return f"not found ({exc.strerror or exc})"
    text = str(exc).strip().splitlines()
    return f"{text[0] if text else type(exc).__name__}"


class ExportTarget:
    """A directory or prefix, with the few operations the export's protocol uses."""

    def __init__(self, fs: Any, root: str, display: str, *, local: bool):
        self.fs = fs
        self.root = root.rstrip("/")
        #: The destination as the user gave it, without anything secret: for messages.
        self.display = display
        self.local = local

    def __repr__(self) -> str:
        return f"ExportTarget({self.display!r})"

    def path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Storage failures as one typed error that names the destination, not the keys."""
        try:
            yield
        except ExportError:
            raise
        except _storage_failures() as exc:
            raise ExportError(f"{self.display}: {doing}: {_reason(exc)}") from None

    # --- reads --------------------------------------------------------------------------

    def read(self, path: str) -> bytes | None:
        """The object's bytes, or None when there is none."""
        try:
            data: bytes = self.fs.cat_file(path)
        except FileNotFoundError:
            return None
        return data

    def names(self, path: str) -> list[str]:
        """The names directly under `path` (files and directories); [] when there are none."""
        try:
            entries = self.fs.ls(path, detail=False)
        except FileNotFoundError:
            return []
        base = path.rstrip("/") + "/"
        return sorted({e.rstrip("/").rsplit("/", 1)[-1] for e in entries if e.startswith(base)})

    def exists(self, path: str) -> bool:
        return bool(self.fs.exists(path))

    # --- writes -------------------------------------------------------------------------

    def put(self, path: str, data: bytes) -> None:
        """Write a whole object: a reader sees the old one or the new one, never a part."""
        if self.local:
            with self.stream(path) as handle:
                handle.write(data)
        else:
            self.fs.pipe_file(path, data)

    def put_many(self, objects: dict[str, bytes]) -> None:
        """`put` each, concurrently on an object store (s3fs sends the PUTs together)."""
        if self.local or len(objects) < 2:
            for path, data in objects.items():
                self.put(path, data)
        else:
            self.fs.pipe(objects)

    def read_many(self, paths: list[str]) -> list[bytes]:
        """The objects' bytes in the order asked, fetched concurrently on an object store.
        A missing one raises FileNotFoundError. (The paths hold no glob characters: every
        name in them is percent-encoded.)"""
        if self.local or len(paths) < 2:
            return [self.fs.cat_file(path) for path in paths]
        found = self.fs.cat(paths)
        return [found[path] for path in paths]

    def create(self, path: str, data: bytes) -> bool:
        """Write `path` only if nothing is there, atomically; False when something is."""
        if self.local:
            # A link cannot replace a file: an atomic create that comes with its content.
            temporary = self._hidden(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Path(temporary).write_bytes(data)
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
            finally:
                os.unlink(temporary)
            return True
        try:
            self.fs.pipe_file(path, data, mode="create")
        except FileExistsError:
            return False
        return True

    @contextmanager
    def stream(self, path: str) -> Iterator[IO[bytes]]:
        """A file to write `path` through, published only when the block ends normally."""
        if self.local:
            temporary = self._hidden(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            try:
                with open(temporary, "wb") as handle:
                    yield handle
                os.replace(temporary, path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            return
        handle = self.fs.open(path, "wb", autocommit=False)
        try:
            yield handle
            handle.close()
            handle.commit()
        except BaseException:
            # Closed first (a file is committed or discarded once closed), then discarded:
            # the multipart upload is aborted and nothing appears.
            with suppress(*_storage_failures()):
                handle.close()
            handle.discard()
            raise

    def remove(self, path: str) -> None:
        with suppress(FileNotFoundError):
            self.fs.rm_file(path)

    def remove_tree(self, path: str) -> None:
        with suppress(FileNotFoundError):
            self.fs.rm(path, recursive=True)

    def remove_if_empty(self, path: str) -> None:
        """Remove a local directory that holds nothing (an object store has none to remove)."""
        if self.local and not self.names(path):
            with suppress(OSError):
                self.fs.rmdir(path)

    @staticmethod
    def _hidden(path: str) -> str:
        # Readers and the export itself skip names that start with a dot.
        head, _, name = path.rpartition("/")
        return f"{head}/.{name}.{uuid.uuid4().hex[:12]}.tmp"


def open_target(destination: str | os.PathLike[str]) -> ExportTarget:
    """A local path, `file://`, `s3://`, `gs://` or `az://` URL as an `ExportTarget`.

    Checks only what needs no request (the scheme, the package behind it); the first write
    (the export's lock) finds a missing bucket or refused credentials.
    """
    try:
        from fsspec.core import url_to_fs
        from fsspec.implementations.local import LocalFileSystem, make_path_posix
    except ImportError:
        raise ExportError(
            f"the export writer needs fsspec: {install_hint('cli')} "
            "(or the 's3', 'gcs' or 'azure' extra)"
        ) from None
    if isinstance(destination, os.PathLike) or "://" not in destination:
        # Forward slashes, as fsspec lists them (a Windows path too).
        root = make_path_posix(os.path.abspath(os.fspath(destination)))
        return ExportTarget(LocalFileSystem(), root, os.fspath(destination), local=True)
    parts = urlsplit(destination)
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise ExportError(
            f"{scheme}://: put storage credentials in the environment (AWS_ACCESS_KEY_ID, "
            "AWS_SECRET_ACCESS_KEY), not in the URL"
        )
    shown = f"{scheme}://{parts.netloc}{parts.path}"
    if scheme not in SCHEMES:
        known = ", ".join(f"{s}://" for s in ("file", "s3", "gs", "az"))
        raise ExportError(
            f"{shown}: unknown storage scheme {scheme!r}; export writes to a local path or {known}"
        )
    if scheme == "file":
        root = make_path_posix(url2pathname(parts.path) or "/")
        return ExportTarget(LocalFileSystem(), root, shown, local=True)
    if not parts.netloc:
        raise ExportError(f"{shown}: name a bucket ({scheme}://BUCKET/PREFIX/)")
    package, extra = SCHEMES[scheme] or ("", "")
    try:
        # A fresh instance: credentials are read now, not from an earlier cached one; and
        # no listing cache, since another process may be writing the same prefix.
        fs, root = url_to_fs(destination, skip_instance_cache=True, use_listings_cache=False)
    except ImportError:
        raise ExportError(f"{shown}: needs {package}: {install_hint(extra)}") from None
    except _storage_failures() as exc:
        raise ExportError(f"{shown}: {_reason(exc)}") from None
    return ExportTarget(fs, root, shown, local=False)
