"""Run stage code that parses untrusted files in a child process with memory, CPU and wall-time limits.

The child is long-lived (converter imports take seconds, so one process serves many jobs) and is
replaced after it dies. A segfault, a hang past the timeout or a memory blow-up fails that one job
with a readable reason; the worker that owns the sandbox carries on.

Protocol: length-prefixed pickles over the child's original stdout/stdin; the child's fd 1 is pointed
at stderr so a chatty library cannot corrupt the stream.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from typing import Any, BinaryIO

from docmill.errors import BackendUnavailableError, DocmillError, Permanent, PermanentStageError, Unavailable
from docmill.pipeline.sandbox_child import ChildFailure

_HEADER = struct.Struct("!Q")


class SandboxError(Permanent):
    """The file broke the parser: the sandboxed code crashed, hung or ran out of a resource on it.
    Retrying the same file cannot help, so the row fails at once."""


class SandboxUnavailable(Unavailable):
    """The sandbox could not run the job at all (its process could not be started or reached). Nothing is
    wrong with the file: the row waits and is tried again."""


def _write_frame(stream: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks = bytearray()
    while len(chunks) < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                raise TimeoutError
        chunk = os.read(fd, min(n - len(chunks), 1 << 20))
        if not chunk:
            raise EOFError
        chunks += chunk
    return bytes(chunks)


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(code).name
    except ValueError:
        return f"signal {code}"


class Sandbox:
    """One child process; `call` runs `module:function(payload)` in it."""

    def __init__(
        self,
        *,
        memory_limit_mb: int = 2048,
        name: str = "sandbox",
        preload: tuple[str, ...] = (),
    ) -> None:
        self.memory_limit_mb = memory_limit_mb
        self.name = name
        self.preload = preload
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    # ---- process management -------------------------------------------------------------------
    def _start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["DOCMILL_SANDBOX"] = "1"
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "docmill.pipeline.sandbox_child", str(self.memory_limit_mb), *self.preload],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None,
                env=env,
                close_fds=True,
            )
        except OSError as exc:
            raise SandboxUnavailable(
                f"the {self.name} process could not be started ({exc.strerror or exc})",
                "the job waits and is retried; check the worker's memory and process limits",
            ) from None
        self._proc = proc
        return proc

    def _kill(self) -> None:
        proc = self._proc
        self._proc = None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(Exception):
            proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(Exception):
                if stream:
                    stream.close()

    def close(self) -> None:
        with self._lock:
            self._kill()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    # ---- calls ----------------------------------------------------------------------------------
    def call(self, target: str, payload: Any, *, timeout_s: float, cpu_limit_s: float | None = None) -> Any:
        """Run `target` ("module:function") on payload in the child; raise SandboxError on crash/limit."""
        with self._lock:
            proc = self._proc if self._proc and self._proc.poll() is None else self._start()
            assert proc.stdin and proc.stdout
            try:
                _write_frame(proc.stdin, {"target": target, "payload": payload, "cpu_limit_s": cpu_limit_s})
            except (BrokenPipeError, OSError):
                self._kill()
                raise SandboxUnavailable(
                    f"the {self.name} process could not be reached", "the job waits and is retried"
                ) from None
            deadline = time.monotonic() + timeout_s
            fd = proc.stdout.fileno()
            try:
                (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
                response = pickle.loads(_read_exact(fd, size, deadline))
            except TimeoutError:
                self._kill()
                raise SandboxError(
                    f"timed out after {timeout_s:.0f} s and was stopped",
                    "the file may be hostile or too large; raise the stage timeout only if it is legitimate",
                ) from None
            except EOFError:
                raise self._death_error(proc) from None
        return self._unwrap(response)

    def _death_error(self, proc: subprocess.Popen[bytes]) -> SandboxError:
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        self._kill()
        if code is not None and code < 0:
            sig = -code
            if sig == signal.SIGXCPU:
                return SandboxError("exceeded its CPU time limit and was stopped", "the file may be hostile")
            if sig == signal.SIGKILL:
                return SandboxError(
                    f"was killed (SIGKILL), most likely for exceeding the memory limit of {self.memory_limit_mb} MB",
                    "the file may be hostile or too large",
                )
            return SandboxError(f"crashed with {_signal_name(sig)}", "the file is probably corrupt or hostile")
        return SandboxError(f"exited unexpectedly (exit code {code})", "see the worker log for details")

    def _unwrap(self, response: dict[str, Any]) -> Any:
        if response.get("ok"):
            return response["result"]
        message = response.get("message") or "failed"
        hint = response.get("hint")
        match ChildFailure(response["kind"]):
            case ChildFailure.MEMORY:
                raise SandboxError(
                    f"exceeded the memory limit of {self.memory_limit_mb} MB", "the file may be hostile or too large"
                )
            case ChildFailure.PERMANENT:
                raise PermanentStageError(message, hint)
            case ChildFailure.UNAVAILABLE:
                raise BackendUnavailableError(message, hint)
            case ChildFailure.INVALID:
                raise DocmillError(message, hint)
            case ChildFailure.ERROR:
                raise RuntimeError(message)
