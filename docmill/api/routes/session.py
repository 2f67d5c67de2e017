"""Login, logout and who am I, for the web UI (public router: login needs no authentication)."""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from docmill.api.deps import SESSION_COOKIE, AuthUser, DbSession, require_auth, settings_dep
from docmill.api.errors import AUTH_RESPONSES, ERROR_RESPONSES, ApiError, error_doc
from docmill.api.schemas.auth import LoginRequest, SessionInfo, UserOut
from docmill.audit import log as audit
from docmill.auth.sessions import create_session, end_session
from docmill.auth.throttle import HashGate, LoginThrottle
from docmill.auth.users import authenticate
from docmill.config import Settings
from docmill.models import LoginSession, User

router = APIRouter(prefix="/api/session", tags=["session"], responses=ERROR_RESPONSES)


def _throttle(request: Request) -> LoginThrottle:
    throttle = getattr(request.app.state, "login_throttle", None)
    if throttle is None:
        throttle = request.app.state.login_throttle = LoginThrottle()
    return throttle


def _hash_gate(request: Request) -> HashGate:
    gate = getattr(request.app.state, "hash_gate", None)
    if gate is None:
        gate = request.app.state.hash_gate = HashGate(max(1, (os.cpu_count() or 2) // 2))
    return gate


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.post(
    "/login",
    response_model=SessionInfo,
    responses={401: error_doc("Wrong user name or password"), 429: error_doc("Too many failed logins; wait")},
    summary="Log in: sets the session cookie and returns the CSRF token",
)
def login(
    request: Request,
    response: Response,
    session: DbSession,
    settings: Annotated[Settings, Depends(settings_dep)],
    credentials: LoginRequest,
) -> SessionInfo:
    throttle = _throttle(request)
    client = client_address(request)
    wait = throttle.retry_after(credentials.username, client)
    if wait:
        throttle.refused(client)
        raise ApiError(
            429,
            "too_many_failures",
            f"too many failed logins from this address or for {credentials.username!r}",
            f"wait {wait:.0f} s and try again",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    gate = _hash_gate(request)
    if not gate.acquire():
        raise ApiError(
            503,
            "login_busy",
            "too many logins are being checked right now",
            "try again in a few seconds",
            headers={"Retry-After": "2"},
        )
    try:
        user = authenticate(session, credentials.username, credentials.password)
    finally:
        gate.release()
    if user is None:
        throttle.failed(credentials.username, client)
        audit.record(
            session,
            None,
            audit.AuditAction.LOGIN_FAILED,
            "user",
            None,
            {"username": credentials.username[:64]},
            client=client,
            username=credentials.username[:64],
        )
        session.commit()
        raise ApiError(401, "invalid_credentials", "wrong user name or password", "check both and try again")
    throttle.succeeded(credentials.username, client)
    new = create_session(session, user, settings.session_days)
    audit.record(session, user, audit.AuditAction.LOGIN, "user", user.id, {"method": "session"}, client=client)
    session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        new.secret,
        max_age=settings.session_days * 86400,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )
    return SessionInfo(
        user=UserOut(id=user.id, username=user.username, is_admin=user.is_admin, language=user.language),
        method="session",
        csrf_token=new.csrf_token,
        expires_at=new.expires_at,
    )


@router.post("/logout", status_code=204, responses=AUTH_RESPONSES, summary="Log out: ends the login session")
def logout(session: DbSession, user: Annotated[AuthUser, Depends(require_auth)], response: Response) -> Response:
    if user.session_id is not None:
        end_session(session, user.session_id)
        session.commit()
    out = Response(status_code=204)
    out.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return out


@router.get("/me", response_model=SessionInfo, responses=AUTH_RESPONSES, summary="Who is logged in")
def me(session: DbSession, user: Annotated[AuthUser, Depends(require_auth)]) -> SessionInfo:
    expires = None
    if user.session_id is not None:
        login_session = session.get(LoginSession, user.session_id)
        expires = login_session.expires_at if login_session else None
    account = session.get(User, user.id)
    return SessionInfo(
        user=UserOut(
            id=user.id, username=user.username, is_admin=user.is_admin, language=account.language if account else None
        ),
        method=user.method,
        csrf_token=user.csrf_token,
        expires_at=expires,
    )
