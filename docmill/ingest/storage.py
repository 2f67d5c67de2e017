"""Content-addressed storage of originals: `<data dir>/files/<sha[:2]>/<sha256>`.

Incoming bytes are spooled to a temporary file inside the data directory while they are hashed and
counted (so the size limit holds for streams of unknown length), then renamed into place; the same
content always lands on the same path, so storing it twice is harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from docmill.config import Settings
from docmill.privacy import private_dir, private_file

CHUNK = 1024 * 1024


class TooLargeError(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass
class Spooled:
    path: Path
    sha256: str
    size: int

    def discard(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def relative_path(sha256: str) -> str:
    """Where content with this hash lives, relative to `<data dir>/files`."""
    return f"{sha256[:2]}/{sha256}"


def spool_dir(settings: Settings) -> Path:
    return private_dir(settings.data_dir / "tmp")


def spool(stream: BinaryIO, settings: Settings, limit: int | None = None) -> Spooled:
    """Copy `stream` to a temporary file in the data directory, hashing it; TooLargeError past `limit` bytes."""
    limit = settings.max_upload_bytes if limit is None else limit
    digest = hashlib.sha256()
    size = 0
    fd, name = tempfile.mkstemp(prefix="ingest-", suffix=".part", dir=spool_dir(settings))
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise TooLargeError(limit)
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        raise
    return Spooled(path, digest.hexdigest(), size)


def place(spooled: Spooled, settings: Settings) -> str:
    """Move the spooled file to its content address (or drop it if that content is stored already)."""
    rel = relative_path(spooled.sha256)
    target = settings.files_dir / rel
    private_dir(target.parent)
    if target.exists() and target.stat().st_size == spooled.size:
        spooled.discard()
    else:
        private_file(spooled.path)
        os.replace(spooled.path, target)
    return rel
