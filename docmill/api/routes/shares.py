"""A document's sharing: who may see or change it; the directory of users and groups to share with."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Path

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import NOT_FOUND, error_doc
from docmill.api.routes.documents import load_document
from docmill.api.schemas.common import MAX_BIGINT, DocumentIdPath
from docmill.api.schemas.permissions import (
    Directory,
    DirectoryEntry,
    ShareOut,
    ShareRequest,
    Sharing,
    VisibilityUpdate,
)
from docmill.audit import log as audit
from docmill.models import Document, Group, User
from docmill.permissions import shares
from docmill.permissions.access import Access

router = APIRouter(tags=["sharing"])

FORBIDDEN = {403: error_doc("Not the owner (nor an admin)")}


def _sharing(session: DbSession, document: Document) -> Sharing:
    owner = session.get(User, document.owner_id) if document.owner_id else None
    return Sharing(
        owner_id=document.owner_id,
        owner=owner.username if owner else None,
        visible_to_all=document.visible_to_all,
        shares=[
            ShareOut(
                id=v.id, permission=v.permission, user_id=v.user_id, user=v.username, group_id=v.group_id, group=v.group
            )
            for v in shares.list_shares(session, document.id)
        ],
    )


@router.get(
    "/documents/{document_id}/shares", response_model=Sharing, responses=NOT_FOUND, summary="Who it is shared with"
)
def get_shares(session: DbSession, user: CurrentUser, document_id: DocumentIdPath) -> Sharing:
    return _sharing(session, load_document(session, user, document_id, allow_deleted=True))


@router.post(
    "/documents/{document_id}/shares",
    response_model=Sharing,
    responses={**NOT_FOUND, **FORBIDDEN},
    summary="Share with a user or a group (view or edit)",
)
def add_share(session: DbSession, user: CurrentUser, document_id: DocumentIdPath, body: ShareRequest) -> Sharing:
    document = load_document(session, user, document_id, Access.OWNER)
    view = shares.share(session, document, body.permission, username=body.user, group=body.group)
    audit.record(
        session,
        user,
        audit.AuditAction.SHARE,
        "document",
        document_id,
        {"user": view.username, "group": view.group, "permission": view.permission.value},
    )
    session.commit()
    return _sharing(session, document)


@router.delete(
    "/documents/{document_id}/shares/{share_id}",
    response_model=Sharing,
    responses={**NOT_FOUND, **FORBIDDEN},
    summary="Stop sharing with that user or group",
)
def remove_share(
    session: DbSession,
    user: CurrentUser,
    document_id: DocumentIdPath,
    share_id: Annotated[int, Path(ge=1, le=MAX_BIGINT)],
) -> Sharing:
    document = load_document(session, user, document_id, Access.OWNER)
    shares.unshare(session, document_id, share_id)
    audit.record(session, user, audit.AuditAction.UNSHARE, "document", document_id, {"share_id": share_id})
    session.commit()
    return _sharing(session, document)


@router.put(
    "/documents/{document_id}/visibility",
    response_model=Sharing,
    responses={**NOT_FOUND, **FORBIDDEN},
    summary="Make it visible to every user (view), or private again",
)
def set_visibility(
    session: DbSession, user: CurrentUser, document_id: DocumentIdPath, body: VisibilityUpdate
) -> Sharing:
    document = load_document(session, user, document_id, Access.OWNER)
    document.visible_to_all = body.visible_to_all
    audit.record(
        session, user, audit.AuditAction.SHARE, "document", document_id, {"visible_to_all": body.visible_to_all}
    )
    session.commit()
    return _sharing(session, document)


@router.get("/sharing/directory", response_model=Directory, summary="Users and groups to share with")
def directory(session: DbSession, _user: CurrentUser) -> Directory:
    users = session.execute(sa.select(User.id, User.username).order_by(User.username)).all()
    groups = session.execute(sa.select(Group.id, Group.name).order_by(Group.name)).all()
    return Directory(
        users=[DirectoryEntry(id=r[0], name=r[1]) for r in users],
        groups=[DirectoryEntry(id=r[0], name=r[1]) for r in groups],
    )
