"""Groups of users, to share documents with many people at once (managed by admins)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from docmill.errors import Conflict, Invalid, NotFound
from docmill.models import Group, GroupMember, User

GROUP_NAME_RE = re.compile(r"^[^\x00-\x1f]{1,100}$")


@dataclass(frozen=True)
class GroupView:
    id: int
    name: str
    members: list[str]


def _view(session: Session, group: Group) -> GroupView:
    names = session.scalars(
        sa.select(User.username)
        .join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id)
        .order_by(User.username)
    ).all()
    return GroupView(group.id, group.name, list(names))


def list_groups(session: Session) -> list[GroupView]:
    return [_view(session, g) for g in session.scalars(sa.select(Group).order_by(Group.name))]


def get_group(session: Session, ref: int | str) -> Group:
    """A group by id or by name."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        group = session.get(Group, int(ref))
    else:
        group = session.scalar(sa.select(Group).where(Group.name == ref))
    if group is None:
        raise NotFound(
            f"there is no group {ref!r}", "list groups: GET /api/groups or `docmill groups list`", code="not_found"
        )
    return group


def create_group(session: Session, name: str) -> GroupView:
    name = " ".join(name.split())
    if not GROUP_NAME_RE.match(name):
        raise Invalid(
            f"group name {name!r} is not allowed", "use 1 to 100 printable characters", code="invalid_request"
        )
    new_id = session.execute(
        insert(Group).values(name=name).on_conflict_do_nothing(index_elements=["name"]).returning(Group.id)
    ).scalar_one_or_none()
    if new_id is None:
        raise Conflict(f"group {name!r} exists already", "pick another name, or add members to it", code="group_exists")
    group = session.get(Group, new_id)
    assert group is not None
    return _view(session, group)


def delete_group(session: Session, ref: int | str) -> None:
    session.delete(get_group(session, ref))


def _user(session: Session, ref: int | str) -> User:
    if isinstance(ref, int):
        user = session.get(User, ref)
    else:
        user = session.scalar(sa.select(User).where(User.username == ref))
    if user is None:
        raise NotFound(
            f"there is no user {ref!r}", "list users: GET /api/users or `docmill users list`", code="no_such_user"
        )
    return user


def add_member(session: Session, group_ref: int | str, user_ref: int | str) -> GroupView:
    group = get_group(session, group_ref)
    user = _user(session, user_ref)
    session.execute(insert(GroupMember).values(group_id=group.id, user_id=user.id).on_conflict_do_nothing())
    return _view(session, group)


def remove_member(session: Session, group_ref: int | str, user_ref: int | str) -> GroupView:
    group = get_group(session, group_ref)
    user = _user(session, user_ref)
    session.execute(sa.delete(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id == user.id))
    return _view(session, group)
