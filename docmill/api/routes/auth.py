"""API tokens of the logged-in user, and password changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from docmill.api.deps import CurrentUser, DbSession
from docmill.api.errors import NOT_FOUND, ApiError, error_doc
from docmill.api.schemas.auth import LanguageChange, PasswordChange, TokenCreate, TokenCreated, TokenOut, UserOut
from docmill.api.schemas.common import MAX_BIGINT
from docmill.audit import log as audit
from docmill.auth.sessions import end_user_sessions
from docmill.auth.tokens import create_token, list_tokens, revoke_token, revoke_user_tokens
from docmill.auth.users import AuthError, set_password, verify_user_password
from docmill.errors import Forbidden
from docmill.models import ApiToken, User

router = APIRouter(tags=["auth"])


def _out(row: ApiToken) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        expires_at=row.expires_at,
    )


@router.get(
    "/tokens",
    response_model=list[TokenOut],
    responses={403: error_doc("Another user's tokens, and you are not an admin")},
    summary="Your API tokens (revoked ones included); admins: another user's with ?user_id=, everyone's with ?all=true",
)
def get_tokens(
    session: DbSession,
    user: CurrentUser,
    user_id: Annotated[int | None, Query(ge=1, le=MAX_BIGINT, description="Admins: this user's tokens.")] = None,
    all_users: Annotated[bool, Query(alias="all", description="Admins: every user's tokens.")] = False,
) -> list[TokenOut]:
    if (all_users or (user_id is not None and user_id != user.id)) and not user.is_admin:
        raise Forbidden("other users' tokens are for admins only", "leave out user_id and all", code="admin_only")
    return [_out(t) for t in list_tokens(session, None if all_users else (user_id or user.id))]


@router.post("/tokens", status_code=201, response_model=TokenCreated, summary="Create an API token (shown once)")
def post_token(session: DbSession, user: CurrentUser, body: TokenCreate) -> TokenCreated:
    owner = session.get(User, user.id)
    assert owner is not None
    try:
        expires_in = timedelta(days=body.expires_days) if body.expires_days else None
        new = create_token(session, owner, body.name, expires_in=expires_in)
    except AuthError as exc:
        raise ApiError(422, "invalid_request", exc.message, exc.hint) from None
    audit.record(session, user, audit.AuditAction.TOKEN, "token", new.row.id, {"op": "create", "name": body.name})
    session.commit()
    session.refresh(new.row)
    return TokenCreated(token=new.token, info=_out(new.row))


@router.delete(
    "/tokens/{token_id}",
    status_code=204,
    responses=NOT_FOUND,
    summary="Revoke one of your API tokens (admins: anyone's)",
)
def delete_token(
    session: DbSession, user: CurrentUser, token_id: Annotated[int, Path(ge=1, le=MAX_BIGINT)]
) -> Response:
    if revoke_token(session, token_id, None if user.is_admin else user.id) is None:
        raise ApiError(404, "not_found", f"API token {token_id} does not exist", "list yours: GET /api/tokens")
    audit.record(session, user, audit.AuditAction.TOKEN, "token", token_id, {"op": "revoke"})
    session.commit()
    return Response(status_code=204)


@router.post(
    "/account/password",
    status_code=204,
    responses={400: error_doc("The current password is wrong or the new one is too short")},
    summary="Change your password (ends your other login sessions; revokes your API tokens unless told not to)",
)
def change_password(session: DbSession, user: CurrentUser, body: PasswordChange) -> Response:
    account = session.get(User, user.id)
    assert account is not None
    if not verify_user_password(account, body.current_password):
        raise ApiError(400, "wrong_password", "the current password is wrong", "type your current password again")
    try:
        set_password(session, account, body.new_password)
    except AuthError as exc:
        raise ApiError(400, "weak_password", exc.message, exc.hint) from None
    end_user_sessions(session, account.id, keep=user.session_id)
    revoked = revoke_user_tokens(session, account.id) if body.revoke_tokens else 0
    audit.record(
        session, user, audit.AuditAction.PASSWORD, "user", account.id, {"op": "change", "tokens_revoked": revoked}
    )
    session.commit()
    return Response(status_code=204)


@router.put("/account/language", response_model=UserOut, summary="Choose the web UI's language (remembered per user)")
def set_language(session: DbSession, user: CurrentUser, body: LanguageChange) -> UserOut:
    account = session.get(User, user.id)
    assert account is not None
    account.language = body.language
    session.commit()
    return UserOut(id=account.id, username=account.username, is_admin=account.is_admin, language=account.language)
