"""Sharing a document: with a user or a group (view or edit), or with everyone (view)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from docmill.errors import Invalid, NotFound
from docmill.models import Document, DocumentShare, Group, User


class Permission(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"


@dataclass(frozen=True)
class ShareView:
    id: int
    permission: Permission
    user_id: int | None
    username: str | None
    group_id: int | None
    group: str | None


def list_shares(session: Session, document_id: int) -> list[ShareView]:
    s, u, g = DocumentShare.__table__.c, User.__table__.c, Group.__table__.c
    rows = session.execute(
        sa.select(s.id, s.permission, s.user_id, u.username, s.group_id, g.name)
        .select_from(
            DocumentShare.__table__.outerjoin(User.__table__, u.id == s.user_id).outerjoin(
                Group.__table__, g.id == s.group_id
            )
        )
        .where(s.document_id == document_id)
        .order_by(s.id)
    ).all()
    return [ShareView(r[0], Permission(r[1]), r[2], r[3], r[4], r[5]) for r in rows]


def _user_id(session: Session, username: str) -> int:
    found = session.scalar(sa.select(User.id).where(User.username == username))
    if found is None:
        raise NotFound(
            f"there is no user {username!r}", "check the name (GET /api/sharing/directory)", code="no_such_user"
        )
    return int(found)


def _group_id(session: Session, name: str) -> int:
    found = session.scalar(sa.select(Group.id).where(Group.name == name))
    if found is None:
        raise NotFound(
            f"there is no group {name!r}", "check the name (GET /api/sharing/directory)", code="no_such_group"
        )
    return int(found)


def share(
    session: Session,
    document: Document,
    permission: Permission,
    *,
    username: str | None = None,
    group: str | None = None,
) -> ShareView:
    """Share with one user or one group; sharing again changes the permission."""
    if (username is None) == (group is None):
        raise Invalid(
            "name either a user or a group to share with", 'send {"user": …} or {"group": …}', code="invalid_request"
        )
    if username is not None:
        user_id = _user_id(session, username)
        if user_id == document.owner_id:
            raise Invalid(
                f"{username} owns document {document.id}", "share it with someone else", code="share_with_owner"
            )
        stmt = insert(DocumentShare).values(document_id=document.id, user_id=user_id, permission=permission.value)
        stmt = stmt.on_conflict_do_update(
            index_elements=["document_id", "user_id"],
            index_where=sa.text("user_id IS NOT NULL"),
            set_={"permission": permission.value},
        )
    else:
        assert group is not None
        group_id = _group_id(session, group)
        stmt = insert(DocumentShare).values(document_id=document.id, group_id=group_id, permission=permission.value)
        stmt = stmt.on_conflict_do_update(
            index_elements=["document_id", "group_id"],
            index_where=sa.text("group_id IS NOT NULL"),
            set_={"permission": permission.value},
        )
    share_id = session.execute(stmt.returning(DocumentShare.id)).scalar_one()
    return next(v for v in list_shares(session, document.id) if v.id == share_id)


def unshare(session: Session, document_id: int, share_id: int) -> None:
    deleted = session.execute(
        sa.delete(DocumentShare).where(DocumentShare.id == share_id, DocumentShare.document_id == document_id)
    ).rowcount
    if not deleted:
        raise NotFound(
            f"document {document_id} has no share {share_id}",
            f"list its shares: GET /api/documents/{document_id}/shares",
            code="not_found",
        )
