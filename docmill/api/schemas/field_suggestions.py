"""Extracted field value suggestions, as the review inbox shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from docmill.fields.types import FieldType


class FieldSuggestion(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: int
    document_title: str | None
    original_name: str | None
    field_id: int
    field_slug: str
    field_name: str
    field_type: FieldType
    options: list[str] = Field(description="A select field's choices (empty for other types).")
    value: JsonValue = Field(description="The suggested value in the field's canonical form (see /api/fields).")
    confidence: float | None
    method: str = Field(description='"offline" or "llm <model>".')
    evidence: str | None = Field(description="The words of the document the value was read from.")
    status: Literal["pending", "accepted", "rejected"]
    created_at: datetime
    decided_at: datetime | None


class FieldAcceptRequest(BaseModel):
    value: JsonValue = Field(
        description="Set the field to this value instead of the suggested one (validated against the field's type)."
    )
