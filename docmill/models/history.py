"""The dashboard's history: per stage, the queue's figures at one moment (docmill.history)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base


class DashboardSample(Base):
    __tablename__ = "dashboard_samples"
    __table_args__ = (sa.Index("ix_dashboard_samples_taken_at", "taken_at"),)

    resolution_s: Mapped[int] = mapped_column(sa.Integer, primary_key=True, doc="30: a sample; 300: a 5-min mean")
    taken_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), primary_key=True)
    stage: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    pending: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    processing: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    failed: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    oldest_pending_age_sec: Mapped[float] = mapped_column(sa.Double, nullable=False)
    completed_per_min: Mapped[float] = mapped_column(sa.Double, nullable=False)
