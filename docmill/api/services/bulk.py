"""Bulk edit: one request selects documents (ids, or every document matching a documents-list query) and an
action; the job is a `bulk_jobs` row that a runner works through in chunks.

- Submitting checks the action (fields parsed, the new owner or share target exists), resolves the selection
  to ids the caller may see (a filter) or takes the ids as given, and stores the job (202).
- A runner claims one job at a time (FOR UPDATE SKIP LOCKED) under a lease, and walks its ids from `cursor`,
  CHUNK at a time: each chunk's changes, its progress (`cursor`, `done`, `failed`, `errors`) and the lease's
  renewal commit together, so a runner that dies repeats nothing; once its lease runs out another runner
  takes the job over from where it stopped.
- Each document is checked against the caller's rights when its chunk runs: EDIT for category, tags and
  fields and reprocessing, OWNER for owner, shares and delete. The others count as failed, with the reason.
- Reprocessing goes through the queue's enqueue functions; delete moves documents to the trash.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.api.schemas.workspace import (
    BulkAction,
    BulkAddTags,
    BulkDelete,
    BulkEditRequest,
    BulkJobStatus,
    BulkRemoveTags,
    BulkReprocess,
    BulkSetCategory,
    BulkSetFields,
    BulkSetOwner,
    BulkShare,
)
from docmill.api.services.documents import (
    document_ids,
    get_or_create_category,
    normalize_category_path,
    normalize_tags,
)
from docmill.api.services.views import document_query
from docmill.audit import log as audit
from docmill.errors import DocmillError, Invalid, NotFound
from docmill.fields import service as fields
from docmill.models import BulkJob, Document, Group, User
from docmill.permissions import shares
from docmill.permissions.access import Access, Viewer, edit_clause, view_clause
from docmill.pipeline import operations

log = logging.getLogger(__name__)

CHUNK = 200  # documents per transaction
LEASE_S = 60.0  # a runner that has not renewed its lease for this long is taken over
MAX_ATTEMPTS = 3  # a job whose chunk fails unexpectedly this often fails
MAX_ERRORS = 100  # per-document reasons kept on the job
MAX_SELECTION = 100_000

D = Document.__table__.c


@dataclass(frozen=True)
class Actor:
    id: int
    username: str


def _needed(action: BulkAction) -> Access:
    return Access.OWNER if isinstance(action, BulkSetOwner | BulkShare | BulkDelete) else Access.EDIT


def _action_of(job: BulkJob) -> BulkAction:
    return BulkEditRequest.model_validate({"selection": job.selection, "action": job.action}).action


# ---- submitting --------------------------------------------------------------------------------------


def _check_action(session: Session, viewer: Viewer, action: BulkAction) -> None:
    """Errors that would fail every document are the request's: a bad field value, an unknown user."""
    if (
        isinstance(action, BulkSetCategory)
        and action.category is not None
        and not normalize_category_path(action.category)
    ):
        raise Invalid(
            f"category {action.category!r} has no name in it",
            'send a path such as "Finance/Invoices", or null for none',
            code="invalid_request",
        )
    if isinstance(action, BulkSetFields):
        fields.parse_values(session, action.fields, viewer)
    if (
        isinstance(action, BulkSetOwner)
        and session.scalar(sa.select(User.id).where(User.username == action.user)) is None
    ):
        raise NotFound(f"there is no user {action.user!r}", "check the name (GET /api/sharing/directory)")
    if isinstance(action, BulkShare):
        if action.user is not None and session.scalar(sa.select(User.id).where(User.username == action.user)) is None:
            raise NotFound(f"there is no user {action.user!r}", "check the name (GET /api/sharing/directory)")
        if action.group is not None and session.scalar(sa.select(Group.id).where(Group.name == action.group)) is None:
            raise NotFound(f"there is no group {action.group!r}", "check the name (GET /api/sharing/directory)")


def submit(session: Session, actor: Actor, viewer: Viewer, request: BulkEditRequest) -> BulkJob:
    """Store the job (the caller commits); Invalid when the selection is empty or the action cannot apply."""
    _check_action(session, viewer, request.action)
    selection = request.selection
    if selection.ids is not None:
        ids = list(dict.fromkeys(selection.ids))
    else:
        assert selection.filter is not None
        query = document_query(selection.filter)
        ids = document_ids(session, query, viewer, cap=MAX_SELECTION + 1)
        if len(ids) > MAX_SELECTION:
            raise Invalid(
                f"the filter matches more than {MAX_SELECTION:,} documents",
                "narrow the filter, and run the edit in parts",
                code="selection_too_large",
            )
    if not ids:
        raise Invalid(
            "the selection has no documents in it", "select documents, or change the filter", code="empty_selection"
        )
    job = BulkJob(
        user_id=viewer.id,
        action=request.action.model_dump(mode="json"),
        selection=selection.model_dump(mode="json", exclude_none=True),
        document_ids=ids,
        total=len(ids),
    )
    session.add(job)
    session.flush()
    audit.record(
        session, actor, audit.AuditAction.BULK, "bulk_job", job.id, {"action": job.action, "documents": len(ids)}
    )
    return job


