"""Library suggestion shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from docmill.api.schemas.common import MAX_BIGINT, NO_NUL


class Suggestion(BaseModel):
    id: int
    document_id: int
    document_title: str | None
    original_name: str | None
    suggested_path: str
    category_id: int | None = Field(description="The existing category suggested; null for a new path.")
    confidence: float | None
    reason: str | None
    status: Literal["pending", "accepted", "rejected"]
    decided_path: str | None = Field(description="The path the document was filed under, once accepted.")
    created_at: datetime
    decided_at: datetime | None


class AcceptRequest(BaseModel):
    path: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        pattern=NO_NUL,
        description="File under this path instead of the suggested one (created if new).",
    )


class BulkRequest(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=MAX_BIGINT)]] = Field(min_length=1, max_length=500)
    action: Literal["accept", "reject"]


class BulkResult(BaseModel):
    id: int
    ok: bool
    error: str | None = None
    suggestion: Suggestion | None = None


class BulkResponse(BaseModel):
    results: list[BulkResult]
    succeeded: int
    failed: int
