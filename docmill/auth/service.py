"""What the api process and the CLI call: first-admin set-up on a Database, plus the auth modules' API."""

from __future__ import annotations

from docmill.auth import users as _users
from docmill.auth.sessions import NewSession, create_session, end_session, end_user_sessions, resolve_session
from docmill.auth.tokens import NewToken, create_token, list_tokens, resolve_token, revoke_token
from docmill.auth.users import (
    AuthError,
    UserInfo,
    authenticate,
    create_user,
    get_user,
    list_users,
    set_password,
)
from docmill.config import Settings
from docmill.db.engine import Database


def ensure_first_admin(db: Database, settings: Settings, *, generate: bool = True) -> tuple[str | None, str | None]:
    """See `docmill.auth.users.ensure_first_admin`; runs in its own transaction."""
    with db.transaction() as session:
        return _users.ensure_first_admin(session, settings, generate=generate)


__all__ = [
    "AuthError",
    "NewSession",
    "NewToken",
    "UserInfo",
    "authenticate",
    "create_session",
    "create_token",
    "create_user",
    "end_session",
    "end_user_sessions",
    "ensure_first_admin",
    "get_user",
    "list_tokens",
    "list_users",
    "resolve_session",
    "resolve_token",
    "revoke_token",
    "set_password",
]
