"""FastAPI dependencies shared by every router: settings, database sessions, authentication.

Authentication (`require_auth`, added by the app to every /api router) accepts either
- `Authorization: Bearer <API token>` (scripts; tokens from `docmill token create` or POST /api/tokens), or
- the `docmill_session` cookie from POST /api/session/login (the web UI). The cookie is HttpOnly and
  SameSite=Strict, and every unsafe request (POST, PUT, PATCH, DELETE) made with it must also carry the
  session's CSRF token in the `X-CSRF-Token` header; a bearer token needs no CSRF token because
  browsers never attach it by themselves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from docmill.api.errors import ApiError
from docmill.api.services.dashboard import CategoryCountsCache
from docmill.audit import log as audit
from docmill.audit.log import AuditAction
from docmill.auth.digests import same
from docmill.auth.sessions import resolve_session
from docmill.auth.tokens import resolve_token
from docmill.config import Settings, get_settings
from docmill.db.engine import Database, get_database
from docmill.errors import Forbidden
from docmill.permissions.access import Viewer

SESSION_COOKIE = "docmill_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    description="An API token (`docmill token create`, or POST /api/tokens): `Authorization: Bearer dm_…`.",
)
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="sessionCookie",
    description=f"The login session from POST /api/session/login. Unsafe methods also need the `{CSRF_HEADER}` "
    "header with the session's CSRF token (from the login answer or GET /api/session/me).",
)


# Cheap dependencies are coroutines so that FastAPI does not hop to a worker thread for each of them.
async def settings_dep() -> Settings:
    return get_settings()


async def database_dep() -> Database:
    return get_database()  # opened at start-up by the app's lifespan


def session_dep() -> Iterator[Session]:
    """A session per request (shared with `require_auth`); routes commit what they change."""
    with get_database().session() as session:
        yield session


@dataclass(frozen=True)
class AuthUser:
    """Who made the request, and how."""

    id: int
    username: str
    is_admin: bool
    method: Literal["token", "session"]
    session_id: int | None = None
    csrf_token: str | None = None
    token_id: int | None = None

    @property
    def viewer(self) -> Viewer:
        return Viewer(self.id, self.is_admin)


def _unauthorized(code: str, message: str, hint: str) -> ApiError:
    return ApiError(401, code, message, hint, headers={"WWW-Authenticate": "Bearer"})


def authenticate(session: Session, method: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> AuthUser:
    """Check a request's credentials; raises ApiError 401 (or 403 for a missing CSRF token)."""
    authorization = headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized(
                "invalid_authorization",
                "the Authorization header is not `Bearer <token>`",
                "send `Authorization: Bearer <token>` with a token from `docmill token create`",
            )
        found = resolve_token(session, token.strip())
        if found is None:
            raise _unauthorized(
                "invalid_token",
                "the API token is unknown or revoked",
                "create a new one with `docmill token create` (or POST /api/tokens)",
            )
        api_token, user, touched = found
        if touched:
            session.commit()  # last_used_at
        return AuthUser(user.id, user.username, user.is_admin, "token", token_id=api_token.id)
    cookie = cookies.get(SESSION_COOKIE)
    if cookie:
        found_session = resolve_session(session, cookie)
        if found_session is None:
            raise _unauthorized("session_expired", "the login session has expired or ended", "log in again")
        login, user = found_session
        if method.upper() not in SAFE_METHODS:
            sent = headers.get(CSRF_HEADER.lower())
            if not sent or not same(sent, login.csrf_token):
                raise ApiError(
                    403,
                    "csrf_failed",
                    f"a {method.upper()} with the session cookie needs the {CSRF_HEADER} header",
                    f"send the csrf_token from POST /api/session/login or GET /api/session/me as {CSRF_HEADER}",
                )
        return AuthUser(
            user.id, user.username, user.is_admin, "session", session_id=login.id, csrf_token=login.csrf_token
        )
    raise _unauthorized(
        "unauthorized",
        "authentication required",
        "log in (POST /api/session/login) or send `Authorization: Bearer <token>` (`docmill token create`)",
    )


def authenticate_request(method: str, headers: Mapping[str, str], cookies: Mapping[str, str]) -> AuthUser:
    """`authenticate` in a short session of its own (blocking: call it from a worker thread)."""
    with get_database().session() as session:
        return authenticate(session, method, headers, cookies)


async def require_auth(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    _cookie: Annotated[str | None, Security(cookie_scheme)],
) -> AuthUser:
    """Every /api route depends on this (the app adds it to each /api router); returns the caller.

    The security schemes are parameters so that the OpenAPI schema documents them; the checks read
    the raw headers (an `Authorization` header that is not Bearer is refused, not ignored). The check
    runs in a worker thread with a short session of its own.
    """
    user = getattr(request.state, "auth_user", None)  # already checked by the app's AuthGate
    if isinstance(user, AuthUser):
        return user
    user = await run_in_threadpool(authenticate_request, request.method, request.headers, request.cookies)
    request.state.auth_user = user
    return user


def category_counts_cache(request: Request) -> CategoryCountsCache:
    """The app's snapshot of category counts (see CategoryCountsCache)."""
    cache = getattr(request.app.state, "category_counts", None)
    if cache is None:
        cache = request.app.state.category_counts = CategoryCountsCache()
    return cache


async def metrics_auth(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
    _cookie: Annotated[str | None, Security(cookie_scheme)],
) -> None:
    """/metrics needs authentication unless DOCMILL_METRICS_PUBLIC is set."""
    if get_settings().metrics_public:
        return
    await run_in_threadpool(authenticate_request, request.method, request.headers, request.cookies)


async def require_admin(user: Annotated[AuthUser, Depends(require_auth)]) -> AuthUser:
    """Routers of admin-only operations (queue, feeds, mail, users, groups, audit) depend on this."""
    if not user.is_admin:
        raise Forbidden(
            "this is for admins only (queue operations, feeds, mail, users, groups, the audit log)",
            "ask an admin of this docmill to do it, or to make you an admin",
            code="admin_only",
        )
    return user


CurrentUser = Annotated[AuthUser, Depends(require_auth)]
AdminUser = Annotated[AuthUser, Depends(require_admin)]
DbSession = Annotated[Session, Depends(session_dep)]


def audited(action: AuditAction, target_type: str) -> Any:
    """A router dependency that records every successful unsafe request (queue, feed and mail operations)
    in the audit log: the method, the path and its ids."""

    async def record(request: Request, user: Annotated[AuthUser, Depends(require_auth)]) -> AsyncIterator[None]:
        yield
        if request.method in SAFE_METHODS:
            return
        params = dict(request.path_params)
        target = next((int(v) for k, v in params.items() if k.endswith("_id") and str(v).isdigit()), None)
        detail = {"method": request.method, "path": request.url.path, **{k: str(v) for k, v in params.items()}}
        client = request.client.host if request.client else None

        def write() -> None:
            with get_database().transaction() as session:
                audit.record(session, user, action, target_type, target, detail, client=client)

        await run_in_threadpool(write)

    return record
