"""Conversations: each user's ask threads, their turns, and the earlier turns a follow-up question is read with.

A thread belongs to one user; another user's thread is "not found" (never revealed). Deleting a thread deletes
its turns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.ask.types import Answer, Turn
from docmill.errors import NotFound
from docmill.models import AskThread, AskTurn

TITLE_CHARS = 120
CONTEXT_TURNS = 6  # earlier turns a follow-up is read with


@dataclass(frozen=True)
class ThreadSummary:
    id: int
    title: str
    turns: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class StoredTurn:
    ordinal: int
    question: str
    answer: str
    mode: str
    citations: list[dict[str, Any]]
    warnings: list[str]
    created_at: datetime


def _missing(thread_id: int) -> NotFound:
    return NotFound(f"there is no conversation {thread_id}", "list yours with GET /api/ask/threads")


def get_thread(session: Session, user_id: int, thread_id: int) -> AskThread:
    thread = session.get(AskThread, thread_id)
    if thread is None or thread.user_id != user_id:
        raise _missing(thread_id)
    return thread


def start_thread(session: Session, user_id: int, question: str) -> AskThread:
    title = question if len(question) <= TITLE_CHARS else question[: TITLE_CHARS - 1].rstrip() + "…"
    thread = AskThread(user_id=user_id, title=title)
    session.add(thread)
    session.flush()
    return thread


def earlier_turns(session: Session, thread: AskThread) -> list[Turn]:
    rows = session.scalars(
        sa.select(AskTurn).where(AskTurn.thread_id == thread.id).order_by(AskTurn.ordinal.desc()).limit(CONTEXT_TURNS)
    ).all()
    return [Turn(r.question, r.answer) for r in reversed(rows)]


def add_turn(session: Session, thread: AskThread, answer: Answer) -> None:
    last = session.scalar(sa.select(sa.func.max(AskTurn.ordinal)).where(AskTurn.thread_id == thread.id))
    session.add(
        AskTurn(
            thread_id=thread.id,
            ordinal=(last or 0) + 1,
            question=answer.question,
            answer=answer.answer,
            mode=answer.mode.value,
            citations=answer.as_json()["citations"],
            warnings=list(answer.warnings),
        )
    )
    thread.updated_at = sa.func.now()  # type: ignore[assignment]
    session.flush()


def list_threads(session: Session, user_id: int, limit: int = 100) -> list[ThreadSummary]:
    turns = sa.select(sa.func.count()).where(AskTurn.thread_id == AskThread.id).scalar_subquery()
    rows = session.execute(
        sa.select(AskThread.id, AskThread.title, turns, AskThread.created_at, AskThread.updated_at)
        .where(AskThread.user_id == user_id)
        .order_by(AskThread.updated_at.desc(), AskThread.id.desc())
        .limit(limit)
    ).all()
    return [ThreadSummary(r[0], r[1], int(r[2]), r[3], r[4]) for r in rows]


def thread_turns(session: Session, user_id: int, thread_id: int) -> tuple[AskThread, list[StoredTurn]]:
    thread = get_thread(session, user_id, thread_id)
    rows = session.scalars(sa.select(AskTurn).where(AskTurn.thread_id == thread.id).order_by(AskTurn.ordinal)).all()
    return thread, [
        StoredTurn(r.ordinal, r.question, r.answer, r.mode, list(r.citations), list(r.warnings), r.created_at)
        for r in rows
    ]


def delete_thread(session: Session, user_id: int, thread_id: int) -> None:
    session.delete(get_thread(session, user_id, thread_id))
    session.flush()
