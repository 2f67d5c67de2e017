"""The embedded PostgreSQL's lifecycle: start, use, stop; SIGTERM and SIGKILL of its owner; db shell."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from docmill.config import Settings
from docmill.db.embedded import EmbeddedPostgres
from docmill.errors import ConfigError
from tests.helpers import wait_for

OWNER_SCRIPT = """
import sys, time
from pathlib import Path
from docmill.cli.common import exit_on_sigterm
from docmill.db.embedded import EmbeddedPostgres
exit_on_sigterm()
EmbeddedPostgres(Path(sys.argv[1])).start()
print("ready", flush=True)
time.sleep(600)
"""


def postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline", "status"]):
        try:
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if proc.info["name"] == "postgres" and str(pgdata) in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
        except psutil.Error:
            continue
    return found


@pytest.fixture
def base() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="docmill-embedded-", dir="/tmp"))
    try:
        yield folder / "pg"
    finally:
        server = EmbeddedPostgres(folder / "pg")
        server.destroy()
        assert postgres_processes(folder / "pg" / "data") == []


def start_owner(base: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(base)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "ready", proc.stderr.read() if proc.stderr else ""
    return proc


def test_start_use_stop(base: Path) -> None:
    server = EmbeddedPostgres(base)
    url = server.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1 + 1").fetchone()[0] == 2
        version = conn.execute("SHOW server_version_num").fetchone()[0]
        assert int(version) >= 180000
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    assert "host=" in url and "127.0.0.1" not in url  # unix socket only
    server.release()
    assert not server.is_running()
    assert postgres_processes(server.pgdata) == []


def test_two_owners_share_one_server_until_the_last_leaves(base: Path) -> None:
    owner = start_owner(base)
    server = EmbeddedPostgres(base)
    try:
        pid = server.server_pid()
        server.start()
        assert server.server_pid() == pid  # joined, not started twice
        server.release()
        assert server.is_running()  # the other owner is still alive
    finally:
        owner.send_signal(signal.SIGTERM)
        owner.wait(60)
    wait_for(lambda: not server.is_running(), 30, message="server not stopped by the last owner")


def test_sigterm_of_the_owner_stops_the_server(base: Path) -> None:
    owner = start_owner(base)
    server = EmbeddedPostgres(base)
    assert server.is_running()
    owner.send_signal(signal.SIGTERM)
    assert owner.wait(60) == 128 + signal.SIGTERM
    assert not server.is_running()
    assert postgres_processes(server.pgdata) == []
    # the next start works
    with psycopg.connect(server.start()) as conn:
        assert conn.execute("SELECT 1").fetchone()[0] == 1
    server.release()
    assert postgres_processes(server.pgdata) == []


def test_sigkill_of_the_owner_leaves_a_server_the_next_start_adopts(base: Path) -> None:
    owner = start_owner(base)
    server = EmbeddedPostgres(base)
    orphan = server.server_pid()
    os.kill(owner.pid, signal.SIGKILL)
    owner.wait(30)
    assert server.is_running() and server.live_owners() == []  # orphaned for now
    url = server.start()
    assert server.server_pid() == orphan  # adopted, not started twice
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone()[0] == 1
    server.release()
    assert not server.is_running()
    assert postgres_processes(server.pgdata) == []


def test_db_shell_runs_psql_on_a_fresh_install(tmp_path: Path) -> None:
    data = Path(tempfile.mkdtemp(prefix="docmill-fresh-", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMILL_")}
    env["DOCMILL_DATA_DIR"] = str(data)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "docmill.cli.main", "db", "shell", "--", "-At", "-c", "select 40 + 2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "42"
        assert postgres_processes(data / "pg" / "data") == []  # stopped again when the command ended
    finally:
        EmbeddedPostgres(data / "pg").destroy()


@pytest.mark.skipif(os.geteuid() != 0, reason="the /root rule applies when docmill runs as root")
def test_data_dir_under_root_is_refused_with_a_fix() -> None:
    with pytest.raises(ConfigError, match="outside /root"):
        Settings(data_dir=Path("/root/docmill-data"), database_url=None).validate_data_dir()
