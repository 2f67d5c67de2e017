"""The database tests again, against a server given by URL (the embedded binaries on a TCP port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from docmill.db.embedded import EmbeddedPostgres
from docmill.db.migrate import ensure_extensions_available
from docmill.errors import DatabaseError

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def tcp_server():
    base = Path(tempfile.mkdtemp(prefix="docmill-tcp-pg-", dir="/tmp")) / "pg"
    server = EmbeddedPostgres(base, port=free_port(), settings={"fsync": "off"})
    server.start()
    try:
        yield server
    finally:
        server.destroy()


@pytest.mark.skipif(bool(os.environ.get("DOCMILL_TEST_DATABASE_URL")), reason="already running against a URL")
def test_database_suite_passes_against_an_external_url(tcp_server: EmbeddedPostgres) -> None:
    url = tcp_server.url("postgres")
    assert url.startswith("postgresql://postgres:") and "@127.0.0.1:" in url  # with its password
    env = {**os.environ, "DOCMILL_TEST_DATABASE_URL": url}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/db/test_migrations.py",
            "tests/db/test_drift.py",
            "tests/pipeline/test_queue.py",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


DEBIAN_PG15 = Path("/usr/lib/postgresql/15/bin")


@pytest.mark.skipif(not (DEBIAN_PG15 / "postgres").exists(), reason="Debian's PostgreSQL 15 server is not installed")
def test_server_without_pgvector_is_reported_with_the_fix() -> None:
    """Debian's PostgreSQL 15 has no pgvector package: `docmill migrate` must say so and how to fix it."""
    base = Path(tempfile.mkdtemp(prefix="docmill-pg15-", dir="/tmp")) / "pg"
    server = EmbeddedPostgres(base, port=free_port(), bin_dir=DEBIAN_PG15)
    server.start()
    try:
        with pytest.raises(DatabaseError) as excinfo:
            ensure_extensions_available(server.url())
        assert "has no pgvector extension" in excinfo.value.message
        assert "install pgvector" in (excinfo.value.hint or "")
        env = {**os.environ, "DOCMILL_DATABASE_URL": server.url()}
        result = subprocess.run(
            [sys.executable, "-m", "docmill.cli.main", "migrate"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1
        assert "no pgvector extension" in result.stderr and "what to do" in result.stderr
    finally:
        server.destroy()
