"""Library placement suggestions that the user accepts, edits or rejects."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, SuggestionStatus, created_at_column, pg_enum


class LibrarySuggestion(Base):
    __tablename__ = "library_suggestions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    suggested_path: Mapped[str] = mapped_column(sa.Text, nullable=False)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    confidence: Mapped[float | None] = mapped_column(sa.Float)
    status: Mapped[SuggestionStatus] = mapped_column(
        pg_enum(SuggestionStatus, "suggestion_status"), nullable=False, server_default="pending"
    )
    decided_path: Mapped[str | None] = mapped_column(sa.Text, doc="The path the user accepted (maybe edited).")
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.Index(
            "uq_library_suggestions_pending",
            "document_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_library_suggestions_status", "status"),
    )
