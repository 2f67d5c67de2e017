"""Audit log rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditRow(BaseModel):
    model_config = {"from_attributes": True}

    id: int
    at: datetime
    user_id: int | None
    username: str | None
    action: str
    target_type: str | None
    target_id: int | None
    client: str | None
    detail: dict[str, Any]
