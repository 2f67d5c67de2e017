"""Write audit rows, read them back with filters, export them as CSV, and drop the old ones.

A row is written in the transaction of the change it records, so a change and its row commit together.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.models import AuditEntry


class AuditAction(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    UPLOAD = "upload"
    DOWNLOAD = "download"
    EDIT = "edit"
    SHARE = "share"
    UNSHARE = "unshare"
    DELETE = "delete"
    RESTORE = "restore"
    PURGE = "purge"
    SUGGESTION_ACCEPT = "suggestion_accept"
    SUGGESTION_REJECT = "suggestion_reject"
    QUEUE = "queue"
    FEED = "feed"
    MAIL = "mail"
    USER = "user"
    GROUP = "group"
    TOKEN = "token"
    PASSWORD = "password"
    BULK = "bulk"
    NOTE = "note"


class Actor(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...


def record(
    session: Session,
    actor: Actor | None,
    action: AuditAction,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
    *,
    client: str | None = None,
    username: str | None = None,
) -> None:
    """Add one row (committed with the caller's transaction)."""
    session.add(
        AuditEntry(
            user_id=actor.id if actor is not None and actor.id else None,
            username=actor.username if actor is not None else username,
            action=action.value,
            target_type=target_type,
            target_id=target_id,
            client=client,
            detail=detail or {},
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    action: AuditAction | None = None
    username: str | None = None
    target_type: str | None = None
    target_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _conditions(f: AuditFilter) -> list[Any]:
    c = AuditEntry.__table__.c
    out: list[Any] = []
    if f.action is not None:
        out.append(c.action == f.action.value)
    if f.username:
        out.append(c.username == f.username)
    if f.target_type:
        out.append(c.target_type == f.target_type)
    if f.target_id is not None:
        out.append(c.target_id == f.target_id)
    if f.since is not None:
        out.append(c.at >= f.since)
    if f.until is not None:
        out.append(c.at < f.until)
    return out


def entries(session: Session, f: AuditFilter, *, limit: int = 100, offset: int = 0) -> tuple[list[AuditEntry], int]:
    conditions = _conditions(f)
    rows = session.scalars(
        sa.select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    total = int(session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(*conditions)) or 0)
    return list(rows), total


CSV_COLUMNS = ("id", "at", "username", "action", "target_type", "target_id", "client", "detail")


def csv_lines(session: Session, f: AuditFilter) -> Iterator[str]:
    """The filtered rows as CSV, oldest first, a header first."""

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    stmt = sa.select(AuditEntry).where(*_conditions(f)).order_by(AuditEntry.at, AuditEntry.id)
    for row in session.scalars(stmt.execution_options(yield_per=500)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(
            [
                row.id,
                row.at.isoformat(),
                row.username or "",
                row.action,
                row.target_type or "",
                "" if row.target_id is None else row.target_id,
                row.client or "",
                json.dumps(row.detail, ensure_ascii=False, sort_keys=True),
            ]
        )
        yield buffer.getvalue()


def purge_older_than(session: Session, days: int) -> int:
    """Drop rows older than `days` (DOCMILL_AUDIT_DAYS); returns how many."""
    cutoff = datetime.now(UTC) - timedelta(days=days)
    return int(session.execute(sa.delete(AuditEntry).where(AuditEntry.at < cutoff)).rowcount or 0)
