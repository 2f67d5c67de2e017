"""The processing queue (docs/architecture.md, "The queue") and persisted per-stage controls."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, QueueStatus, StageColumn, created_at_column, pg_enum, updated_at_column


class QueueRow(Base):
    __tablename__ = "processing_queue"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    stage: Mapped[str] = mapped_column(StageColumn(), nullable=False)
    status: Mapped[QueueStatus] = mapped_column(
        pg_enum(QueueStatus, "queue_status"), nullable=False, server_default="pending"
    )
    priority: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, server_default="0")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    waits: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0", doc="Backend-down waits.")
    rescues: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0", doc="Stale-lease recoveries.")
    run_after: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    locked_by: Mapped[str | None] = mapped_column(sa.Text)
    lease_expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text, doc="e.g. why a completed row did nothing.")
    superseded_by: Mapped[int | None] = mapped_column(
        sa.BigInteger, doc="Set on a failed row once a newer row for the same (document, stage) was enqueued."
    )
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        # At most one active row per (document, stage). Created by migration 0001's guard.
        sa.Index(
            "uq_queue_active",
            "document_id",
            "stage",
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'processing')"),
        ),
        sa.Index(
            "ix_queue_claim",
            "stage",
            sa.text("priority DESC"),
            "run_after",
            "id",
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_queue_pending_age", "stage", "created_at", postgresql_where=sa.text("status = 'pending'")),
        sa.Index("ix_queue_processing", "stage", "lease_expires_at", postgresql_where=sa.text("status = 'processing'")),
        sa.Index(
            "ix_queue_failed",
            "stage",
            "finished_at",
            postgresql_where=sa.text("status = 'failed' AND superseded_by IS NULL"),
        ),
        sa.Index(
            "ix_queue_failed_pair",
            "document_id",
            "stage",
            postgresql_where=sa.text("status = 'failed' AND superseded_by IS NULL"),
        ),
        sa.Index("ix_queue_finished", "finished_at", postgresql_where=sa.text("status = 'completed'")),
        sa.Index("ix_queue_document", "document_id", "stage"),
    )


class StageControl(Base):
    """Per-stage switches that survive restarts (pause/resume)."""

    __tablename__ = "stage_controls"

    stage: Mapped[str] = mapped_column(StageColumn(), primary_key=True)
    paused: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    updated_at: Mapped[datetime] = updated_at_column()
