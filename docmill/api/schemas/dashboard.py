"""GET /api/dashboard."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from docmill.api.schemas.queue import Failure, StageLag


class Throughput(BaseModel):
    window_sec: int = Field(description="The window counted, ending now.")
    total: int = Field(ge=0, description="Rows completed in the window, all stages.")
    per_stage: dict[str, int] = Field(description="Rows completed per stage (every registry stage, zeros included).")


class Dashboard(BaseModel):
    category_counts: dict[str, int] = Field(description="Live documents per category path, zeros included.")
    uncategorized_count: int = Field(ge=0)
    document_count: int = Field(ge=0, description="Live (not deleted) documents.")
    category_counts_as_of: datetime = Field(
        description="When the category and document counts were taken (refreshed every few seconds)."
    )
    library_pending_suggestions: int = Field(ge=0, description="Library suggestions waiting for a decision.")
    library_pending_field_suggestions: int = Field(
        ge=0, description="Suggested field values (of documents the caller may see) waiting for a decision."
    )
    queue_lag: list[StageLag] = Field(description="One entry per registry stage, in registry order.")
    throughput: Throughput
    recent_failures: list[Failure] = Field(description="The newest failures not retried yet.")
    generated_at: datetime


class HistoryPointOut(BaseModel):
    t: datetime = Field(description="The start of the bucket.")
    pending: float = Field(description="Mean pending rows in the bucket.")
    processing: float
    failed: float
    oldest_pending_age_sec: float = Field(description="The worst age of the oldest pending row in the bucket.")
    completed_per_min: float = Field(description="Mean rows completed per minute.")


class DashboardHistory(BaseModel):
    window: str = Field(description="1h, 3h, 12h or 7d, ending now.")
    bucket_s: int = Field(description="Seconds between points.")
    total: list[HistoryPointOut] = Field(description="All stages together (sums; the oldest age: the maximum).")
    per_stage: dict[str, list[HistoryPointOut]] = Field(description="The same per stage.")
