"""Users: create, look up, authenticate by password, change passwords, and the first admin."""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from docmill.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from docmill.config import Settings
from docmill.errors import DocmillError
from docmill.models import Document, Feed, User

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
DEFAULT_ADMIN = "admin"


class AuthError(DocmillError):
    """A user, password or token problem the person can fix."""


def username_problem(username: str) -> str | None:
    if not USERNAME_RE.match(username):
        return (
            f"user name {username!r} is not allowed: use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return None


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    is_admin: bool

    @classmethod
    def of(cls, user: User) -> UserInfo:
        return cls(user.id, user.username, user.is_admin)


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(sa.select(User).where(User.username == username))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(sa.select(User).order_by(User.id)))


def count_users(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(User)) or 0)


def create_user(session: Session, username: str, password: str, *, is_admin: bool = False) -> User:
    """Add a user; raises AuthError if the name is taken or the name or password is unacceptable."""
    problem = username_problem(username) or password_problem(password)
    if problem:
        raise AuthError(problem, "choose another user name or a longer password")
    row = session.execute(
        insert(User)
        .values(username=username, password_hash=hash_password(password), is_admin=is_admin)
        .on_conflict_do_nothing(index_elements=[User.username])
        .returning(User.id)
    ).first()
    if row is None:
        raise AuthError(f"user {username!r} already exists", "pick another name, or change its password instead")
    user = session.get(User, row[0])
    assert user is not None
    if is_admin:
        adopt_orphans(session)
    return user


def set_password(session: Session, user: User, password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise AuthError(problem, "choose a password of 8 to 1024 characters")
    user.password_hash = hash_password(password)


def verify_user_password(user: User, password: str) -> bool:
    return verify_password(user.password_hash, password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The user when the password matches, else None (same cost either way)."""
    user = get_user(session, username)
    if not verify_password(user.password_hash if user else None, password):
        return None
    assert user is not None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def ensure_first_admin(session: Session, settings: Settings, *, generate: bool) -> tuple[str | None, str | None]:
    """Make sure someone can log in. Returns (user name to log in as, generated password or None).

    - DOCMILL_ADMIN_USER set and missing: created with DOCMILL_ADMIN_PASSWORD (or, with `generate`, a
      random password that is returned once). An existing user's password is never changed here.
    - No DOCMILL_ADMIN_USER and no users at all: with `generate`, an "admin" with a random password.
    """
    wanted = settings.admin_user
    env_password = settings.admin_password.get_secret_value() if settings.admin_password else None
    if wanted:
        if get_user(session, wanted) is not None:
            return wanted, None
        if env_password:
            _create_quietly(session, wanted, env_password)
            log.info("created admin user %s from DOCMILL_ADMIN_USER", wanted)
            return wanted, None
        if not generate:
            log.warning(
                "DOCMILL_ADMIN_USER=%s does not exist and DOCMILL_ADMIN_PASSWORD is not set; "
                "set it, or run `docmill user create %s`",
                wanted,
                wanted,
            )
            return None, None
        password = secrets.token_urlsafe(12)
        _create_quietly(session, wanted, password)
        return wanted, password
    admin = session.scalar(sa.select(User).order_by(User.is_admin.desc(), User.id).limit(1))
    if admin is not None:
        return admin.username, None
    if not generate:
        log.warning(
            "there are no docmill users yet: set DOCMILL_ADMIN_USER and DOCMILL_ADMIN_PASSWORD, "
            "or run `docmill user create NAME`"
        )
        return None, None
    password = secrets.token_urlsafe(12)
    _create_quietly(session, DEFAULT_ADMIN, password)
    return DEFAULT_ADMIN, password


def _create_quietly(session: Session, username: str, password: str) -> None:
    """Create an admin; another process creating it at the same moment is fine."""
    problem = username_problem(username) or password_problem(password)
    if problem:
        raise AuthError(problem, "fix DOCMILL_ADMIN_USER / DOCMILL_ADMIN_PASSWORD")
    session.execute(
        insert(User)
        .values(username=username, password_hash=hash_password(password), is_admin=True)
        .on_conflict_do_nothing(index_elements=[User.username])
    )
    adopt_orphans(session)


def adopt_orphans(session: Session) -> int:
    """Documents that came in before any user existed (no owner) go to the first admin."""

    admin = first_admin_id(session)
    if admin is None:
        return 0
    done = session.execute(sa.update(Document).where(Document.owner_id.is_(None)).values(owner_id=admin))
    return int(done.rowcount or 0)


def _admin_count(session: Session) -> int:
    return int(session.scalar(sa.select(sa.func.count()).select_from(User).where(User.is_admin)) or 0)


def set_role(session: Session, user: User, *, is_admin: bool) -> None:
    """Make a user an admin or a member; the last admin cannot become a member."""
    if user.is_admin and not is_admin and _admin_count(session) <= 1:
        raise AuthError(
            f"{user.username} is the only admin; docmill needs at least one",
            "make another user an admin first",
        )
    user.is_admin = is_admin


def delete_user(session: Session, user: User, *, heir: User) -> int:
    """Remove a user; their documents and feeds go to `heir`. Returns how many documents moved."""

    if user.id == heir.id:
        raise AuthError("a user cannot hand their documents to themselves", "name another user to take them")
    if user.is_admin and _admin_count(session) <= 1:
        raise AuthError(f"{user.username} is the only admin", "make another user an admin first")
    moved = session.execute(sa.update(Document).where(Document.owner_id == user.id).values(owner_id=heir.id)).rowcount
    session.execute(sa.update(Feed).where(Feed.owner_id == user.id).values(owner_id=heir.id))
    session.delete(user)
    return int(moved or 0)


def first_admin_id(session: Session) -> int | None:
    """The owner of documents nobody else owns (feeds and the inbox without an owner, the CLI)."""
    found = session.scalar(sa.select(User.id).where(User.is_admin).order_by(User.id).limit(1))
    return None if found is None else int(found)


def default_owner_id(session: Session, username: str | None) -> int | None:
    """The configured owner (DOCMILL_INBOX_OWNER, DOCMILL_FEEDS_OWNER) when that user exists, else the first admin."""
    if username:
        user = get_user(session, username)
        if user is not None:
            return user.id
        log.warning("the configured owner %r is not a user; documents go to the first admin", username)
    return first_admin_id(session)
