"""`docmill serve`: the embedded database, migrations, and every docmill process under one supervisor.

Children are ordinary `docmill <command>` processes pointed at the same database URL. A child that
exits is restarted with exponential backoff (reset once it has run for a while). SIGTERM or Ctrl-C
stops the children (SIGTERM, then SIGKILL after a grace period) and then the embedded database, so
nothing is left behind; children also die with the supervisor if it is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from docmill.config import Settings

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
STABLE_AFTER_S = 60.0
MAX_BACKOFF_S = 60.0


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6").prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    args: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0
    next_start: float = 0.0
    backoff: float = 1.0
    history: list[int] = field(default_factory=list)  # pids, for tests and logs

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None


class Supervisor:
    def __init__(self, settings: Settings, database_url: str, children: list[Child], grace_s: float = 30.0) -> None:
        self.settings = settings
        self.database_url = database_url
        self.children = children
        self.grace_s = grace_s
        self._stop = threading.Event()

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["DOCMILL_DATABASE_URL"] = self.database_url
        env["DOCMILL_DATA_DIR"] = str(self.settings.data_dir)
        env["DOCMILL_SUPERVISED"] = "1"
        return env

    def _spawn(self, child: Child) -> None:
        command = [sys.executable, "-m", "docmill.cli.main", *child.args]
        child.proc = subprocess.Popen(command, env=self.child_env(), preexec_fn=_die_with_parent)
        child.started_at = time.monotonic()
        child.history.append(child.proc.pid)
        log.info("started %s (pid %s)", child.name, child.proc.pid)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        for child in self.children:
            self._spawn(child)
        try:
            while not self._stop.wait(0.5):
                now = time.monotonic()
                for child in self.children:
                    proc = child.proc
                    if proc is not None and proc.poll() is not None:
                        code = proc.returncode
                        ran = now - child.started_at
                        if ran >= STABLE_AFTER_S:
                            child.backoff = 1.0
                        child.proc = None
                        child.next_start = now + child.backoff
                        log.warning(
                            "%s exited with code %s after %.0f s; restarting in %.0f s",
                            child.name,
                            code,
                            ran,
                            child.backoff,
                        )
                        child.backoff = min(child.backoff * 2, MAX_BACKOFF_S)
                    if child.proc is None and now >= child.next_start and not self._stop.is_set():
                        child.restarts += 1
                        self._spawn(child)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        running = [c for c in self.children if c.proc is not None and c.proc.poll() is None]
        for child in running:
            with contextlib.suppress(ProcessLookupError):
                child.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + self.grace_s
        for child in running:
            assert child.proc is not None
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", child.name, self.grace_s)
                child.proc.kill()
                child.proc.wait(10)
        log.info("all docmill processes stopped")
