"""Notes on documents: anyone who may see a document reads and adds notes; the author (or an admin) edits them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Response

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import NOT_FOUND, error_doc
from docmill.api.schemas.common import MAX_BIGINT, DocumentIdPath
from docmill.api.schemas.workspace import NoteIn, NoteOut
from docmill.api.services import notes as service
from docmill.audit import log as audit

router = APIRouter(tags=["notes"])

NoteIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Note id.")]
NOT_YOURS = {403: error_doc("Someone else's note")}


@router.get(
    "/documents/{document_id}/notes", response_model=list[NoteOut], responses=NOT_FOUND, summary="A document's notes"
)
def list_notes(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> list[NoteOut]:
    return [NoteOut(**asdict(n)) for n in service.list_notes(session, user.viewer, document_id)]


@router.post(
    "/documents/{document_id}/notes",
    response_model=NoteOut,
    status_code=201,
    responses=NOT_FOUND,
    summary="Add a note (Markdown) to a document",
)
def add_note(session: DbSession, user: CurrentUser, document_id: DocumentIdPath, body: NoteIn) -> NoteOut:
    note = service.add_note(session, user.viewer, document_id, body.body)
    audit.record(session, user, audit.AuditAction.NOTE, "document", document_id, {"note_id": note.id, "added": True})
    session.commit()
    return NoteOut(**asdict(note))


@router.patch(
    "/notes/{note_id}", response_model=NoteOut, responses={**NOT_FOUND, **NOT_YOURS}, summary="Change your note"
)
def update_note(session: DbSession, user: CurrentUser, note_id: NoteIdPath, body: NoteIn) -> NoteOut:
    note = service.update_note(session, user.viewer, note_id, body.body)
    audit.record(session, user, audit.AuditAction.NOTE, "document", note.document_id, {"note_id": note_id})
    session.commit()
    return NoteOut(**asdict(note))


@router.delete("/notes/{note_id}", status_code=204, responses={**NOT_FOUND, **NOT_YOURS}, summary="Delete your note")
def delete_note(session: DbSession, user: CurrentUser, note_id: NoteIdPath) -> Response:
    document_id = service.delete_note(session, user.viewer, note_id)
    audit.record(session, user, audit.AuditAction.NOTE, "document", document_id, {"note_id": note_id, "deleted": True})
    session.commit()
    return Response(status_code=204)
