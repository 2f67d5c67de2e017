"""Custom fields: definitions (admins define them) and each document's values."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, JsonValue

from docmill.api.schemas.common import NO_NUL
from docmill.fields.types import FieldType


class CustomFieldOut(BaseModel):
    id: int
    slug: str
    name: str
    type: FieldType
    options: list[str] = Field(description="A select field's choices.")
    default_currency: str | None = Field(description="A money field's currency when a value gives none.")
    extraction_hint: str | None = Field(description='What to extract into it, e.g. "the total amount to pay".')
    pattern: str | None = Field(description="A regular expression a text value must match.")
    position: int
    accepted: str = Field(description="What a value of this field may be, in words.")
    created_at: datetime
    updated_at: datetime


class CustomFieldCreate(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(min_length=1, max_length=100, pattern=NO_NUL)
    slug: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Default: from the name.")
    type: FieldType
    options: list[str] = Field(default_factory=list, max_length=200, description="Required for select.")
    default_currency: str | None = Field(default=None, max_length=3, pattern=NO_NUL)
    extraction_hint: str | None = Field(default=None, max_length=500, pattern=NO_NUL)
    pattern: str | None = Field(default=None, max_length=500, pattern=NO_NUL)
    position: int | None = Field(default=None, ge=0, le=100_000)


class CustomFieldUpdate(BaseModel):
    """What to change; what is left out stays. The slug and the type never change."""

    model_config = {"extra": "forbid"}

    name: str | None = Field(default=None, min_length=1, max_length=100, pattern=NO_NUL)
    options: list[str] | None = Field(default=None, max_length=200)
    default_currency: str | None = Field(default=None, max_length=3, pattern=NO_NUL, description='"" clears it.')
    extraction_hint: str | None = Field(default=None, max_length=500, pattern=NO_NUL, description='"" clears it.')
    pattern: str | None = Field(default=None, max_length=500, pattern=NO_NUL, description='"" clears it.')
    position: int | None = Field(default=None, ge=0, le=100_000)


class FieldValue(BaseModel):
    field_id: int
    slug: str
    name: str
    type: FieldType
    value: JsonValue = Field(
        description='Canonical: a string (text, URL, select, decimal "12.50"), an integer, "YYYY-MM-DD", '
        'true/false, an id (document link, user) or {"amount": "125000", "currency": "KRW"} (money).'
    )
    source: str = Field(description="Who set it: user, extraction, workflow or bulk.")
    updated_at: datetime


class DocumentFields(BaseModel):
    document_id: int
    values: list[FieldValue] = Field(description="The fields this document has a value of, in the fields' order.")


class DocumentFieldsUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    values: dict[str, JsonValue] = Field(
        max_length=200,
        description="slug → the new value (null clears it). All are checked before any is written.",
    )


class FieldChangeOut(BaseModel):
    slug: str
    name: str
    old: JsonValue
    new: JsonValue = Field(description="null: cleared.")


class DocumentFieldsUpdated(DocumentFields):
    changed: list[FieldChangeOut] = Field(description="Only what actually changed (setting a value again is none).")
