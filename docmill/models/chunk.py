"""Text chunks with their embedding; the model name is stored with every vector."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column


class Chunk(Base):
    __tablename__ = "chunks"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    ordinal: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    heading: Mapped[str | None] = mapped_column(sa.Text, doc="The Markdown heading path the chunk sits under.")
    text: Mapped[str] = mapped_column(sa.Text, nullable=False)
    # Full-text tokens: words plus Hangul bigrams (so two-syllable Korean words match).
    tsv: Mapped[str | None] = mapped_column(postgresql.TSVECTOR)
    embedding: Mapped[list[float] | None] = mapped_column(Vector())
    model: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        sa.UniqueConstraint("document_id", "model", "ordinal", name="uq_chunks_document_model_ordinal"),
        sa.Index("ix_chunks_tsv", "tsv", postgresql_using="gin"),
        sa.Index("ix_chunks_model", "model"),
    )
