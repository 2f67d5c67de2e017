"""`docmill serve`: one command brings up the database, api, worker, STT service and collector; a crashed
child is restarted; SIGTERM stops everything, the database included, leaving no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import psutil

from docmill.db.embedded import EmbeddedPostgres
from tests.e2e.cluster import free_port
from tests.helpers import wait_for

REPO = Path(__file__).resolve().parents[2]


def children_by_command(proc: psutil.Process) -> dict[str, psutil.Process]:
    found = {}
    for child in proc.children(recursive=False):
        try:
            args = child.cmdline()
        except psutil.Error:
            continue
        if "docmill.cli.main" in args:
            found[args[args.index("docmill.cli.main") + 1]] = child
    return found


def _start_serve(prefix: str, *, own_group: bool = False) -> tuple[subprocess.Popen[bytes], Path, int, Path]:
    """`docmill serve` on a fresh data dir and free ports, its output in `<data>/serve.log`."""
    data = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    port, stt_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCMILL_")}
    env.update(
        DOCMILL_DATA_DIR=str(data),
        DOCMILL_STT_PORT=str(stt_port),
        DOCMILL_STT_URL=f"http://127.0.0.1:{stt_port}",
        COLUMNS="200",
    )
    log = data / "serve.log"
    with open(log, "wb") as out:
        serve = subprocess.Popen(
            [sys.executable, "-m", "docmill.cli.main", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,  # its own process group, as a terminal's foreground job
        )
    return serve, data, port, log


def test_serve_runs_everything_restarts_crashes_and_stops_cleanly() -> None:
    serve, data, port, log = _start_serve("docmill-serve-")
    supervisor = psutil.Process(serve.pid)
    try:
        wait_for(lambda: "press Ctrl-C to stop" in log.read_text(), 240, interval=0.5, message=log.read_text())
        text = log.read_text()
        assert f"http://127.0.0.1:{port}" in text
        assert "log in as admin with password" in text
        assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=10).json()["ready"] is True
        assert httpx.get(f"http://127.0.0.1:{port}/api/dashboard", timeout=10).status_code == 401
        children = children_by_command(supervisor)
        assert {"api", "worker", "stt-server", "collector"} <= set(children)

        crashed = children["worker"]
        crashed.kill()
        wait_for(
            lambda: (
                "worker" in children_by_command(supervisor)
                and children_by_command(supervisor)["worker"].pid != crashed.pid
            ),
            60,
            message="the worker was not restarted",
        )
        everything = [*supervisor.children(recursive=True)]
        server = EmbeddedPostgres(data / "pg")
        postmaster = server.server_pid()
        assert postmaster is not None
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(120)
    assert code == 0, log.read_text()[-3000:]
    assert "docmill stopped" in log.read_text()
    _gone, alive = psutil.wait_procs(everything, timeout=30)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    assert not server.is_running()
    assert not psutil.pid_exists(postmaster) or psutil.Process(postmaster).status() == psutil.STATUS_ZOMBIE
    server.destroy()


def test_ctrl_c_to_the_process_group_stops_everything_quietly() -> None:
    """Ctrl-C in a terminal sends SIGINT to the whole foreground process group: the supervisor and each child.
    Every process notices it in its main loop, says "stopping…" once and exits 0: no traceback anywhere."""
    serve, data, _port, log = _start_serve("docmill-ctrl-c-", own_group=True)
    supervisor = psutil.Process(serve.pid)
    try:
        wait_for(lambda: "press Ctrl-C to stop" in log.read_text(), 240, interval=0.5, message=log.read_text())
        started = ("running stages", "collector running", "STT model", "Application startup complete")
        wait_for(  # every child is up (a child still importing ignores Ctrl-C; the supervisor's SIGTERM stops it)
            lambda: all(line in log.read_text() for line in started), 120, interval=0.5, message=log.read_text()
        )
        everything = [*supervisor.children(recursive=True)]
        os.killpg(serve.pid, signal.SIGINT)
        code = serve.wait(120)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-5000:]
    for name in ("docmill", "api", "stt", "worker", "collector"):
        assert text.count(f"{name}: stopping…") == 1, (name, text[-3000:])
    assert text.rstrip().endswith("docmill stopped"), text[-1000:]
    assert "Shutting down" not in text and "Finished server process" not in text
    _gone, alive = psutil.wait_procs(everything, timeout=30)
    assert [p for p in alive if p.status() != psutil.STATUS_ZOMBIE] == []
    EmbeddedPostgres(data / "pg").destroy()
