"""Category shapes: the tree with counts, create and update."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from docmill.api.schemas.common import NO_NUL


class CategoryNode(BaseModel):
    id: int | None = Field(description="Null for a path level that is not a category itself.")
    path: str
    name: str
    description: str | None
    count: int = Field(description="Documents filed here.")
    total: int = Field(description="Documents filed here and below.")
    children: list[CategoryNode]


class CategoryTree(BaseModel):
    categories: list[CategoryNode]
    uncategorized: int = Field(description="Documents not filed anywhere.")


class Category(BaseModel):
    id: int
    path: str
    name: str
    description: str | None
    created_at: datetime
    requeued: int = Field(
        default=0,
        description="Documents without a placement this change (create, rename, move) queued for new suggestions.",
    )


class CategoryCreate(BaseModel):
    path: str = Field(min_length=1, max_length=1000, pattern=NO_NUL, examples=["Finance/Invoices"])
    description: str | None = Field(default=None, max_length=2000, pattern=NO_NUL)


class CategoryUpdate(BaseModel):
    description: str | None = Field(
        default=None, max_length=2000, pattern=NO_NUL, description="Left as is when absent."
    )
    path: str | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        pattern=NO_NUL,
        description="A new path renames or moves the category with its subcategories; documents without a "
        "placement get new suggestions.",
        examples=["Finance/Bills"],
    )
