"""Queue operations users run: retry failed, run missing / run all, reprocess, pause / resume, lag.

The CLI and the API call these same functions. Every path that starts work goes through
`enqueue_stages`; none of them inserts queue rows itself. Each takes a psycopg connection or a
SQLAlchemy session and leaves committing to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple

from docmill.errors import Conflict, NotFound
from docmill.library.service import awaiting_suggestion
from docmill.pipeline import registry
from docmill.pipeline.queue import enqueue_stages
from docmill.pipeline.sql import QUERIES


@dataclass(frozen=True)
class StageLag:
    stage: str
    pending: int
    processing: int
    failed: int
    oldest_pending_age_sec: float
    paused: bool


class _Completed(NamedTuple):
    stage: str
    completed: int


class _Pair(NamedTuple):
    document_id: int
    stage: str


class _DocumentId(NamedTuple):
    document_id: int


class _Kind(NamedTuple):
    kind: str


def queue_lag(conn: Any) -> list[StageLag]:
    """One entry per registry stage, zeros included, in registry order (ages rounded to milliseconds)."""
    rows = QUERIES.all(conn, "queue_lag", {"stages": list(registry.STAGE_NAMES)}, row=StageLag)
    by_stage = {r.stage: replace(r, oldest_pending_age_sec=round(r.oldest_pending_age_sec, 3)) for r in rows}
    return [by_stage.get(name) or StageLag(name, 0, 0, 0, 0.0, False) for name in registry.STAGE_NAMES]


def throughput(conn: Any, window_s: float = 3600) -> dict[str, int]:
    rows = QUERIES.all(conn, "throughput", {"window_s": window_s}, row=_Completed)
    counts = {name: 0 for name in registry.STAGE_NAMES}
    counts.update({r.stage: r.completed for r in rows if r.stage in counts})
    return counts


def _enqueue_pairs(conn: Any, pairs: list[tuple[int, str]], priority: int = 0) -> int:
    return sum(enqueue_stages(conn, pairs, priority=priority)) if pairs else 0


def retry_failed(conn: Any, *, document_id: int | None = None, stage: str | None = None) -> int:
    """Enqueue again every (document, stage) whose latest row failed; returns rows added."""
    if stage is not None:
        registry.require_stage(stage)
    params = {"doc": document_id, "stage": stage, "known": list(registry.STAGE_NAMES)}
    rows = QUERIES.all(conn, "retry_candidates", params, row=_Pair)
    return _enqueue_pairs(conn, [(r.document_id, r.stage) for r in rows])


def _candidates(conn: Any, name: str, stage: str) -> list[int]:
    """Live documents of the stage's kinds that reached it (see queries.sql: missing_/all_candidates)."""
    spec = registry.require_stage(stage)
    kinds = sorted(str(k) for k in spec.applies_to)
    params = {
        "kinds": kinds,
        "stage": stage,
        "entry_kinds": [k for k in kinds if stage in registry.entry_stages(k)],
        "preds": sorted({p for k in kinds for p in registry.predecessors(stage, k)}),
    }
    return [r.document_id for r in QUERIES.all(conn, name, params, row=_DocumentId)]


def run_missing(conn: Any, stage: str) -> int:
    """Enqueue `stage` for documents it applies to that never completed it and are not queued for it.

    Only documents that reached the stage (a predecessor completed, or it is an entry stage for their
    kind) are included, so "run missing" never runs a stage ahead of its inputs. For classify, "missing"
    means a document without a current suggestion: no placement and no pending suggestion.
    """
    if stage == "classify":  # the library owns what a placement is
        return _enqueue_pairs(conn, [(d, stage) for d in awaiting_suggestion(conn)])
    return _enqueue_pairs(conn, [(d, stage) for d in _candidates(conn, "missing_candidates", stage)])


def run_all(conn: Any, stage: str) -> int:
    """Enqueue `stage` again for every document it applies to (e.g. after changing the embedding model)."""
    return _enqueue_pairs(conn, [(d, stage) for d in _candidates(conn, "all_candidates", stage)])


def reprocess(conn: Any, document_id: int, from_stage: str | None = None) -> list[str]:
    """Run a document again from a stage (default: its entry stages); successors follow by chaining."""
    row = QUERIES.one(conn, "live_document_kind", {"id": document_id}, row=_Kind)
    if row is None:
        raise NotFound(f"document {document_id} does not exist", "list documents with `docmill status` or the API")
    kind = row.kind
    if from_stage is None:
        stages = list(registry.entry_stages(kind))
    else:
        spec = registry.require_stage(from_stage)
        if not spec.applies(kind):
            raise Conflict(
                f"stage {from_stage} does not apply to document {document_id} (a {kind})",
                f"choose one of: {', '.join(s.name for s in registry.STAGES if s.applies(kind)) or 'none'}",
                code="stage_not_applicable",
            )
        stages = [from_stage]
    flags = enqueue_stages(conn, [(document_id, s) for s in stages], priority=1)
    return [s for s, added in zip(stages, flags, strict=True) if added]


def set_paused(conn: Any, stage: str, paused: bool) -> None:
    registry.require_stage(stage)
    QUERIES.run(conn, "set_paused", {"stage": stage, "paused": paused})


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    stage: str
    status: str
    attempts: int
    rescues: int
    waits: int
    error: str | None
    note: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    superseded: bool


def document_history(conn: Any, document_id: int) -> list[HistoryEntry]:
    return QUERIES.all(conn, "document_history", {"id": document_id}, row=HistoryEntry)
