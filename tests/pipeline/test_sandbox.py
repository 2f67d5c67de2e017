"""The sandbox tells "could not run" (Unavailable: the row waits, retried) from "the file broke the parser"
(Permanent: the row fails now), and passes the stage's own error kinds through as types."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from docmill.errors import Permanent, Unavailable
from docmill.pipeline import sandbox as sandbox_module
from docmill.pipeline.sandbox import Sandbox, SandboxError, SandboxUnavailable
from docmill.pipeline.worker import Outcome, OutcomeKind, Worker

HANDLERS = "tests.pipeline.handlers"


@pytest.fixture
def box():  # type: ignore[no-untyped-def]
    sandbox = Sandbox(memory_limit_mb=512, name="test sandbox")
    try:
        yield sandbox
    finally:
        sandbox.close()


def test_a_crash_is_permanent(box: Sandbox) -> None:
    assert box.call(f"{HANDLERS}:segfault", 1, timeout_s=30) == 1
    with pytest.raises(SandboxError) as crash:
        box.call(f"{HANDLERS}:segfault", 2, timeout_s=30)
    assert isinstance(crash.value, Permanent) and not isinstance(crash.value, Unavailable)
    assert "SIGSEGV" in crash.value.message
    assert box.call(f"{HANDLERS}:segfault", 3, timeout_s=30) == 3  # a new child took over


def test_a_sandbox_that_cannot_start_is_unavailable(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(sandbox_module.subprocess, "Popen", no_processes)
    with pytest.raises(SandboxUnavailable) as refused:
        box.call(f"{HANDLERS}:segfault", 1, timeout_s=30)
    assert isinstance(refused.value, Unavailable) and not isinstance(refused.value, Permanent)
    assert "could not be started" in refused.value.message and "retried" in (refused.value.hint or "")


@pytest.mark.parametrize(
    "target,kind",
    [
        ("backend_down", OutcomeKind.WAIT),
        ("unsupported", OutcomeKind.PERMANENT),
        ("plain_bug", OutcomeKind.RETRY),
        ("segfault", OutcomeKind.PERMANENT),
    ],
)
def test_errors_from_the_child_become_typed_outcomes(box: Sandbox, target: str, kind: OutcomeKind) -> None:
    with pytest.raises(Exception) as raised:
        box.call(f"{HANDLERS}:{target}", 2, timeout_s=30)
    worker = Worker.__new__(Worker)  # only _failure is used: it needs no database
    spec, job = SimpleNamespace(name="extract"), SimpleNamespace(document_id=2)
    outcome = Worker._failure(worker, spec, job, raised.value)  # type: ignore[arg-type]
    assert isinstance(outcome, Outcome) and outcome.kind is kind, outcome
    assert outcome.message