def get_job(session: Session, viewer: Viewer, job_id: int) -> BulkJob:
    job = session.get(BulkJob, job_id)
    if job is None or (job.user_id != viewer.id and not viewer.is_admin):
        raise NotFound(f"bulk job {job_id} does not exist", "list your bulk jobs: GET /api/bulk", code="not_found")
    return job


def list_jobs(session: Session, viewer: Viewer, limit: int = 20) -> list[BulkJob]:
    stmt = sa.select(BulkJob).order_by(BulkJob.id.desc()).limit(limit)
    if not viewer.is_admin:
        stmt = stmt.where(BulkJob.user_id == viewer.id)
    return list(session.scalars(stmt))


# ---- running -----------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(session: Session, worker: str, lease_s: float = LEASE_S) -> int | None:
    """Take the oldest job that is due, or whose runner's lease ran out; its id, or None."""
    now = sa.func.now()
    due = (
        sa.select(BulkJob.id)
        .where(
            sa.or_(
                sa.and_(BulkJob.status == BulkJobStatus.PENDING, BulkJob.next_attempt_at <= now),
                sa.and_(BulkJob.status == BulkJobStatus.RUNNING, BulkJob.locked_until < now),
            )
        )
        .order_by(BulkJob.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return session.execute(
        sa.update(BulkJob)
        .where(BulkJob.id == due)
        .values(
            status=BulkJobStatus.RUNNING,
            locked_by=worker,
            locked_until=now + timedelta(seconds=lease_s),
            started_at=sa.func.coalesce(BulkJob.started_at, now),
            updated_at=now,
        )
        .returning(BulkJob.id)
    ).scalar()


class _Failures:
    def __init__(self) -> None:
        self.reasons: list[dict[str, Any]] = []

    def add(self, document_id: int, reason: str) -> None:
        self.reasons.append({"document_id": document_id, "reason": reason})


def _partition(
    session: Session, viewer: Viewer, ids: list[int], needed: Access, action: BulkAction, failures: _Failures
) -> list[int]:
    """The ids the viewer may change as the action needs; the others go to `failures` with why."""
    rows = session.execute(sa.select(D.id, D.owner_id, D.deleted_at).where(D.id.in_(ids))).all()
    found = {r.id: r for r in rows}
    visible, editable = set(ids), set(ids)
    if not viewer.is_admin:
        visible = set(session.scalars(sa.select(D.id).where(D.id.in_(ids), view_clause(viewer, D.id))))
        editable = set(session.scalars(sa.select(D.id).where(D.id.in_(ids), edit_clause(viewer, D.id))))
    allowed: list[int] = []
    for doc_id in ids:
        row = found.get(doc_id)
        if row is None or doc_id not in visible:
            failures.add(doc_id, f"document {doc_id} does not exist or is not shared with you")
        elif row.deleted_at is not None:
            failures.add(doc_id, f"document {doc_id} is in the trash; restore it first")
        elif needed is Access.OWNER and not viewer.is_admin and row.owner_id != viewer.id:
            what = "delete" if isinstance(action, BulkDelete) else "change the owner or sharing of"
            failures.add(doc_id, f"you do not own document {doc_id}; only its owner or an admin may {what} it")
        elif needed is Access.EDIT and doc_id not in editable:
            failures.add(doc_id, f"document {doc_id} is shared with you to view only; ask its owner for edit")
        else:
            allowed.append(doc_id)
    return allowed


def _each(session: Session, ids: list[int], failures: _Failures, apply: Callable[[int], None]) -> int:
    """Apply per document, each in a savepoint: one document's error fails that document only."""
    done = 0
    for doc_id in ids:
        try:
            with session.begin_nested():
                apply(doc_id)
            done += 1
        except DocmillError as exc:
            failures.add(doc_id, exc.message + (f" ({exc.hint})" if exc.hint else ""))
    return done


def _set_tags(session: Session, action: BulkAddTags | BulkRemoveTags, ids: list[int], now: datetime) -> None:
    wanted = normalize_tags(action.tags)
    folded = {t.casefold() for t in wanted}
    changes: list[dict[str, Any]] = []
    for doc_id, tags in session.execute(sa.select(D.id, D.tags).where(D.id.in_(ids)).with_for_update()).all():
        current = list(tags or [])
        if isinstance(action, BulkAddTags):
            new = normalize_tags(current + wanted)
        else:
            new = [t for t in current if t.casefold() not in folded]
        if new != current:
            changes.append({"doc_id": doc_id, "new_tags": new})
    if changes:
        session.execute(
            sa.update(Document.__table__)
            .where(D.id == sa.bindparam("doc_id"))
            .values(tags=sa.bindparam("new_tags"), updated_at=now),
            changes,
        )


def _apply_at_once(session: Session, action: BulkAction, ids: list[int], failures: _Failures) -> int | None:
    """Actions done with one statement for the chunk; None for those done document by document."""
    now = datetime.now(UTC)
    if isinstance(action, BulkSetCategory):
        category_id = None
        if action.category is not None:
            category_id = get_or_create_category(session, normalize_category_path(action.category)).id
        session.execute(sa.update(Document).where(D.id.in_(ids)).values(category_id=category_id, updated_at=now))
    elif isinstance(action, BulkAddTags | BulkRemoveTags):
        _set_tags(session, action, ids, now)
    elif isinstance(action, BulkSetOwner):
        owner_id = session.scalar(sa.select(User.id).where(User.username == action.user))
        if owner_id is None:
            for doc_id in ids:
                failures.add(doc_id, f"there is no user {action.user!r} any more")
            return 0
        session.execute(sa.update(Document).where(D.id.in_(ids)).values(owner_id=owner_id, updated_at=now))
    elif isinstance(action, BulkDelete):
        session.execute(sa.update(Document).where(D.id.in_(ids), D.deleted_at.is_(None)).values(deleted_at=now))
    else:
        return None
    return len(ids)


def _apply(
    session: Session, job: BulkJob, viewer: Viewer, action: BulkAction, ids: list[int], failures: _Failures
) -> int:
    """Change the allowed documents; how many were changed (or already as asked)."""
    changed = _apply_at_once(session, action, ids, failures)
    if changed is not None:
        return changed
    if isinstance(action, BulkSetFields):
        values = action.fields
        return _each(
            session,
            ids,
            failures,
            lambda d: fields.set_values(session, d, values, source="bulk", actor_id=job.user_id, viewer=viewer),
        )
    if isinstance(action, BulkShare):
        share = action

        def _share(doc_id: int) -> None:
            document = session.get(Document, doc_id)
            assert document is not None
            shares.share(session, document, share.permission, username=share.user, group=share.group)

        return _each(session, ids, failures, _share)
    if isinstance(action, BulkReprocess):
        stage = action.from_stage.value if action.from_stage is not None else None
        return _each(session, ids, failures, lambda d: operations.reprocess(session, d, stage) and None)
    raise AssertionError(f"unhandled bulk action {action!r}")


@dataclass(frozen=True)
class Progress:
    job_id: int
    processed: int
    total: int
    finished: bool


def run_chunk(
    session: Session, job_id: int, worker: str, *, chunk: int = CHUNK, lease_s: float = LEASE_S
) -> Progress | None:
    """One chunk of a claimed job, with its progress, in the caller's transaction; None when the job is no
    longer this worker's (its lease was taken over)."""
    job = session.execute(sa.select(BulkJob).where(BulkJob.id == job_id).with_for_update()).scalar()
    if job is None or job.locked_by != worker or job.status != BulkJobStatus.RUNNING:
        return None
    user = session.get(User, job.user_id)
    ids = list(job.document_ids[job.cursor : job.cursor + chunk])
    failures = _Failures()
    done = 0
    if ids:
        assert user is not None  # a job goes with its user (ON DELETE CASCADE)
        viewer = Viewer(user.id, user.is_admin)
        action = _action_of(job)
        allowed = _partition(session, viewer, ids, _needed(action), action, failures)
        if allowed:
            done = _apply(session, job, viewer, action, allowed, failures)
    cursor = job.cursor + len(ids)
    finished = cursor >= job.total
    kept = list(job.errors or [])
    room = MAX_ERRORS - len(kept)
    values: dict[str, Any] = {
        "cursor": cursor,
        "done": job.done + done,
        "failed": job.failed + len(failures.reasons),
        "errors": kept + failures.reasons[: max(room, 0)],
        "locked_until": sa.func.now() + timedelta(seconds=lease_s),
        "updated_at": sa.func.now(),
    }
    if finished:
        values.update(status=BulkJobStatus.COMPLETED, finished_at=sa.func.now(), locked_by=None, locked_until=None)
    session.execute(sa.update(BulkJob).where(BulkJob.id == job.id).values(**values))
    if finished:
        audit.record(
            session,
            Actor(user.id, user.username) if user is not None else None,
            audit.AuditAction.BULK,
            "bulk_job",
            job.id,
            {"finished": True, "done": values["done"], "failed": values["failed"]},
        )
    session.expire(job)
    return Progress(job.id, cursor, job.total, finished)


def give_up_or_retry(session: Session, job_id: int, worker: str, error: str) -> None:
    """After an unexpected error in a chunk (rolled back): back to pending with a delay, or failed for good."""
    job = session.execute(sa.select(BulkJob).where(BulkJob.id == job_id).with_for_update()).scalar()
    if job is None or job.locked_by != worker:
        return
    attempts = job.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        values: dict[str, Any] = {"status": BulkJobStatus.FAILED, "finished_at": sa.func.now(), "error": error}
    else:
        values = {
            "status": BulkJobStatus.PENDING,
            "next_attempt_at": sa.func.now() + timedelta(seconds=5 * 2**attempts),
        }
    session.execute(
        sa.update(BulkJob)
        .where(BulkJob.id == job_id)
        .values(**values, attempts=attempts, locked_by=None, locked_until=None, updated_at=sa.func.now())
    )
