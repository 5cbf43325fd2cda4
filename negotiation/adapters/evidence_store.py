"""Where evidence files live: on disk by default, behind an interface an object store fits.

The database keeps what a file is (name, type, size, digest, key); the bytes live here,
so the database stays small and an S3-like store can replace the disk without the
service noticing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol


class EvidenceStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Every key the store holds, with when it was written."""
        ...


class FileEvidenceStore:
    """Files under one folder, one per key, each written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError(f"evidence key {key!r} leaves the store")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write aside and rename: a reader never sees half a file, a crash leaves none.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def stored(self) -> Iterator[tuple[str, datetime]]:
        """Files and half-written uploads alike (a process killed mid-write leaves one)."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file():
                written = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
                yield path.relative_to(self.root).as_posix(), written
