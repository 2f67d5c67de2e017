"""API tokens for scripts: `Authorization: Bearer dm_…`. Only a digest and a short display prefix are stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.auth.digests import API_TOKEN_PREFIX, digest, new_api_token
from docmill.auth.users import AuthError
from docmill.models import ApiToken, User

DISPLAY_PREFIX_LEN = len(API_TOKEN_PREFIX) + 6
LAST_USED_RESOLUTION = timedelta(minutes=1)  # don't write on every request
MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once, never stored
    row: ApiToken


def create_token(session: Session, user: User, name: str, *, expires_in: timedelta | None = None) -> NewToken:
    """A new token for the user; with `expires_in` it stops working after that long."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AuthError(f"a token name needs 1 to {MAX_NAME_LENGTH} characters", "pass --name with a short label")
    if expires_in is not None and expires_in <= timedelta(0):
        raise AuthError("a token's lifetime must be positive", "give a number of days of 1 or more")
    token = new_api_token()
    expires_at = datetime.now(UTC) + expires_in if expires_in is not None else None
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(token),
        prefix=token[:DISPLAY_PREFIX_LEN],
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return NewToken(token, row)


def list_tokens(session: Session, user_id: int | None = None, *, include_revoked: bool = True) -> list[ApiToken]:
    stmt = sa.select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(session.scalars(stmt))


def revoke_token(session: Session, token_id: int, user_id: int | None = None) -> ApiToken | None:
    """Revoke a token (of that user, when given); returns it, or None if there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or (user_id is not None and row.user_id != user_id):
        return None
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    return row


def revoke_user_tokens(session: Session, user_id: int) -> int:
    """Revoke every live token of the user (after a password change); returns how many."""
    result = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    return int(result.rowcount or 0)


class TokenMatch(NamedTuple):
    token: ApiToken
    user: User
    touched: bool  # last_used_at was updated: the caller commits


def resolve_token(session: Session, token: str) -> TokenMatch | None:
    """The live token and its user, or None. Records when it was last used (to the minute)."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = session.execute(
        sa.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == digest(token),
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > sa.func.now()),
        )
    ).first()
    if row is None:
        return None
    api_token, user = row[0], row[1]
    now = datetime.now(UTC)
    touched = api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION
    if touched:
        session.execute(sa.update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=now))
    return TokenMatch(api_token, user, touched)
