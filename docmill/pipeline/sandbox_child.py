"""The sandbox's child process: `python -m docmill.pipeline.sandbox_child MEMORY_MB [PRELOAD…]`.

Sets its own limits (address space, CPU per job), dies with its parent, and answers one request at
a time on its original stdout.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import resource
import signal
import struct
import sys
import traceback
from enum import StrEnum
from typing import Any

_HEADER = struct.Struct("!Q")


class ChildFailure(StrEnum):
    """Why a call failed inside the child, as the parent (docmill.pipeline.sandbox) reads it. Sent as the
    plain value: run as `-m`, this module is `__main__` in the child, so members would not unpickle."""

    MEMORY = "memory"  # MemoryError under the address-space limit: the file broke the parser
    PERMANENT = "permanent"  # a Permanent error the stage raised (unsupported, corrupt)
    UNAVAILABLE = "unavailable"  # an Unavailable error (a backend the stage needs is down): retried
    INVALID = "invalid"  # another DocmillError with a message and a hint
    ERROR = "error"  # any other exception (a bug, or a parser that fell over)


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _set_memory_limit(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _cpu_used() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _set_cpu_budget(seconds: float | None) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds is None:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        return
    soft = int(_cpu_used() + seconds) + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _resolve(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _read_exact(stream: Any, n: int) -> bytes | None:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _error_response(exc: BaseException) -> dict[str, Any]:
    from docmill.errors import DocmillError, Permanent, Unavailable  # noqa: PLC0415 (the child starts light)

    if isinstance(exc, MemoryError):
        return {"ok": False, "kind": ChildFailure.MEMORY.value}
    if isinstance(exc, DocmillError):
        kind = (
            ChildFailure.PERMANENT
            if isinstance(exc, Permanent)
            else ChildFailure.UNAVAILABLE
            if isinstance(exc, Unavailable)
            else ChildFailure.INVALID
        )
        return {"ok": False, "kind": kind.value, "message": exc.message, "hint": exc.hint}
    detail = str(exc).strip() or type(exc).__name__
    traceback.print_exception(exc, file=sys.stderr)
    return {"ok": False, "kind": ChildFailure.ERROR.value, "message": f"{type(exc).__name__}: {detail}"[:4000]}


def main(argv: list[str]) -> None:
    _die_with_parent()
    # Ctrl-C in a terminal reaches the whole process group; the worker decides when its children stop
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints go to stderr, never into the protocol stream
    memory_mb = int(argv[0]) if argv else 2048
    for module in argv[1:]:
        try:
            importlib.import_module(module)
        except Exception:
            traceback.print_exc()
    _set_memory_limit(memory_mb)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # SIGXCPU keeps its default action (terminate), which works even inside a C loop; the parent
    # reports it as a CPU limit.
    while True:
        header = _read_exact(proto_in, _HEADER.size)
        if header is None:
            return
        (size,) = _HEADER.unpack(header)
        body = _read_exact(proto_in, size)
        if body is None:
            return
        try:
            request = pickle.loads(body)
            _set_cpu_budget(request.get("cpu_limit_s"))
            try:
                result = _resolve(request["target"])(request["payload"])
            finally:
                _set_cpu_budget(None)
            response: dict[str, Any] = {"ok": True, "result": result}
        except BaseException as exc:
            response = _error_response(exc)
        try:
            data = pickle.dumps(response, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps(_error_response(exc), protocol=pickle.HIGHEST_PROTOCOL)
        proto_out.write(_HEADER.pack(len(data)) + data)
        proto_out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
