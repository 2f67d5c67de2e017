"""Private files: everything docmill writes is readable by docmill's own user only.

- `harden_umask()` adds 077 to the process's umask (a stricter one stays as it is), so every file and
  folder docmill creates — originals, derived files, exports, temporary files — is 0600 / 0700.
- `private_dir()` creates missing folders with 0700; it never changes a folder that exists already, so a
  parent is never widened.
- `private_file()` sets 0600 (less, under a stricter umask) on a file docmill moved into place.
- `fernet_key()` reads a Fernet key file, creating it first (0600 in a 0700 folder) when it is missing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

PRIVATE_UMASK = 0o077


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def harden_umask() -> int:
    """Make the umask at least 077; returns the one now in force."""
    mask = current_umask() | PRIVATE_UMASK
    os.umask(mask)
    return mask


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with mode 0700 each; existing folders are left alone."""
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            continue
        folder.chmod(0o700 & ~current_umask())  # mkdir's mode is masked anyway; this drops set-group bits
    return path


def private_file(path: Path) -> None:
    path.chmod(0o600 & ~current_umask())


def _create_key(path: Path) -> None:
    """Write a new key at `path` unless one appears there first (another process won the race)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-key-", dir=path.parent)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic, and never replaces a key that exists
    finally:
        os.unlink(tmp)


def fernet_key(path: Path) -> Fernet:
    """The Fernet of the key file at `path`, created on first use; OSError or ValueError when it is unusable."""
    if not path.exists():
        _create_key(path)
    return Fernet(path.read_bytes().strip())
