"""Ask request and response shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from docmill.api.schemas.common import NO_NUL


class AskTurn(BaseModel):
    question: str = Field(max_length=1000, pattern=NO_NUL)
    answer: str = Field(max_length=20000, pattern=NO_NUL)


class AskRequest(BaseModel):
    question: str = Field(min_length=1, max_length=1000, pattern=NO_NUL, description="The question, Korean or English.")
    category: str | None = Field(default=None, max_length=1000, pattern=NO_NUL, description="Library path or id.")
    kind: str | None = Field(default=None, max_length=40, pattern=NO_NUL)
    media_type: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    source: str | None = Field(default=None, max_length=300, pattern=NO_NUL)
    tag: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    date_from: date | None = None
    date_to: date | None = None
    fields: list[Annotated[str, Field(min_length=2, max_length=300, pattern=NO_NUL)]] = Field(
        default_factory=list,
        max_length=20,
        description="Custom field filters as in GET /api/documents?field=…: amount>100000, due<2026-12-31.",
    )
    turns: list[AskTurn] = Field(default_factory=list, max_length=20, description="Earlier turns, oldest first.")
    thread_id: int | None = Field(
        default=None, description="Continue this conversation: its earlier turns are read with the question."
    )
    store: bool = Field(default=True, description="Store the turn (in thread_id, else in a new conversation).")


class AskCitation(BaseModel):
    n: int = Field(description="The number the answer cites as [n].")
    document_id: int
    title: str
    original_name: str | None
    chunk_id: int
    quote: str = Field(description="The passage's words the answer rests on, exactly as in the document.")


class AskResponse(BaseModel):
    question: str
    mode: Literal["extractive", "llm"]
    answer: str
    citations: list[AskCitation]
    warnings: list[str]
    found: bool = Field(description="False when the documents hold nothing that answers the question.")
    passages_read: int = Field(description="Passages (chunks) read to answer.")
    documents_read: int = Field(description="Documents those passages come from.")
    count: int | None = Field(description="For questions about the archive: documents matching the filters.")
    thread_id: int | None = Field(default=None, description="The conversation the turn was stored in.")
    timings_ms: dict[str, float]


class AskThreadSummary(BaseModel):
    id: int
    title: str = Field(description="The conversation's first question.")
    turns: int
    created_at: datetime
    updated_at: datetime


class AskThreadList(BaseModel):
    threads: list[AskThreadSummary]


class AskStoredTurn(BaseModel):
    ordinal: int
    question: str
    answer: str
    mode: Literal["extractive", "llm"]
    citations: list[AskCitation]
    warnings: list[str]
    created_at: datetime


class AskThreadDetail(BaseModel):
    id: int
    title: str
    turns: list[AskStoredTurn]
