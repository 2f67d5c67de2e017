"""`docmill user …`, `docmill token …` and `docmill api`: a real uvicorn process answering over loopback HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.cli.api import register
from docmill.config import Settings
from tests.api.conftest import Seeded
from tests.helpers import wait_for

cli = typer.Typer()
register(cli)
runner = CliRunner()

SERVER = "import typer\nfrom docmill.cli.api import register\napp = typer.Typer()\nregister(app)\napp()\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_user_and_token_commands(settings: Settings) -> None:
    no_tty = runner.invoke(cli, ["user", "create", "alice"])
    assert no_tty.exit_code == 1 and "--password-stdin" in no_tty.output

    created = runner.invoke(cli, ["user", "create", "alice", "--password-stdin"], input="a long password\n")
    assert created.exit_code == 0, created.output
    assert "alice created (admin)" in created.output  # the first user is an admin
    again = runner.invoke(cli, ["user", "create", "alice", "--password-stdin"], input="a long password\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = runner.invoke(cli, ["user", "create", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "shorter than 8" in short.output
    bob = runner.invoke(cli, ["user", "create", "bob", "--password-stdin", "--no-admin"], input="bobs password\n")
    assert bob.exit_code == 0 and "(admin)" not in bob.output
    assert "bob" in runner.invoke(cli, ["user", "list"]).output

    made = runner.invoke(cli, ["token", "create", "--name", "backup"])  # the only admin owns it by default
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("dm_") and "\n" not in token and "shown only this once" in made.stderr
    listed = runner.invoke(cli, ["token", "list"])
    assert listed.exit_code == 0 and "backup" in listed.output and token[:9] in listed.output
    assert token not in listed.output
    bobs = runner.invoke(cli, ["token", "create", "--user", "bob"])
    assert bobs.exit_code == 0 and bobs.stdout.strip() != token
    assert runner.invoke(cli, ["token", "create", "--user", "carol"]).exit_code == 1

    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/session/me", headers=headers).json()["user"]["username"] == "alice"
        revoked = runner.invoke(cli, ["token", "revoke", "1"])
        assert revoked.exit_code == 0 and "revoked" in revoked.output
        assert client.get("/api/session/me", headers=headers).status_code == 401
    assert runner.invoke(cli, ["token", "revoke", "999"]).exit_code == 1

    changed = runner.invoke(cli, ["user", "set-password", "bob", "--password-stdin"], input="a new password!\n")
    assert changed.exit_code == 0, changed.output


@pytest.fixture
def api_process(settings: Settings, seeded: Seeded) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DOCMILL_DATABASE_URL": str(settings.database_url),
        "DOCMILL_DATA_DIR": str(settings.data_dir),
        "DOCMILL_ADMIN_USER": "admin",
        "DOCMILL_ADMIN_PASSWORD": "from the environment",
        "DOCMILL_STT_URL": f"http://127.0.0.1:{_free_port()}",
        "DOCMILL_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, "api", "--port", str(port)], env=env, cwd=Path(__file__).parents[2]
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert proc.poll() is None, "docmill api exited"
        try:
            return httpx.get(f"{base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(up, 60, interval=0.2, message="docmill api did not answer /health within 60 s")
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_api_serves_over_http(api_process: str) -> None:
    with httpx.Client(base_url=api_process, timeout=20) as http:
        assert http.get("/ready").json()["ready"] is True
        assert http.get("/api/dashboard").status_code == 401
        # The first admin came from DOCMILL_ADMIN_USER / DOCMILL_ADMIN_PASSWORD at start-up.
        login = http.post("/api/session/login", json={"username": "admin", "password": "from the environment"})
        assert login.status_code == 200 and "docmill_session" in http.cookies
        csrf = login.json()["csrf_token"]
        dashboard = http.get("/api/dashboard")
        assert dashboard.status_code == 200 and len(dashboard.json()["queue_lag"]) >= 8
        created = http.post("/api/tokens", json={"name": "over http"}, headers={"X-CSRF-Token": csrf})
        token = created.json()["token"]
    with httpx.Client(base_url=api_process, timeout=20) as script:
        headers = {"Authorization": f"Bearer {token}"}
        assert script.get("/api/documents", headers=headers).json()["total"] == 5
        assert "docmill_queue_rows" in script.get("/metrics", headers=headers).text
        assert script.get("/").headers["content-type"].startswith("text/html")
        assert script.get("/", headers=headers).headers["x-frame-options"] == "SAMEORIGIN"

    # An anonymous upload is refused with 401 without the server waiting for its (huge, never sent) body.
    host, port = api_process.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(
            b"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 500000000\r\n\r\n--b\r\n"
        )
        answer = b""
        while b'"code"' not in answer:
            chunk = sock.recv(4096)
            assert chunk, f"connection closed: {answer!r}"
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401"), answer
    assert b'"code":"unauthorized"' in answer.replace(b" ", b"")
