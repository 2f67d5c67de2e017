"""Notes on documents: Markdown by any user who may see the document, shown with their author and time;
only the author (or an admin) changes or deletes one. Each note keeps its full-text tokens (the same as
chunks', docmill.search.tokens) so search finds the document by its notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.errors import Forbidden, Invalid, NotFound
from docmill.models import DocumentNote, User
from docmill.permissions.access import Access, Viewer, require
from docmill.search.tokens import tsvector_literal

MAX_BODY = 20_000


@dataclass(frozen=True)
class NoteView:
    id: int
    document_id: int
    author_id: int | None
    author: str | None
    body: str
    created_at: datetime
    updated_at: datetime
    mine: bool


def _clean(body: str) -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise Invalid("the note is empty", "write something in it, or delete the note", code="note_empty")
    if len(text) > MAX_BODY:
        raise Invalid(
            f"the note has {len(text):,} characters; at most {MAX_BODY:,} fit",
            "shorten it, or split it into several notes",
            code="note_too_long",
        )
    return text


def _tsv(body: str) -> sa.Cast[object]:
    return sa.cast(tsvector_literal([(body, "D")]), DocumentNote.tsv.type)


def _views(session: Session, viewer: Viewer, *conditions: object) -> list[NoteView]:
    n, u = DocumentNote.__table__.c, User.__table__.c
    rows = session.execute(
        sa.select(n.id, n.document_id, n.author_id, u.username, n.body, n.created_at, n.updated_at)
        .select_from(DocumentNote.__table__.outerjoin(User.__table__, u.id == n.author_id))
        .where(*conditions)
        .order_by(n.created_at, n.id)
    ).all()
    return [
        NoteView(
            r.id, r.document_id, r.author_id, r.username, r.body, r.created_at, r.updated_at, r.author_id == viewer.id
        )
        for r in rows
    ]


def list_notes(session: Session, viewer: Viewer, document_id: int) -> list[NoteView]:
    """Every note on a document the viewer may see, oldest first (NotFound when they may not see it)."""
    require(session, viewer, document_id, Access.VIEW)
    return _views(session, viewer, DocumentNote.document_id == document_id)


def add_note(session: Session, viewer: Viewer, document_id: int, body: str) -> NoteView:
    require(session, viewer, document_id, Access.VIEW)
    text = _clean(body)
    note_id = session.execute(
        sa.insert(DocumentNote)
        .values(document_id=document_id, author_id=viewer.id or None, body=text, tsv=_tsv(text))
        .returning(DocumentNote.id)
    ).scalar_one()
    return _views(session, viewer, DocumentNote.id == note_id)[0]


def _own_note(session: Session, viewer: Viewer, note_id: int) -> DocumentNote:
    note = session.get(DocumentNote, note_id)
    if note is None:
        raise NotFound(f"note {note_id} does not exist", "list a document's notes: GET /api/documents/{id}/notes")
    require(session, viewer, note.document_id, Access.VIEW)  # a note on a document you cannot see is not revealed
    if not viewer.is_admin and note.author_id != viewer.id:
        raise Forbidden(
            f"note {note_id} is someone else's; only its author (or an admin) may change or delete it",
            "add a note of your own instead",
            code="not_your_note",
        )
    return note


def update_note(session: Session, viewer: Viewer, note_id: int, body: str) -> NoteView:
    note = _own_note(session, viewer, note_id)
    text = _clean(body)
    session.execute(
        sa.update(DocumentNote)
        .where(DocumentNote.id == note.id)
        .values(body=text, tsv=_tsv(text), updated_at=sa.func.now())
    )
    session.expire(note)
    return _views(session, viewer, DocumentNote.id == note_id)[0]


def delete_note(session: Session, viewer: Viewer, note_id: int) -> int:
    """Deletes the note; returns its document's id."""
    note = _own_note(session, viewer, note_id)
    document_id = note.document_id
    session.execute(sa.delete(DocumentNote).where(DocumentNote.id == note.id))
    return document_id
