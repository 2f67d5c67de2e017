"""Workflows: an admin's ordered rules, the record of each run, and the webhook deliveries rules queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column, updated_at_column


class WorkflowRule(Base):
    __tablename__ = "workflow_rules"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    trigger: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="A docmill.workflows.types.Trigger value.")
    sources: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text),
        nullable=False,
        server_default=sa.text("'{}'::text[]"),
        doc="For the added trigger: the ways in it applies to (none: all).",
    )
    schedule_minutes: Mapped[int | None] = mapped_column(sa.Integer, doc="For the scheduled trigger: the interval.")
    match: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="all", doc="all or any conditions.")
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    actions: Mapped[list[dict[str, Any]]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    secret: Mapped[str | None] = mapped_column(sa.Text, doc="The webhook signing secret, Fernet-encrypted.")
    last_scheduled_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        sa.Index("ix_workflow_rules_trigger", "trigger", "position"),
        sa.CheckConstraint("length(btrim(name)) BETWEEN 1 AND 200", name="name"),
        sa.CheckConstraint("trigger IN ('added', 'processed', 'updated', 'scheduled')", name="trigger"),
        sa.CheckConstraint("schedule_minutes > 0", name="schedule"),
        sa.CheckConstraint("match IN ('all', 'any')", name="match"),
    )


class WorkflowRun(Base):
    __tablename__ = "workflow_runs"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workflow_rules.id", ondelete="SET NULL"))
    rule_name: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="The rule's name when it ran.")
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    trigger: Mapped[str] = mapped_column(sa.Text, nullable=False)
    outcome: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="applied, no_change or error.")
    changes: Mapped[list[dict[str, Any]]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    error: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        sa.Index("ix_workflow_runs_document_id", "document_id", "at"),
        sa.Index("ix_workflow_runs_rule_id", "rule_id", "at"),
        sa.CheckConstraint("outcome IN ('applied', 'no_change', 'error')", name="outcome"),
    )


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("workflow_rules.id", ondelete="SET NULL"), doc="Whose secret signs the body."
    )
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id", ondelete="SET NULL"))
    url: Mapped[str] = mapped_column(sa.Text, nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False)
    body_sha256: Mapped[str] = mapped_column(sa.Text, nullable=False)
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.Index("uq_webhook_deliveries_event", "rule_id", "document_id", "url", "body_sha256", unique=True),
        sa.Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=sa.text("status IN ('pending', 'delivering')"),
        ),
        sa.CheckConstraint("status IN ('pending', 'delivering', 'delivered', 'failed')", name="status"),
    )
