"""News feeds: subscriptions, their last fetch, and the result of fetching one now."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from docmill.collector.service import MAX_INTERVAL_S, MIN_INTERVAL_S

NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters
FeedStatus = Literal["ok", "warning", "not_modified", "error"]

FeedIdPath = Annotated[int, Path(ge=1, le=2**63 - 1, description="Feed id.")]
Interval = Annotated[
    int, Field(ge=MIN_INTERVAL_S, le=MAX_INTERVAL_S, description="Seconds between polls (jitter spreads them).")
]


class FeedCreate(BaseModel):
    url: str = Field(
        min_length=1, max_length=2048, pattern=NO_NUL, description="The feed's http(s) URL (RSS, Atom or JSON Feed)."
    )
    interval_s: Interval | None = Field(default=None, description="Seconds between polls; default: the setting.")
    title: str | None = Field(default=None, max_length=500, pattern=NO_NUL, description="A name; default: the feed's.")
    owner_id: int | None = Field(
        default=None, ge=1, le=2**63 - 1, description="User who owns its articles; default: DOCMILL_FEEDS_OWNER."
    )


class FeedUpdate(BaseModel):
    interval_s: Interval | None = None
    enabled: bool | None = Field(default=None, description="false: the collector skips this feed.")
    title: str | None = Field(default=None, max_length=500, pattern=NO_NUL)
    owner_id: int | None = Field(default=None, ge=0, le=2**63 - 1, description="Who owns its articles (0 clears it).")


class FeedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    title: str | None
    enabled: bool
    interval_s: int
    last_fetch_at: datetime | None = Field(description="When the feed was last fetched.")
    last_status: FeedStatus | None = Field(
        description="ok; warning (read, with problems: see last_error); not_modified (HTTP 304); error."
    )
    last_error: str | None = Field(description="The error, or the warnings, of the last fetch.")
    error_count: int = Field(ge=0, description="Fetches in a row that failed; polls back off while it grows.")
    items_added: int = Field(ge=0, description="Documents this feed brought in.")
    owner_id: int | None = Field(default=None, description="Who owns its articles; null: DOCMILL_FEEDS_OWNER.")
    next_fetch_at: datetime
    created_at: datetime


class FeedFetchResult(BaseModel):
    feed_id: int
    status: FeedStatus
    added: int = Field(ge=0, description="New documents.")
    linked: int = Field(ge=0, description="New entries that matched a document already stored.")
    seen: int = Field(ge=0, description="Entries fetched before.")
    skipped: int = Field(ge=0, description="Entries without usable text; tried again next time.")
    warnings: list[str]
    error: str | None
    next_fetch_at: datetime | None
