"""A user's workspace around documents: notes, saved views of the list, bulk edit jobs (migration 0015)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column, updated_at_column


class DocumentNote(Base):
    __tablename__ = "document_notes"
    __table_args__ = (
        sa.Index("ix_document_notes_document_created", "document_id", "created_at"),
        sa.Index("ix_document_notes_tsv", "tsv", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="Markdown, at most 20,000 characters.")
    tsv: Mapped[Any] = mapped_column(postgresql.TSVECTOR, nullable=False, doc="docmill.search.tokens of the body.")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class SavedView(Base):
    __tablename__ = "saved_views"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", name="uq_saved_views_owner_name"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    query: Mapped[dict[str, Any]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb"), doc="The list's URL query params."
    )
    pinned: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class BulkJob(Base):
    __tablename__ = "bulk_jobs"
    __table_args__ = (
        sa.Index("ix_bulk_jobs_status_next", "status", "next_attempt_at"),
        sa.Index("ix_bulk_jobs_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    action: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False)
    selection: Mapped[dict[str, Any]] = mapped_column(postgresql.JSONB, nullable=False)
    document_ids: Mapped[list[int]] = mapped_column(
        postgresql.ARRAY(sa.BigInteger), nullable=False, doc="The selection resolved when the job was submitted."
    )
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="pending")
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    cursor: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0", doc="ids walked so far.")
    done: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    failed: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    errors: Mapped[list[dict[str, Any]]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    error: Mapped[str | None] = mapped_column(sa.Text, doc="Why the job itself failed.")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    locked_by: Mapped[str | None] = mapped_column(sa.Text)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    created_at: Mapped[datetime] = created_at_column()
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    updated_at: Mapped[datetime] = updated_at_column()
