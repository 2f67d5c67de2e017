"""Uploads: what POST /api/documents answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class UploadResult(BaseModel):
    """The outcome of one upload: a new document, or the existing one with the same content."""

    status: Literal["added", "duplicate", "in_trash"] = Field(
        description="added: a new document; duplicate: content known; in_trash: the same content is a document in "
        "the trash: offer to restore it (POST /api/documents/{id}/restore)."
    )
    document_id: int = Field(ge=1, description="The document holding this content.")
    original_name: str | None = Field(default=None, description="The uploaded file's name, made safe for display.")
    note: str | None = Field(default=None, description="For a duplicate, which document has the same content.")
