"""The processing queue engine (docs/architecture.md, "The queue").

- `enqueue_stage` / `enqueue_stages` are the only code that inserts queue rows (INSERT … ON CONFLICT
  … DO NOTHING against the partial unique index uq_queue_active; no check-then-insert).
- `claim` takes a batch with FOR UPDATE SKIP LOCKED and leases it to a worker; `heartbeat` extends it.
- `complete` finishes rows and enqueues their successors in the caller's transaction, so nothing falls
  between stages. `fail` retries with exponential backoff and jitter, `defer` waits for a backend
  without spending the attempt, `release` gives rows back on shutdown.
- `recover_stale` returns rows whose lease expired to pending (or failed once attempts are spent).

Every function takes a psycopg connection, or a SQLAlchemy Session/Connection whose transaction it
joins. None of them commit; the caller owns the transaction.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import docmill.pipeline.registry as registry
from docmill.db.sql import as_psycopg
from docmill.pipeline.sql import QUERIES

log = logging.getLogger(__name__)

RECOVERY_LOCK_KEY = 0x646F636D696C6C  # "docmill": one stale-recovery sweep at a time
MAX_BACKOFF_S = 3600.0
MAX_DEFER_S = 300.0


__all__ = ["Job", "Recovery", "as_psycopg", "claim", "complete", "defer", "enqueue_stages", "fail", "release"]


@dataclass(frozen=True)
class Job:
    """A claimed queue row."""

    id: int
    document_id: int
    stage: str
    attempts: int
    waits: int
    kind: str


class _Pair(NamedTuple):
    document_id: int
    stage: str


class _RowId(NamedTuple):
    id: int


class _Status(NamedTuple):
    status: str


class _Rescued(NamedTuple):
    id: int
    status: str


# ---- enqueue --------------------------------------------------------------------------------------


def enqueue_stages(
    conn: Any,
    pairs: Iterable[tuple[int, str]],
    *,
    priority: int = 0,
    run_after: datetime | None = None,
) -> list[bool]:
    """Add a pending row per (document_id, stage) pair unless one is active; one flag per pair, in order.

    A pair listed twice is added at most once (its first occurrence reports it).
    """
    pairs = [(int(d), str(s)) for d, s in pairs]
    if not pairs:
        return []
    for _, stage in pairs:
        registry.require_stage(stage)
    rows = QUERIES.all(
        conn,
        "enqueue",
        {
            "document_ids": [d for d, _ in pairs],
            "stages": [s for _, s in pairs],
            "priority": priority,
            "run_after": run_after,
        },
        row=_Pair,
    )
    added = {(r.document_id, r.stage) for r in rows}
    flags = []
    for pair in pairs:
        flags.append(pair in added)
        added.discard(pair)
    return flags


def enqueue_stage(
    conn: Any, document_id: int, stage: str, *, priority: int = 0, run_after: datetime | None = None
) -> bool:
    """Add a pending row for (document, stage) unless an active one exists. True when a row was added."""
    return enqueue_stages(conn, [(document_id, stage)], priority=priority, run_after=run_after)[0]


def enqueue_entry(conn: Any, document_id: int, kind: str, *, priority: int = 0) -> list[str]:
    """Start a new document at its kind's entry stages; returns the stages added."""
    stages = registry.entry_stages(kind)
    flags = enqueue_stages(conn, [(document_id, s) for s in stages], priority=priority)
    return [s for s, added in zip(stages, flags, strict=True) if added]


# ---- claim and lease -----------------------------------------------------------------------------


def claim(conn: Any, stage: str, limit: int, worker: str, lease_s: float) -> list[Job]:
    params = {"stage": stage, "limit": limit, "worker": worker, "lease_s": lease_s}
    return QUERIES.all(conn, "claim", params, row=Job)


def heartbeat(conn: Any, ids: Sequence[int], worker: str, lease_s: float) -> int:
    if not ids:
        return 0
    return QUERIES.run(conn, "heartbeat", {"ids": list(ids), "worker": worker, "lease_s": lease_s}).rowcount


