"""The FastAPI application factory."""

from __future__ import annotations

import importlib
import logging

from fastapi import APIRouter, Depends, FastAPI

from docmill import __version__
from docmill.api.deps import require_auth
from docmill.api.errors import ERROR_RESPONSES, install_error_handlers

log = logging.getLogger(__name__)

# Routers under /api, by module; each module exposes `router: APIRouter`. Every one of them requires
# authentication (added here, so a new router cannot forget it). A module not present yet is skipped.
API_ROUTER_MODULES = (
    "docmill.api.routes.documents",
    "docmill.api.routes.uploads",
    "docmill.api.routes.queue",
    "docmill.api.routes.dashboard",
    "docmill.api.routes.search",
    "docmill.api.routes.library",
    "docmill.api.routes.categories",
    "docmill.api.routes.feeds",
    "docmill.api.routes.auth",
)
# Routers outside the auth requirement (login, health), by module.
PUBLIC_ROUTER_MODULES = (
    "docmill.api.routes.health",
    "docmill.api.routes.session",
)


def _import_router(module_name: str) -> APIRouter | None:
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise
    return module.router


def create_app() -> FastAPI:
    app = FastAPI(
        title="docmill",
        version=__version__,
        description="Self-hosted document intelligence server.",
        responses=ERROR_RESPONSES,
    )
    install_error_handlers(app)
    for name in PUBLIC_ROUTER_MODULES:
        router = _import_router(name)
        if router is not None:
            app.include_router(router)
    for name in API_ROUTER_MODULES:
        router = _import_router(name)
        if router is not None:
            app.include_router(router, prefix="/api", dependencies=[Depends(require_auth)])
    try:
        from docmill.api.static import mount_static

        mount_static(app)
    except ModuleNotFoundError:
        pass
    return app
