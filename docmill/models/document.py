"""Documents: one row per distinct content (sha256), whatever way it came in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column, updated_at_column


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    original_name: Mapped[str | None] = mapped_column(sa.Text)
    media_type: Mapped[str] = mapped_column(sa.Text, nullable=False, default="application/octet-stream")
    kind: Mapped[str] = mapped_column(sa.Text, nullable=False, default="unknown")
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    storage_path: Mapped[str | None] = mapped_column(sa.Text, doc="Relative to <data dir>/files.")
    source: Mapped[str] = mapped_column(sa.Text, nullable=False, default="upload")
    source_url: Mapped[str | None] = mapped_column(sa.Text)
    feed_id: Mapped[int | None] = mapped_column(sa.ForeignKey("feeds.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    title: Mapped[str | None] = mapped_column(sa.Text)
    author: Mapped[str | None] = mapped_column(sa.Text)
    language: Mapped[str | None] = mapped_column(sa.Text)
    page_count: Mapped[int | None] = mapped_column(sa.Integer)
    doc_metadata: Mapped[dict[str, Any]] = mapped_column(
        "metadata", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")
    )

    markdown: Mapped[str | None] = mapped_column(sa.Text)
    markdown_note: Mapped[str | None] = mapped_column(sa.Text, doc='e.g. "no text layer"')
    transcript: Mapped[dict[str, Any] | None] = mapped_column(postgresql.JSONB)
    stt_language: Mapped[str | None] = mapped_column(
        sa.Text, doc="The recording's language as the user set it; null: the STT service's default."
    )
    summary: Mapped[str | None] = mapped_column(sa.Text)
    ai_summary: Mapped[str | None] = mapped_column(sa.Text)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"))
    tags: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
    )

    thumbnail_path: Mapped[str | None] = mapped_column(sa.Text)
    preview_path: Mapped[str | None] = mapped_column(sa.Text)
    preview_media_type: Mapped[str | None] = mapped_column(sa.Text)
    searchable_pdf_path: Mapped[str | None] = mapped_column(
        sa.Text, doc="A copy of a scanned PDF with an invisible text layer, relative to the data directory."
    )
    preview_note: Mapped[str | None] = mapped_column(sa.Text, doc='e.g. "preview unavailable: …"')
    warnings: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
    )

    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), doc="NULL only when no user existed: admins alone see it."
    )
    visible_to_all: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())

    __table_args__ = (
        sa.Index("ix_documents_created_at", "created_at"),
        sa.Index("ix_documents_category_id", "category_id"),
        sa.Index("ix_documents_kind", "kind"),
        sa.Index("ix_documents_owner_id", "owner_id"),
        sa.Index("ix_documents_tags", "tags", postgresql_using="gin"),
        sa.CheckConstraint("stt_language ~ '^[a-z]{2,3}$'", name="ck_documents_stt_language"),
    )
