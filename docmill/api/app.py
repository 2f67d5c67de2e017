"""The FastAPI application factory."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from docmill import __version__
from docmill.api.bulk_runner import BulkRunner
from docmill.api.deps import SAFE_METHODS, AuthUser, authenticate_request, require_auth
from docmill.api.errors import AUTH_RESPONSES, ERROR_RESPONSES, ApiError, error_response, install_error_handlers
from docmill.api.housekeeping import Housekeeper
from docmill.api.routes import (
    admin,
    ask,
    audit,
    auth,
    bulk,
    categories,
    dashboard,
    documents,
    feeds,
    field_suggestions,
    fields,
    health,
    library,
    mail,
    notes,
    queue,
    search,
    session,
    shares,
    system,
    trash,
    uploads,
    users,
    views,
    workflows,
)
from docmill.auth.service import ensure_first_admin
from docmill.auth.throttle import HashGate, LoginThrottle
from docmill.config import get_settings
from docmill.db.check import check_schema
from docmill.db.engine import get_database
from docmill.errors import DatabaseError
from docmill.history.sampler import Sampler
from docmill.workflows.runner import WorkflowRunner

log = logging.getLogger(__name__)

# Routers under /api. Every one of them requires authentication (added here, so a new router cannot forget
# it). Imported by name: a router module that is missing or broken stops the api at start, never silently.
API_ROUTERS: tuple[APIRouter, ...] = (
    documents.router,
    fields.router,
    uploads.router,
    queue.router,
    dashboard.router,
    search.router,
    ask.router,
    library.router,
    field_suggestions.router,
    categories.router,
    feeds.router,
    mail.router,
    auth.router,
    admin.router,
    shares.router,
    users.router,
    audit.router,
    trash.router,
    system.router,
    workflows.router,
    workflows.documents_router,
    notes.router,  # issue 19: views
    views.router,
    bulk.router,
)
# Routers outside the auth requirement (login, health); they carry their own paths.
PUBLIC_ROUTERS: tuple[APIRouter, ...] = (health.router, session.router)
# The only /api paths that answer without credentials.
PUBLIC_API_PATHS = frozenset({"/api/session/login"})
OPENAPI_PATH = "/api/openapi.json"

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
)


def _import_optional(module_name: str) -> Any:
    """The module, or None when it does not exist (an error inside it is still raised)."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


class AuthGate:
    """Check credentials of unsafe /api requests before their body is read.

    FastAPI parses a request body (a multipart upload, say) before running dependencies, so without
    this an anonymous client could make the server read and spool a large upload only to be told 401.
    The result is left in the request state, where `require_auth` finds it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or not path.startswith("/api/")
            or path in PUBLIC_API_PATHS
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            user = await run_in_threadpool(authenticate_request, request.method, request.headers, request.cookies)
        except ApiError as exc:
            await error_response(exc.status_code, exc.code, exc.message, exc.hint, exc.headers)(scope, receive, send)
            return
        except Exception as exc:  # the database is down
            log.warning("authentication failed: %s", exc)
            hint = getattr(exc, "hint", None) or "check that PostgreSQL is running; /ready says what is wrong"
            await error_response(503, "database_unavailable", "cannot check credentials", hint)(scope, receive, send)
            return
        scope.setdefault("state", {})["auth_user"] = user
        await self.app(scope, receive, send)


class HostCheck:
    """With DOCMILL_ALLOWED_HOSTS set, answer only requests whose Host header is one of them (DNS rebinding)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        allowed = get_settings().allowed_hosts
        if scope["type"] not in ("http", "websocket") or not allowed:
            await self.app(scope, receive, send)
            return
        hosts = {h.strip().lower() for h in allowed.split(",") if h.strip()}
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").strip().lower()
        if host in hosts or host.rsplit(":", 1)[0] in hosts:
            await self.app(scope, receive, send)
            return
        await error_response(
            400,
            "host_not_allowed",
            f"this server does not answer for the host {host!r}",
            "use the address in DOCMILL_ALLOWED_HOSTS, or add this one to it",
        )(scope, receive, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def _send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, _send)


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """At start-up: create the first admin from DOCMILL_ADMIN_USER/PASSWORD if missing; say what is wrong."""
    settings = get_settings()
    sampler: Sampler | None = None  # the dashboard history's sampler (one writer across processes)
    keeper: Housekeeper | None = None
    runner: WorkflowRunner | None = None  # webhook deliveries and scheduled rules
    bulk_runner: BulkRunner | None = None  # bulk edit jobs (bulk_jobs), one runner per job across processes
    try:
        db = await run_in_threadpool(get_database)
        report = await run_in_threadpool(check_schema, db.url)
        if report.ok:
            await run_in_threadpool(lambda: ensure_first_admin(db, settings, generate=False))
            keeper = Housekeeper(db, settings)
            keeper.start()
            runner = WorkflowRunner(db, settings)
            runner.start()
            bulk_runner = BulkRunner(db)
            bulk_runner.start()
            sampler = Sampler(db, settings.dashboard_sample_interval)
        else:
            for problem in report.problems():
                log.error("%s", problem)
    except (DatabaseError, OSError) as exc:
        log.error("the database is not available at start-up: %s (/ready stays false until it is)", exc)
    if sampler is not None:
        sampler.start()
    try:
        yield
    finally:
        if sampler is not None:
            await run_in_threadpool(sampler.stop)
        if keeper is not None:
            keeper.stop()
        if runner is not None:
            await run_in_threadpool(runner.stop)
        if bulk_runner is not None:
            await run_in_threadpool(bulk_runner.stop)


def create_app() -> FastAPI:
    app = FastAPI(
        title="docmill",
        version=__version__,
        description="Self-hosted document intelligence server. Authenticate with `Authorization: Bearer <token>` "
        "(`docmill token create`) or the session cookie from POST /api/session/login (then send "
        "X-CSRF-Token on unsafe methods).",
        openapi_url=None,  # served at /api/openapi.json, behind authentication
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.login_throttle = LoginThrottle()
    app.state.hash_gate = HashGate(max(1, (os.cpu_count() or 2) // 2))
    install_error_handlers(app)
    for router in PUBLIC_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        app.include_router(
            router,
            prefix="/api",
            dependencies=[Depends(require_auth)],
            responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
        )

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi_schema(_user: Annotated[AuthUser, Depends(require_auth)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    static = _import_optional("docmill.api.static")  # optional: absent from an api-only install
    if static is not None:
        static.mount_static(app)
    app.add_middleware(AuthGate)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HostCheck)
    return app
