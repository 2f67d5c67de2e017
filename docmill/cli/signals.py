"""Stopping long-running commands on Ctrl-C (SIGINT) and SIGTERM, quietly.

A signal handler runs between two bytecodes of the main thread, wherever it happens to be: inside a lock,
halfway through an import, in the middle of writing a line. So the handler here only records the signal
number in an attribute; the main thread polls for it, logs one "stopping…" line and asks the work to stop,
and the command returns normally (exit status 0). The work itself runs in a thread of its own.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

log = logging.getLogger("docmill")

POLL_S = 0.2  # how often the main thread looks at the flag
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Set by SIGINT or SIGTERM; read by the main loop."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def _record(self, signum: int, frame: FrameType | None) -> None:
        self.signum = signum  # nothing else here: no I/O, no locks, no imports

    def install(self) -> StopRequest:
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._record)
        return self

    @property
    def requested(self) -> bool:
        return self.signum is not None

    def wait(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds or until a stop signal arrived; True if one did."""
        deadline = time.monotonic() + timeout
        while self.signum is None:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_S, left))
        return True


def run_until_stopped(name: str, run: Callable[[], None], stop: Callable[[], None]) -> None:
    """Run `run()` in a thread until it returns or a stop signal arrives; then call `stop()` (which makes
    `run()` return), log "<name>: stopping…" once and wait for it. An exception from `run()` is raised here."""
    request = StopRequest().install()
    failure: list[BaseException] = []

    def body() -> None:
        try:
            run()
        except BaseException as exc:  # handed to the main thread, which raises it
            failure.append(exc)

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    while thread.is_alive():
        if request.wait(POLL_S):
            log.info("%s: stopping…", name)
            stop()
            while thread.is_alive():  # joined in short steps, so the main thread stays responsive
                thread.join(POLL_S)
    if failure:
        raise failure[0]


class _UvicornShutdown(logging.Filter):
    """uvicorn's four shutdown lines become one: "<name>: stopping…"."""

    QUIET = ("Waiting for application shutdown", "Application shutdown complete", "Finished server process")

    def __init__(self, name: str) -> None:
        super().__init__()
        self.process = name

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith("Shutting down"):
            record.msg, record.args = "%s: stopping…", (self.process,)
            return True
        return not message.startswith(self.QUIET)


def quiet_uvicorn(name: str) -> None:
    """For a command that serves HTTP with uvicorn: absorb the stop signal uvicorn raises again after its own
    shutdown (the command then exits 0, not with a KeyboardInterrupt) and keep its shutdown to one line."""
    StopRequest().install()
    logging.getLogger("uvicorn.error").addFilter(_UvicornShutdown(name))
