"""Users and groups (admins only): list, create, change role or password, remove; group members."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Path, Query, Response

from docmill.api.deps import AdminUser, DbSession, require_admin
from docmill.api.errors import NOT_FOUND, error_doc
from docmill.api.schemas.common import MAX_BIGINT
from docmill.api.schemas.permissions import GroupCreate, GroupOut, Role, UserAdminOut, UserCreate, UserUpdate
from docmill.audit import log as audit
from docmill.auth import users as accounts
from docmill.auth.sessions import end_user_sessions
from docmill.auth.tokens import revoke_user_tokens
from docmill.errors import Conflict, Invalid, NotFound
from docmill.models import Document, User
from docmill.permissions import groups

router = APIRouter(
    tags=["users"],
    dependencies=[Depends(require_admin)],
    responses={403: error_doc("Not an admin")},
)

UserIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="User id.")]
GroupIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Group id.")]


def _load_user(session: DbSession, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", "list users: GET /api/users", code="not_found")
    return user


def _out(session: DbSession, user: User) -> UserAdminOut:
    owned = session.scalar(sa.select(sa.func.count()).select_from(Document).where(Document.owner_id == user.id))
    return UserAdminOut(
        id=user.id,
        username=user.username,
        role=Role.ADMIN if user.is_admin else Role.MEMBER,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
        documents=int(owned or 0),
    )


def _auth_problem(exc: accounts.AuthError) -> Invalid | Conflict:
    if "already exists" in exc.message or "only admin" in exc.message:
        return Conflict(exc.message, exc.hint, code="user_conflict")
    return Invalid(exc.message, exc.hint, code="invalid_request")


@router.get("/users", response_model=list[UserAdminOut], summary="Every user, with role and documents owned")
def list_users(session: DbSession) -> list[UserAdminOut]:
    return [_out(session, u) for u in accounts.list_users(session)]


@router.post("/users", response_model=UserAdminOut, status_code=201, summary="Add a user")
def create_user(session: DbSession, admin: AdminUser, body: UserCreate) -> UserAdminOut:
    try:
        user = accounts.create_user(session, body.username, body.password, is_admin=body.role is Role.ADMIN)
    except accounts.AuthError as exc:
        raise _auth_problem(exc) from None
    audit.record(session, admin, audit.AuditAction.USER, "user", user.id, {"op": "create", "role": body.role.value})
    session.commit()
    return _out(session, user)


@router.patch(
    "/users/{user_id}",
    response_model=UserAdminOut,
    responses={**NOT_FOUND, 409: error_doc("The last admin")},
    summary="Change a user's role or password",
)
def update_user(session: DbSession, admin: AdminUser, user_id: UserIdPath, body: UserUpdate) -> UserAdminOut:
    user = _load_user(session, user_id)
    try:
        if body.role is not None:
            accounts.set_role(session, user, is_admin=body.role is Role.ADMIN)
            audit.record(
                session, admin, audit.AuditAction.USER, "user", user.id, {"op": "role", "role": body.role.value}
            )
        if body.password is not None:
            accounts.set_password(session, user, body.password)
            end_user_sessions(session, user.id, keep=admin.session_id if admin.id == user.id else None)
            revoked = revoke_user_tokens(session, user.id) if body.revoke_tokens else 0
            audit.record(
                session, admin, audit.AuditAction.PASSWORD, "user", user.id, {"op": "reset", "tokens_revoked": revoked}
            )
    except accounts.AuthError as exc:
        raise _auth_problem(exc) from None
    session.commit()
    return _out(session, user)


@router.delete(
    "/users/{user_id}",
    status_code=204,
    responses={**NOT_FOUND, 409: error_doc("The last admin, or yourself")},
    summary="Remove a user; their documents go to you (or to `heir`)",
)
def delete_user(
    session: DbSession,
    admin: AdminUser,
    user_id: UserIdPath,
    heir: Annotated[str | None, Query(max_length=64, description="User name to take their documents.")] = None,
) -> Response:
    user = _load_user(session, user_id)
    if user.id == admin.id:
        raise Conflict("you cannot remove yourself", "ask another admin to do it", code="user_conflict")
    heir_user = accounts.get_user(session, heir) if heir else session.get(User, admin.id)
    if heir_user is None:
        raise NotFound(f"there is no user {heir!r} to take the documents", "name an existing user", code="no_such_user")
    try:
        moved = accounts.delete_user(session, user, heir=heir_user)
    except accounts.AuthError as exc:
        raise _auth_problem(exc) from None
    audit.record(
        session,
        admin,
        audit.AuditAction.USER,
        "user",
        user_id,
        {"op": "delete", "username": user.username, "heir": heir_user.username, "documents": moved},
    )
    session.commit()
    return Response(status_code=204)


def _group_out(view: groups.GroupView) -> GroupOut:
    return GroupOut(id=view.id, name=view.name, members=view.members)


@router.get("/groups", response_model=list[GroupOut], summary="Every group with its members")
def list_groups(session: DbSession) -> list[GroupOut]:
    return [_group_out(v) for v in groups.list_groups(session)]


@router.post(
    "/groups", response_model=GroupOut, status_code=201, responses={409: error_doc("Exists")}, summary="Add a group"
)
def create_group(session: DbSession, admin: AdminUser, body: GroupCreate) -> GroupOut:
    view = groups.create_group(session, body.name)
    for member in body.members:
        view = groups.add_member(session, view.id, member)
    audit.record(session, admin, audit.AuditAction.GROUP, "group", view.id, {"op": "create", "name": view.name})
    session.commit()
    return _group_out(view)


@router.delete("/groups/{group_id}", status_code=204, responses=NOT_FOUND, summary="Remove a group (and its shares)")
def delete_group(session: DbSession, admin: AdminUser, group_id: GroupIdPath) -> Response:
    groups.delete_group(session, group_id)
    audit.record(session, admin, audit.AuditAction.GROUP, "group", group_id, {"op": "delete"})
    session.commit()
    return Response(status_code=204)


@router.put(
    "/groups/{group_id}/members/{user_id}", response_model=GroupOut, responses=NOT_FOUND, summary="Add a member"
)
def add_member(session: DbSession, admin: AdminUser, group_id: GroupIdPath, user_id: UserIdPath) -> GroupOut:
    view = groups.add_member(session, group_id, user_id)
    audit.record(session, admin, audit.AuditAction.GROUP, "group", group_id, {"op": "add_member", "user_id": user_id})
    session.commit()
    return _group_out(view)


@router.delete(
    "/groups/{group_id}/members/{user_id}", response_model=GroupOut, responses=NOT_FOUND, summary="Remove a member"
)
def remove_member(session: DbSession, admin: AdminUser, group_id: GroupIdPath, user_id: UserIdPath) -> GroupOut:
    view = groups.remove_member(session, group_id, user_id)
    audit.record(
        session, admin, audit.AuditAction.GROUP, "group", group_id, {"op": "remove_member", "user_id": user_id}
    )
    session.commit()
    return _group_out(view)
