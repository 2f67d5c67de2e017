"""The worker process: claims rows per stage, runs the stage, completes and chains them.

Threads, per process:
- runners: `concurrency` per stage; each claims a batch, runs it (sandboxed stages in a child process
  per runner), then finishes the whole batch in one transaction;
- a heartbeat thread extending the leases of every held row, running stale recovery periodically and
  warning about rows whose stage this code does not know;
- a listener on LISTEN docmill_queue that wakes the runners of a stage (polling is the fallback).

SIGTERM / stop(): runners stop claiming; in-flight batches get `grace_s` to finish, then their rows are
released back to pending (the attempt is not spent) and the process exits.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import psycopg
import sqlalchemy.exc
from psycopg import sql

from docmill.config import Settings, get_settings
from docmill.db.check import require_compatible_schema
from docmill.db.engine import Database
from docmill.errors import Permanent, Unavailable
from docmill.models import Document
from docmill.pipeline import queue
from docmill.pipeline.registry import STAGE_NAMES, StageSpec
from docmill.pipeline.sandbox import Sandbox
from docmill.pipeline.sql import QUERIES
from docmill.stages.base import StageContext, StageHandler

log = logging.getLogger(__name__)


class _UnknownStage(NamedTuple):
    stage: str
    n: int


NOTIFY_CHANNEL = "docmill_queue"


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def load_handler(spec: StageSpec) -> StageHandler:
    module_name, _, attr = spec.handler.partition(":")
    handler = getattr(importlib.import_module(module_name), attr)
    if not isinstance(handler, StageHandler):
        raise TypeError(f"{spec.handler} is not a StageHandler")
    return handler


class OutcomeKind(StrEnum):
    """What a job's run means for its queue row (the one place errors turn into queue behaviour)."""

    DONE = "done"  # store the result, complete the row, chain the successors
    GONE = "gone"  # the document was deleted meanwhile: complete the row, store nothing
    PERMANENT = "permanent"  # a Permanent error (or the file broke the sandbox): fail the row now
    WAIT = "wait"  # an Unavailable error (a backend is down): back off without spending the attempt
    RELEASE = "release"  # the database went away mid-job: give the row back untouched
    RETRY = "retry"  # any other error: fail this attempt, retried with backoff while attempts remain


DOCUMENT_GONE = "document deleted"  # the note of a row completed for a deleted document


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    result: Any = None
    message: str = ""


