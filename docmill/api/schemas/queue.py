"""Queue controls and per-stage figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from docmill.pipeline.registry import DocumentKind, ProcessStage


class StageLag(BaseModel):
    stage: ProcessStage
    pending: int = Field(ge=0, description="Rows waiting (including ones backing off).")
    processing: int = Field(ge=0, description="Rows a worker holds now.")
    failed: int = Field(ge=0, description="Failed rows not retried yet.")
    oldest_pending_age_sec: float = Field(ge=0, description="Age of the oldest waiting row; 0 when none wait.")
    paused: bool


class StageStatus(StageLag):
    description: str
    applies_to: list[DocumentKind]
    completed_last_hour: int = Field(ge=0)
    batch_size: int
    concurrency: int
    max_attempts: int
    timeout_s: float


class StageControl(BaseModel):
    stage: ProcessStage
    paused: bool


class StageQueued(BaseModel):
    stage: ProcessStage
    queued: int = Field(ge=0, description="Rows added to the queue.")


class Queued(BaseModel):
    queued: int = Field(ge=0, description="Rows added to the queue.")


class Failure(BaseModel):
    """A failed queue row that has not been retried yet."""

    queue_id: int
    document_id: int
    document_title: str | None = Field(description="The document's title or file name.")
    stage: str = Field(description="A stage name (ProcessStage), or one this version does not know.")
    error: str | None = Field(description="Why it failed.")
    attempts: int
    finished_at: datetime | None