def lock_held(conn: Any, ids: Sequence[int], worker: str) -> set[int]:
    """Which of these rows this worker still holds; they stay locked until the transaction ends."""
    if not ids:
        return set()
    return {r.id for r in QUERIES.all(conn, "lock_held", {"ids": list(ids), "worker": worker}, row=_RowId)}


# ---- finish --------------------------------------------------------------------------------------


def complete(conn: Any, jobs: Sequence[Job], worker: str, notes: Sequence[str | None] | None = None) -> list[Job]:
    """Complete rows this worker holds and enqueue their successors, in the caller's transaction.

    Returns the jobs that were completed (a row whose lease was lost to recovery is left alone).
    """
    if not jobs:
        return []
    pg = as_psycopg(conn)
    note_list = list(notes) if notes is not None else [None] * len(jobs)
    params = {"ids": [j.id for j in jobs], "notes": note_list, "worker": worker}
    done = {r.id for r in QUERIES.all(pg, "complete", params, row=_RowId)}
    completed = [j for j in jobs if j.id in done]
    successors = [(j.document_id, s) for j in completed for s in registry.successors_for(j.stage, j.kind)]
    if successors:
        enqueue_stages(pg, successors)
    return completed


def backoff_seconds(attempts: int, base_s: float = 10.0, cap_s: float = MAX_BACKOFF_S) -> float:
    """Exponential backoff with ±25% jitter: base, 2·base, 4·base … capped."""
    delay = min(cap_s, base_s * (2 ** max(attempts - 1, 0)))
    return delay * random.uniform(0.75, 1.25)


def fail(
    conn: Any,
    job: Job,
    worker: str,
    error: str,
    *,
    permanent: bool = False,
    max_attempts: int | None = None,
    backoff_s: float | None = None,
) -> str | None:
    """Record a failure: back to pending with backoff while attempts remain, else failed. Returns the new status."""
    spec = registry.get_stage(job.stage)
    limit = max_attempts if max_attempts is not None else (spec.max_attempts if spec else 1)
    delay = backoff_s if backoff_s is not None else backoff_seconds(job.attempts, spec.backoff_base_s if spec else 10)
    row = QUERIES.one(
        conn,
        "fail",
        {
            "id": job.id,
            "worker": worker,
            "error": error[:10_000],
            "permanent": permanent,
            "max_attempts": limit,
            "backoff_s": delay,
        },
        row=_Status,
    )
    return None if row is None else row.status


def defer(conn: Any, job: Job, worker: str, reason: str, delay_s: float | None = None) -> None:
    """A backend is down: wait with backoff, without spending the attempt."""
    delay = delay_s if delay_s is not None else backoff_seconds(job.waits + 1, 5.0, MAX_DEFER_S)
    QUERIES.run(
        conn, "defer", {"id": job.id, "worker": worker, "error": f"waiting: {reason}"[:10_000], "delay_s": delay}
    )


def release(conn: Any, ids: Sequence[int], worker: str) -> int:
    if not ids:
        return 0
    return QUERIES.run(conn, "release", {"ids": list(ids), "worker": worker}).rowcount


# ---- stale recovery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    ran: bool  # False when another process holds the recovery lock
    requeued: int = 0
    failed: int = 0


def recover_stale(conn: Any, limit: int = 1000) -> Recovery:
    """Return rows with expired leases to pending (failed once their attempts are spent).

    Takes a transaction-level advisory lock so only one recoverer sweeps at a time; the caller commits.
    """
    if not QUERIES.scalar(conn, "try_recovery_lock", {"key": RECOVERY_LOCK_KEY}):
        return Recovery(ran=False)
    rows = QUERIES.all(
        conn,
        "recover_stale",
        {
            "stages": list(registry.STAGE_NAMES),
            "max_attempts": [s.max_attempts for s in registry.STAGES],
            "limit": limit,
        },
        row=_Rescued,
    )
    failed = sum(1 for r in rows if r.status == "failed")
    if rows:
        log.warning("recovered %d queue rows whose worker stopped (%d failed for good)", len(rows), failed)
    return Recovery(ran=True, requeued=len(rows) - failed, failed=failed)
