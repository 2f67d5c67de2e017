"""Per-page text results of a document: where the text came from (layer or OCR) and OCR's confidence."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base


class DocumentPage(Base):
    __tablename__ = "document_pages"

    document_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(sa.Integer, primary_key=True, doc="1-based page number.")
    source: Mapped[str] = mapped_column(
        sa.Text, nullable=False, doc="layer | ocr | layer+ocr | blank | skipped | failed"
    )
    confidence: Mapped[float | None] = mapped_column(sa.REAL, doc="OCR mean word confidence, 0–100.")
    chars: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    rotation: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False, default=0)
    languages: Mapped[str | None] = mapped_column(sa.Text, doc="Tesseract languages the page was read with.")
