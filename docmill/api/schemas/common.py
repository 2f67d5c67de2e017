"""Shapes shared by every area: the page of results, id parameters, text constraints."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_BIGINT = 2**63 - 1
MAX_OFFSET = 1_000_000_000
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters

DocumentIdPath = Annotated[
    int, Path(ge=1, le=MAX_BIGINT, description="Document id.", openapi_examples={"first": {"value": 1}})
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]


class Page(BaseModel, Generic[T]):
    """One page of a longer list."""

    items: list[T]
    total: int = Field(ge=0, description="Items matching, across all pages.")
    limit: int = Field(ge=1, description="Items per page asked for.")
    offset: int = Field(ge=0, description="Items skipped.")


class Count(BaseModel):
    """How many rows an operation queued or changed."""

    count: int = Field(ge=0)
