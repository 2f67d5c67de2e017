"""Workflow rules, their runs, webhook deliveries, and dry-runs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from docmill.workflows.types import Action, Condition, Match, Outcome, RuleSpec, Source, Trigger

RuleIdPath = Annotated[int, Path(ge=1, le=2**63 - 1, description="Workflow rule id.")]


class RuleIn(RuleSpec):
    """A rule as sent to create, change or dry-run it."""


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    position: int
    enabled: bool
    trigger: Trigger
    sources: list[Source]
    schedule_minutes: int | None
    match: Match
    conditions: list[Condition]
    actions: list[Action]
    last_scheduled_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_error: str | None = Field(default=None, description="The latest run's error, when the latest run failed.")
    errors: int = Field(default=0, description="Runs that ended in an error, of the last 100.")


class RuleCreated(RuleOut):
    secret: str = Field(description="The webhook signing secret; shown this once.")


class SecretOut(BaseModel):
    secret: str = Field(description="The new webhook signing secret; shown this once.")


class OrderIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, description="Every rule id, in the new order.")


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    summary: str
    detail: dict[str, Any]


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int | None
    rule_name: str
    document_id: int
    trigger: Trigger
    outcome: Outcome
    changes: list[ChangeOut]
    error: str | None
    at: datetime


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: int | None
    url: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class DryRunMatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    document_id: int
    title: str | None
    original_name: str | None
    changes: list[ChangeOut]
    error: str | None


class DryRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    scanned: int = Field(description="Documents looked at (the newest first).")
    matched: int = Field(description="How many of them the rule matches.")
    truncated: bool = Field(description="More documents exist than were scanned, or more matched than are listed.")
    matches: list[DryRunMatchOut]
