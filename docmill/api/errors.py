"""One error body shape everywhere: {"error": {"code": …, "message": …, "hint": …}}."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from docmill.errors import DocmillError


class ErrorDetail(BaseModel):
    code: str
    message: str
    hint: str | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(HTTPException):
    """An HTTP error with a code, a message and a hint."""

    def __init__(self, status_code: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(status_code=status_code, detail=message)
        self.code = code
        self.message = message
        self.hint = hint


def error_response(status: int, code: str, message: str, hint: str | None = None, headers=None) -> JSONResponse:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, hint=hint))
    return JSONResponse(status_code=status, content=body.model_dump(), headers=headers)


# Responses every route may give, for the OpenAPI schema.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorBody, "description": "Not authenticated"},
    422: {"model": ErrorBody, "description": "Invalid request"},
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.hint, getattr(exc, "headers", None))

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
        code = {
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
            409: "conflict",
            413: "too_large",
        }.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail), None, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg')}" for err in exc.errors()[:10]
        )
        return error_response(422, "invalid_request", f"invalid request: {problems}", "fix the listed fields")

    @app.exception_handler(DocmillError)
    async def _docmill_error(request: Request, exc: DocmillError) -> JSONResponse:
        return error_response(400, type(exc).__name__.removesuffix("Error").lower() or "error", exc.message, exc.hint)
