"""Files in the data directory are private: folders 0700, files 0600 (less under a stricter umask), and a
parent folder is never widened — neither by ingest nor by the embedded database's start."""

from __future__ import annotations

import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from docmill.config import Settings
from docmill.db.embedded import EmbeddedPostgres
from docmill.db.engine import Database
from docmill.errors import DatabaseError
from docmill.ingest.service import ingest_stream
from docmill.privacy import harden_umask, private_dir


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    before = os.umask(0o022)
    os.umask(before)
    yield
    os.umask(before)


@pytest.mark.parametrize("given", [0o022, 0o077])
def test_ingest_writes_private_files(umask: None, given: int, database: Database, settings: Settings) -> None:
    os.umask(given)
    assert harden_umask() == 0o077
    outer = Path(tempfile.mkdtemp(prefix="docmill-modes-", dir="/tmp"))  # 0700
    data = outer / "data"
    private_dir(data)
    result = ingest_stream(
        database,
        io.BytesIO(b"private words"),
        original_name="a.txt",
        settings=settings.model_copy(update={"data_dir": data}),
    )
    assert result.status == "added"
    stored = next(p for p in (data / "files").rglob("*") if p.is_file())
    assert mode(outer) == 0o700  # the parent is not widened
    for folder in (data, data / "files", stored.parent, data / "tmp"):
        assert mode(folder) == 0o700, folder
    assert mode(stored) == 0o600


def test_private_dir_leaves_existing_parents_alone(umask: None, tmp_path: Path) -> None:
    os.umask(0o022)
    parent = tmp_path / "parent"
    parent.mkdir(mode=0o755)
    parent.chmod(0o755)
    harden_umask()
    private_dir(parent / "a" / "b")
    assert (mode(parent), mode(parent / "a"), mode(parent / "a" / "b")) == (0o755, 0o700, 0o700)


@pytest.mark.skipif(os.geteuid() != 0, reason="the server's own OS user exists only when run as root")
def test_the_embedded_server_never_widens_a_parent(umask: None) -> None:
    os.umask(0o022)
    closed = Path(tempfile.mkdtemp(prefix="docmill-closed-", dir="/tmp"))  # 0700: the server cannot pass
    server = EmbeddedPostgres(closed / "data" / "pg")
    with pytest.raises(DatabaseError, match="does not widen"):
        server.start()
    assert mode(closed) == 0o700

    open_parent = Path(tempfile.mkdtemp(prefix="docmill-open-", dir="/tmp"))
    open_parent.chmod(0o755)
    data = open_parent / "data"
    data.mkdir(mode=0o700)
    server = EmbeddedPostgres(data / "pg")
    try:
        server.start()
        assert mode(open_parent) == 0o755
        assert mode(data) == 0o710  # only docmill and the server's user (group) pass
        assert mode(data / "pg") == 0o710
        assert mode(server.pgdata) == 0o700 and mode(server.secret_file) == 0o600
    finally:
        server.destroy()
