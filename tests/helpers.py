"""Helpers for tests that run real workers against the test database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.pipeline.registry import STAGES, StageSpec, get_stage
from docmill.pipeline.worker import Worker
from docmill.stages.base import StageHandler


def active_rows(database: Database) -> int:
    with database.connect() as conn:
        return conn.execute(
            "SELECT count(*) FROM processing_queue WHERE status IN ('pending', 'processing')"
        ).fetchone()[0]


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.1, message: str = "") -> None:
    """Poll `condition` until true; fail with `message` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout} s")


def run_worker_until_idle(
    database: Database,
    settings: Settings,
    stages: Iterable[str] | None = None,
    *,
    timeout: float = 120,
    handlers: dict[str, StageHandler] | None = None,
    settle: float = 0.5,
) -> Worker:
    """Start an in-process worker, wait until no pending/processing rows remain (that are due), stop it."""
    specs: list[StageSpec] = [get_stage(s) for s in stages] if stages else list(STAGES)  # type: ignore[misc]
    worker = Worker(database, specs, settings=settings, handlers=handlers, grace_s=10)
    worker.start()
    try:
        names = [s.name for s in specs]

        def idle() -> bool:
            with database.connect() as conn:
                return (
                    conn.execute(
                        "SELECT count(*) FROM processing_queue WHERE stage::text = ANY(%s) AND "
                        "(status = 'processing' OR (status = 'pending' AND run_after <= now()))",
                        (names,),
                    ).fetchone()[0]
                    == 0
                )

        wait_for(idle, timeout, message=f"queue not idle after {timeout} s")
        time.sleep(settle)
        wait_for(idle, timeout, message=f"queue not idle after {timeout} s")
    finally:
        worker.stop()
        worker.join()
    return worker
