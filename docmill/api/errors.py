"""One error body shape everywhere: {"error": {"code": …, "message": …, "hint": …}}; an error about one input
(a custom field's value) also names it: "field" and its "accepted" forms."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError as SqlOperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from docmill.errors import Conflict, DatabaseError, DocmillError, Forbidden, Invalid, NotFound, Unavailable

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    code: str = Field(description='Machine-readable, e.g. "not_found", "unauthorized", "invalid_request".')
    message: str = Field(description="What went wrong.")
    hint: str | None = Field(default=None, description="What to do about it.")
    field: str | None = Field(default=None, description="The input it is about (a custom field's slug), when one.")
    accepted: str | None = Field(default=None, description="What that input accepts.")


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(HTTPException):
    """An HTTP error with a code, a message and a hint."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        hint: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status_code, detail=message, headers=dict(headers) if headers else None)
        self.code = code
        self.message = message
        self.hint = hint


def error_response(
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    field: str | None = None,
    accepted: str | None = None,
) -> JSONResponse:
    detail = ErrorDetail(code=code, message=message, hint=hint, field=field, accepted=accepted)
    content = {"error": detail.model_dump(exclude_none=True) | {"hint": hint}}  # hint stays, even null
    return JSONResponse(status_code=status, content=content, headers=dict(headers) if headers else None)


def error_doc(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


# Responses every route may give, for the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    422: error_doc("Invalid request"),
    503: error_doc("The database is unavailable"),
}
# Responses of every route behind authentication (the app adds them to each /api router).
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: error_doc("Not authenticated: send `Authorization: Bearer <token>` or log in"),
    403: error_doc("Cookie-authenticated request without a valid X-CSRF-Token header"),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: error_doc("Not found")}
CONFLICT: dict[int | str, dict[str, Any]] = {409: error_doc("Conflicts with the current state")}

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.code, exc.message, exc.hint, exc.headers)
    code = _CODES.get(exc.status_code, "http_error")
    message = str(exc.detail)
    hint = None
    if exc.status_code == 404 and message == "Not Found":
        message, hint = f"no such endpoint: {request.method} {request.url.path}", "see /api/openapi.json"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
        hint = f"allowed: {exc.headers.get('Allow')}" if exc.headers and exc.headers.get("Allow") else None
    return error_response(exc.status_code, code, message, hint, exc.headers)


def _typed_handler(status: int, default_code: str) -> Any:
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DocmillError)
        field, accepted = getattr(exc, "field", None), getattr(exc, "accepted", None)
        return error_response(
            status,
            exc.code or default_code,
            exc.message,
            exc.hint,
            field=field if isinstance(field, str) else None,
            accepted=accepted if isinstance(accepted, str) else None,
        )

    return handle


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return http_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}" for err in exc.errors()[:10]
        )
        return error_response(422, "invalid_request", f"invalid request: {problems}", "fix the listed fields")

    @app.exception_handler(DatabaseError)
    async def _database_error(request: Request, exc: DatabaseError) -> JSONResponse:
        return error_response(503, "database_unavailable", exc.message, exc.hint)

    @app.exception_handler(SqlOperationalError)
    async def _database_down(request: Request, exc: SqlOperationalError) -> JSONResponse:
        log.warning("database error on %s %s: %s", request.method, request.url.path, exc.orig)
        return error_response(
            503,
            "database_unavailable",
            "the database did not answer",
            "check that PostgreSQL is running; /ready says what is wrong",
        )

    # One status per kind of error; a route raises the service's typed error and never re-checks.
    typed: dict[type[DocmillError], tuple[int, str]] = {
        NotFound: (404, "not_found"),
        Conflict: (409, "conflict"),
        Invalid: (422, "invalid_request"),
        Forbidden: (403, "forbidden"),
        Unavailable: (503, "unavailable"),
    }
    for error_type, (status, code) in typed.items():
        app.add_exception_handler(error_type, _typed_handler(status, code))

    @app.exception_handler(DocmillError)
    async def _docmill_error(request: Request, exc: DocmillError) -> JSONResponse:
        return error_response(400, type(exc).__name__.removesuffix("Error").lower() or "error", exc.message, exc.hint)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(
            500, "internal_error", f"unexpected {type(exc).__name__}", "this is a docmill bug; the api log has details"
        )
