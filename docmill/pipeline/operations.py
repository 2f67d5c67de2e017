"""Queue operations users run: retry failed, run missing / run all, reprocess, pause / resume, lag.

The CLI and the API call these same functions. Every path that starts work goes through
`enqueue_stages`; none of them inserts queue rows itself. Each takes a psycopg connection or a
SQLAlchemy session and leaves committing to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from docmill.pipeline import registry
from docmill.pipeline.queue import as_psycopg, enqueue_stages
from docmill.pipeline.sql import query


@dataclass(frozen=True)
class StageLag:
    stage: str
    pending: int
    processing: int
    failed: int
    oldest_pending_age_sec: float
    paused: bool


def queue_lag(conn: Any) -> list[StageLag]:
    """One entry per registry stage, zeros included, in registry order."""
    rows = as_psycopg(conn).execute(query("queue_lag"), {"stages": list(registry.STAGE_NAMES)}).fetchall()
    by_stage = {r[0]: r for r in rows}
    out = []
    for name in registry.STAGE_NAMES:
        r = by_stage.get(name)
        if r is None:
            out.append(StageLag(name, 0, 0, 0, 0.0, False))
        else:
            out.append(StageLag(name, int(r[1]), int(r[2]), int(r[3]), round(float(r[4]), 3), bool(r[5])))
    return out


def throughput(conn: Any, window_s: float = 3600) -> dict[str, int]:
    rows = as_psycopg(conn).execute(query("throughput"), {"window_s": window_s}).fetchall()
    counts = {name: 0 for name in registry.STAGE_NAMES}
    counts.update({r[0]: int(r[1]) for r in rows if r[0] in counts})
    return counts


def _enqueue_pairs(conn: Any, pairs: list[tuple[int, str]], priority: int = 0) -> int:
    return sum(enqueue_stages(conn, pairs, priority=priority)) if pairs else 0


def retry_failed(conn: Any, *, document_id: int | None = None, stage: str | None = None) -> int:
    """Enqueue again every (document, stage) whose latest row failed; returns rows added."""
    if stage is not None:
        registry.require_stage(stage)
    rows = (
        as_psycopg(conn)
        .execute(
            """
        SELECT DISTINCT q.document_id, q.stage::text
        FROM processing_queue q JOIN documents d ON d.id = q.document_id
        WHERE q.status = 'failed' AND q.superseded_by IS NULL AND d.deleted_at IS NULL
          AND (%(doc)s::bigint IS NULL OR q.document_id = %(doc)s)
          AND (%(stage)s::text IS NULL OR q.stage::text = %(stage)s)
          AND q.stage::text = ANY(%(known)s)
        ORDER BY 1, 2
        """,
            {"doc": document_id, "stage": stage, "known": list(registry.STAGE_NAMES)},
        )
        .fetchall()
    )
    return _enqueue_pairs(conn, [(int(r[0]), r[1]) for r in rows])


def _applicable_kinds(stage: str) -> list[str]:
    spec = registry.require_stage(stage)
    return sorted(str(k) for k in spec.applies_to)


def run_missing(conn: Any, stage: str) -> int:
    """Enqueue `stage` for documents it applies to that never completed it and are not queued for it.

    Only documents that reached the stage (a predecessor completed, or it is an entry stage for their
    kind) are included, so "run missing" never runs a stage ahead of its inputs. For classify, "missing"
    means a document without a current suggestion: no placement and no pending suggestion.
    """
    if stage == "classify":
        from docmill.library.service import awaiting_suggestion  # the library owns what a placement is

        return _enqueue_pairs(conn, [(d, stage) for d in awaiting_suggestion(conn)])
    kinds = _applicable_kinds(stage)
    ready_kinds_entry = [k for k in kinds if stage in registry.entry_stages(k)]
    preds = sorted({p for k in kinds for p in registry.predecessors(stage, k)})
    rows = (
        as_psycopg(conn)
        .execute(
            """
        SELECT d.id FROM documents d
        WHERE d.deleted_at IS NULL AND d.kind = ANY(%(kinds)s)
          AND NOT EXISTS (SELECT 1 FROM processing_queue q WHERE q.document_id = d.id
                          AND q.stage = %(stage)s::process_stage AND q.status IN ('completed', 'pending', 'processing'))
          AND (d.kind = ANY(%(entry_kinds)s) OR EXISTS (
                SELECT 1 FROM processing_queue p WHERE p.document_id = d.id
                AND p.stage::text = ANY(%(preds)s) AND p.status = 'completed'))
        ORDER BY d.id
        """,
            {"kinds": kinds, "stage": stage, "entry_kinds": ready_kinds_entry, "preds": preds},
        )
        .fetchall()
    )
    return _enqueue_pairs(conn, [(int(r[0]), stage) for r in rows])


def run_all(conn: Any, stage: str) -> int:
    """Enqueue `stage` again for every document it applies to (e.g. after changing the embedding model)."""
    kinds = _applicable_kinds(stage)
    ready_kinds_entry = [k for k in kinds if stage in registry.entry_stages(k)]
    preds = sorted({p for k in kinds for p in registry.predecessors(stage, k)})
    rows = (
        as_psycopg(conn)
        .execute(
            """
        SELECT d.id FROM documents d
        WHERE d.deleted_at IS NULL AND d.kind = ANY(%(kinds)s)
          AND (d.kind = ANY(%(entry_kinds)s) OR EXISTS (
                SELECT 1 FROM processing_queue p WHERE p.document_id = d.id
                AND p.stage::text = ANY(%(preds)s) AND p.status = 'completed'))
        ORDER BY d.id
        """,
            {"kinds": kinds, "entry_kinds": ready_kinds_entry, "preds": preds},
        )
        .fetchall()
    )
    return _enqueue_pairs(conn, [(int(r[0]), stage) for r in rows])


def reprocess(conn: Any, document_id: int, from_stage: str | None = None) -> list[str]:
    """Run a document again from a stage (default: its entry stages); successors follow by chaining."""
    pg = as_psycopg(conn)
    row = pg.execute("SELECT kind FROM documents WHERE id = %s AND deleted_at IS NULL", (document_id,)).fetchone()
    if row is None:
        from docmill.errors import DocmillError

        raise DocmillError(f"document {document_id} does not exist", "list documents with `docmill status` or the API")
    kind = row[0]
    if from_stage is None:
        stages = list(registry.entry_stages(kind))
    else:
        spec = registry.require_stage(from_stage)
        if not spec.applies(kind):
            from docmill.errors import DocmillError

            raise DocmillError(
                f"stage {from_stage} does not apply to document {document_id} (a {kind})",
                f"choose one of: {', '.join(s.name for s in registry.STAGES if s.applies(kind))}",
            )
        stages = [from_stage]
    flags = enqueue_stages(pg, [(document_id, s) for s in stages], priority=1)
    return [s for s, added in zip(stages, flags, strict=True) if added]


def set_paused(conn: Any, stage: str, paused: bool) -> None:
    registry.require_stage(stage)
    as_psycopg(conn).execute(
        """
        INSERT INTO stage_controls (stage, paused, updated_at) VALUES (%s::process_stage, %s, now())
        ON CONFLICT (stage) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now()
        """,
        (stage, paused),
    )


def paused_stages(conn: Any) -> set[str]:
    rows = as_psycopg(conn).execute("SELECT stage::text FROM stage_controls WHERE paused").fetchall()
    return {r[0] for r in rows}


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
    created_at: Any
    started_at: Any
    finished_at: Any
    superseded: bool


def document_history(conn: Any, document_id: int) -> list[HistoryEntry]:
    rows = (
        as_psycopg(conn)
        .execute(
            """
        SELECT id, stage::text, status::text, attempts, rescues, waits, error, note, created_at, started_at,
               finished_at, superseded_by IS NOT NULL
        FROM processing_queue WHERE document_id = %s ORDER BY id
        """,
            (document_id,),
        )
        .fetchall()
    )
    return [HistoryEntry(*r) for r in rows]