@dataclass
class _Held:
    """Rows this worker holds, by lease length, for the heartbeat."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    rows: dict[int, float] = field(default_factory=dict)

    def add(self, ids: Sequence[int], lease_s: float) -> None:
        with self.lock:
            for i in ids:
                self.rows[i] = lease_s

    def remove(self, ids: Sequence[int]) -> None:
        with self.lock:
            for i in ids:
                self.rows.pop(i, None)

    def by_lease(self) -> dict[float, list[int]]:
        with self.lock:
            out: dict[float, list[int]] = {}
            for i, lease in self.rows.items():
                out.setdefault(lease, []).append(i)
            return out

    def all(self) -> list[int]:
        with self.lock:
            return list(self.rows)


class Worker:
    def __init__(
        self,
        db: Database,
        stages: Sequence[StageSpec],
        *,
        settings: Settings | None = None,
        concurrency: int | None = None,
        worker_id: str | None = None,
        handlers: dict[str, StageHandler] | None = None,
        handler_targets: dict[str, str] | None = None,
        grace_s: float = 30.0,
        check_schema: bool = True,
    ) -> None:
        self.db = db
        self.settings = settings or get_settings()
        lease = self.settings.worker_lease_s
        self.stages = [dataclasses.replace(s, lease_s=lease) if lease else s for s in stages]
        self.concurrency = concurrency or self.settings.worker_concurrency
        self.worker_id = worker_id or new_worker_id()
        self.grace_s = grace_s
        self.check_schema = check_schema
        self.ctx = StageContext(settings=self.settings, worker_id=self.worker_id)
        self._handlers = dict(handlers or {})
        self._targets = dict(handler_targets or {})
        # An injected handler runs in-process unless a sandbox target is given for it too.
        self._inline = {name for name in self._handlers if name not in self._targets}
        self._stopping = threading.Event()
        self._wake = {s.name: threading.Event() for s in self.stages}
        self._held = _Held()
        self._threads: list[threading.Thread] = []
        self.processed = 0

    # ---- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        if self.check_schema:
            require_compatible_schema(self.db.url)
        for spec in self.stages:
            self.handler_for(spec)  # fail fast on a broken handler import
            for slot in range(self.concurrency or spec.concurrency):
                t = threading.Thread(
                    target=self._runner, args=(spec, slot), name=f"run-{spec.name}-{slot}", daemon=True
                )
                self._threads.append(t)
        self._threads.append(threading.Thread(target=self._heartbeat_loop, name="heartbeat", daemon=True))
        self._threads.append(threading.Thread(target=self._listen_loop, name="listener", daemon=True))
        for t in self._threads:
            t.start()
        log.info("worker %s running stages %s", self.worker_id, ", ".join(s.name for s in self.stages))

    def stop(self) -> None:
        self._stopping.set()
        for ev in self._wake.values():
            ev.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def join(self) -> None:
        """Wait for runners after stop(): up to grace_s, then release what is still held."""
        deadline = time.monotonic() + self.grace_s
        for t in self._threads:
            if t.name.startswith("run-"):
                t.join(max(0.0, deadline - time.monotonic()))
        leftover = self._held.all()
        if leftover:
            log.warning("releasing %d rows still in flight after the %.0f s grace period", len(leftover), self.grace_s)
            try:
                with self.db.connect() as conn:
                    queue.release(conn, leftover, self.worker_id)
                    conn.commit()
            except Exception as exc:  # the lease will expire and recovery will take them
                log.error("could not release rows (%s); stale recovery will return them", exc)

    def run_forever(self) -> None:
        self.start()
        try:
            while not self._stopping.wait(1.0):
                pass
        finally:
            self.stop()
            self.join()

    # ---- handlers -------------------------------------------------------------------------------
    def handler_for(self, spec: StageSpec) -> StageHandler:
        if spec.name not in self._handlers:
            self._handlers[spec.name] = load_handler(spec)
        return self._handlers[spec.name]

    def _target(self, spec: StageSpec) -> str:
        return self._targets.get(spec.name) or f"{spec.handler}.run"

    # ---- runner ---------------------------------------------------------------------------------
    def _runner(self, spec: StageSpec, slot: int) -> None:
        sandbox = (
            Sandbox(
                memory_limit_mb=spec.memory_limit_mb,
                name=f"{spec.name} sandbox",
                preload=(self._target(spec).partition(":")[0],),
            )
            if spec.sandboxed and spec.name not in self._inline
            else None
        )
        conn: psycopg.Connection[Any] | None = None
        idle = self.settings.worker_poll_interval
        try:
            while not self.stopping:
                try:
                    if conn is None or conn.closed:
                        conn = self.db.connect()
                    jobs = queue.claim(conn, spec.name, spec.batch_size, self.worker_id, spec.lease_s)
                    conn.commit()
                except psycopg.Error as exc:
                    log.warning("claim for %s failed (%s); retrying", spec.name, str(exc).strip())
                    if conn is not None:
                        conn.close()
                    conn = None
                    self._stopping.wait(min(idle, 2.0))
                    continue
                if not jobs:
                    self._wake[spec.name].wait(idle)
                    self._wake[spec.name].clear()
                    continue
                self._held.add([j.id for j in jobs], spec.lease_s)
                try:
                    self._process_batch(spec, jobs, sandbox)
                except Exception:
                    # Never let a runner die: the rows' leases expire and stale recovery retries them.
                    log.exception("a %s batch could not be finished", spec.name)
                    self._stopping.wait(1.0)
                finally:
                    self._held.remove([j.id for j in jobs])
        finally:
            if sandbox is not None:
                sandbox.close()
            if conn is not None:
                conn.close()

    def _failure(self, spec: StageSpec, job: queue.Job, exc: BaseException) -> Outcome:
        """How an exception from a stage affects its row."""
        if isinstance(exc, Permanent):
            return Outcome(OutcomeKind.PERMANENT, message=str(exc))
        if isinstance(exc, Unavailable):
            return Outcome(OutcomeKind.WAIT, message=str(exc))
        if isinstance(exc, psycopg.OperationalError | sqlalchemy.exc.OperationalError):
            # the database went away mid-job: give the row back without spending the attempt
            log.warning("database unavailable while running %s: %s", spec.name, str(exc).strip().splitlines()[0])
            return Outcome(OutcomeKind.RELEASE, message=str(exc))
        log.error("stage %s failed for document %s", spec.name, job.document_id, exc_info=exc)
        return Outcome(OutcomeKind.RETRY, message=f"{type(exc).__name__}: {str(exc).strip() or 'no details'}")

    def _prepare(self, spec: StageSpec, handler: StageHandler, job: queue.Job) -> tuple[Any, Outcome | None]:
        """The job's payload, or the outcome that makes running it moot (document gone, prepare failed)."""
        try:
            with self.db.session() as session:
                document = session.get(Document, job.document_id)
                if document is None or document.deleted_at is not None:
                    return None, Outcome(OutcomeKind.GONE, message=DOCUMENT_GONE)
                return handler.prepare(self.ctx, session, document), None
        except Exception as exc:
            return None, self._failure(spec, job, exc)

    def _run_one(self, spec: StageSpec, handler: StageHandler, job: queue.Job, sandbox: Sandbox | None) -> Outcome:
        payload, early = self._prepare(spec, handler, job)
        if early is not None:
            return early
        try:
            if sandbox is not None:
                result = sandbox.call(
                    self._target(spec), payload, timeout_s=spec.timeout_s, cpu_limit_s=spec.cpu_limit_s
                )
            else:
                result = handler.run(payload)
            return Outcome(OutcomeKind.DONE, result)
        except Exception as exc:
            return self._failure(spec, job, exc)

    def _run_together(self, spec: StageSpec, handler: StageHandler, jobs: list[queue.Job]) -> list[Outcome]:
        """Stages that override run_batch get the whole claimed batch at once (one model call for all)."""
        outcomes: list[Outcome | None] = []
        ready: list[tuple[int, Any]] = []
        for i, job in enumerate(jobs):
            payload, early = self._prepare(spec, handler, job)
            outcomes.append(early)
            if early is None:
                ready.append((i, payload))
        if ready:
            try:
                results: list[Any] = list(handler.run_batch([p for _, p in ready]))
                if len(results) != len(ready):
                    raise RuntimeError(f"run_batch returned {len(results)} results for {len(ready)} payloads")
            except Exception as exc:
                results = [exc] * len(ready)
            for (i, _), result in zip(ready, results, strict=True):
                job = jobs[i]
                outcomes[i] = (
                    self._failure(spec, job, result)
                    if isinstance(result, BaseException)
                    else Outcome(OutcomeKind.DONE, result)
                )
        return [o for o in outcomes if o is not None]

    def _process_batch(self, spec: StageSpec, jobs: list[queue.Job], sandbox: Sandbox | None) -> None:
        handler = self.handler_for(spec)
        outcomes: list[tuple[queue.Job, Outcome]] = []
        if sandbox is None and type(handler).run_batch is not StageHandler.run_batch:
            outcomes = list(zip(jobs, self._run_together(spec, handler, jobs), strict=True))
        else:
            for i, job in enumerate(jobs):
                if self.stopping:  # shutting down: give the rest back untouched
                    rest = [j.id for j in jobs[i:]]
                    with self.db.connect() as conn:
                        queue.release(conn, rest, self.worker_id)
                        conn.commit()
                    break
                outcomes.append((job, self._run_one(spec, handler, job, sandbox)))
        self._finish(spec, handler, outcomes)
        self.processed += len(outcomes)

    def _finish(self, spec: StageSpec, handler: StageHandler, outcomes: list[tuple[queue.Job, Outcome]]) -> None:
        """One transaction: store results, complete and chain, record failures."""
        has_store = type(handler).store is not StageHandler.store
        for attempt in range(5):
            try:
                with self.db.session() as session, session.begin():
                    held = queue.lock_held(session, [j.id for j, _ in outcomes], self.worker_id)
                    done: list[queue.Job] = []
                    notes: list[str | None] = []
                    for job, outcome in outcomes:
                        if job.id not in held:
                            log.warning("lost the lease on row %s (%s); its result is dropped", job.id, spec.name)
                            continue
                        match outcome.kind:
                            case OutcomeKind.DONE:
                                stored = self._store(spec, handler, session, job, outcome) if has_store else None
                                if stored is None or stored.kind is OutcomeKind.DONE:
                                    done.append(job)
                                    notes.append((stored or outcome).message or None)
                                else:
                                    permanent = stored.kind is OutcomeKind.PERMANENT
                                    queue.fail(session, job, self.worker_id, stored.message, permanent=permanent)
                            case OutcomeKind.GONE:
                                done.append(job)
                                notes.append(outcome.message)
                            case OutcomeKind.PERMANENT:
                                queue.fail(session, job, self.worker_id, outcome.message, permanent=True)
                            case OutcomeKind.WAIT:
                                queue.defer(session, job, self.worker_id, outcome.message)
                            case OutcomeKind.RELEASE:
                                queue.release(session, [job.id], self.worker_id)
                            case OutcomeKind.RETRY:
                                queue.fail(session, job, self.worker_id, outcome.message)
                    queue.complete(session, done, self.worker_id, notes)
                return
            except Exception as exc:
                log.error("finishing a %s batch failed (%s); attempt %d of 5", spec.name, exc, attempt + 1)
                time.sleep(min(2.0**attempt, 10.0))
        # The rows stay held; their leases expire and stale recovery retries them.

    def _store(self, spec: StageSpec, handler: StageHandler, session: Any, job: queue.Job, outcome: Outcome) -> Outcome:
        """Store a result in a savepoint: DONE with the stage's note, or PERMANENT/RETRY with the reason."""
        try:
            with session.begin_nested():
                document = session.get(Document, job.document_id)
                note = handler.store(self.ctx, session, document, outcome.result) if document is not None else None
                session.flush()
            return Outcome(OutcomeKind.DONE, message=note or outcome.message)
        except Permanent as exc:
            return Outcome(OutcomeKind.PERMANENT, message=str(exc))
        except Exception as exc:
            log.exception("storing %s result for document %s failed", spec.name, job.document_id)
            return Outcome(OutcomeKind.RETRY, message=f"{type(exc).__name__}: {exc}")

    # ---- heartbeat, recovery, unknown stages ----------------------------------------------------
    def _heartbeat_loop(self) -> None:
        leases = [s.lease_s for s in self.stages] or [60.0]
        interval = max(0.5, min(leases) / 3)
        next_recovery = time.monotonic()
        next_unknown_check = time.monotonic()
        conn: psycopg.Connection[Any] | None = None
        first = True
        while True:
            if self.stopping:
                if not self._held.all():
                    break
                time.sleep(min(interval, 1.0))
            elif not first:
                self._stopping.wait(interval)
            first = False
            try:
                if conn is None or conn.closed:
                    conn = self.db.connect()
                for lease_s, ids in self._held.by_lease().items():
                    queue.heartbeat(conn, ids, self.worker_id, lease_s)
                conn.commit()
                now = time.monotonic()
                if now >= next_recovery and not self.stopping:
                    queue.recover_stale(conn)
                    conn.commit()
                    next_recovery = now + self.settings.recovery_interval
                if now >= next_unknown_check:
                    self._warn_unknown_stages(conn)
                    next_unknown_check = now + 60
            except psycopg.Error as exc:
                log.warning("heartbeat failed (%s); retrying", str(exc).strip())
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    def _warn_unknown_stages(self, conn: psycopg.Connection[Any]) -> None:
        rows = QUERIES.all(conn, "unknown_pending_stages", {"known": list(STAGE_NAMES)}, row=_UnknownStage)
        conn.commit()
        for row in rows:
            log.warning(
                "%d pending rows have stage %r, which this worker does not know; they are skipped — "
                "upgrade this worker to the version that added the stage",
                row.n,
                row.stage,
            )

    # ---- wake-ups -------------------------------------------------------------------------------
    def _listen_loop(self) -> None:
        while not self.stopping:
            try:
                with self.db.connect(autocommit=True) as conn:
                    conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(NOTIFY_CHANNEL)))
                    while not self.stopping:
                        for note in conn.notifies(timeout=1.0):
                            event = self._wake.get(note.payload)
                            if event is not None:
                                event.set()
            except Exception as exc:  # polling covers the gap
                log.debug("listener reconnecting after %s", exc)
                self._stopping.wait(2.0)
