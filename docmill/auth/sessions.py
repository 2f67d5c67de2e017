"""Login sessions for the web UI: a random id in an HttpOnly cookie, stored as a digest, with a CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.auth.digests import digest, new_secret
from docmill.models import LoginSession, User


@dataclass(frozen=True)
class NewSession:
    secret: str  # goes into the cookie, never stored
    csrf_token: str
    expires_at: datetime


def create_session(session: Session, user: User, days: int) -> NewSession:
    now = datetime.now(UTC)
    session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now))
    secret, csrf = new_secret(), new_secret()
    expires = now + timedelta(days=days)
    session.add(LoginSession(user_id=user.id, token_hash=digest(secret), csrf_token=csrf, expires_at=expires))
    session.flush()
    return NewSession(secret, csrf, expires)


def resolve_session(session: Session, secret: str) -> tuple[LoginSession, User] | None:
    """The live session and its user for a cookie value, or None (unknown or expired)."""
    row = session.execute(
        sa.select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(LoginSession.token_hash == digest(secret), LoginSession.expires_at > sa.func.now())
    ).first()
    return None if row is None else (row[0], row[1])


def end_session(session: Session, session_id: int) -> None:
    session.execute(sa.delete(LoginSession).where(LoginSession.id == session_id))


def end_user_sessions(session: Session, user_id: int, *, keep: int | None = None) -> int:
    """Log a user out everywhere (after a password change), except the session `keep`."""
    stmt = sa.delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep is not None:
        stmt = stmt.where(LoginSession.id != keep)
    return session.execute(stmt).rowcount or 0
