"""Custom fields: an admin's definitions, each document's values, extracted values awaiting the user."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, SuggestionStatus, created_at_column, pg_enum, updated_at_column


class CustomField(Base):
    __tablename__ = "custom_fields"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    slug: Mapped[str] = mapped_column(sa.Text, unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    type: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="A docmill.fields.types.FieldType value.")
    options: Mapped[list[str]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"), doc="A select field's choices."
    )
    default_currency: Mapped[str | None] = mapped_column(sa.Text, doc="A money field's currency when none is given.")
    extraction_hint: Mapped[str | None] = mapped_column(sa.Text, doc='What to extract, e.g. "the total amount to pay".')
    pattern: Mapped[str | None] = mapped_column(sa.Text, doc="A regular expression an ID-like text value matches.")
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class DocumentFieldValue(Base):
    __tablename__ = "document_field_values"

    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    field_id: Mapped[int] = mapped_column(sa.ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[Any] = mapped_column(postgresql.JSONB, nullable=False, doc="The canonical JSON value.")
    num: Mapped[Decimal | None] = mapped_column(sa.Numeric, doc="integer, decimal, money amount, link and user ids.")
    day: Mapped[date | None] = mapped_column(sa.Date)
    txt: Mapped[str | None] = mapped_column(sa.Text, doc="text, long text, URL, select; a money value's currency.")
    flag: Mapped[bool | None] = mapped_column(sa.Boolean)
    source: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="user")
    set_by: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        sa.Index("ix_document_field_values_field_num", "field_id", "num"),
        sa.Index("ix_document_field_values_field_day", "field_id", "day"),
        sa.Index("ix_document_field_values_field_txt", "field_id", "txt"),
    )


class FieldSuggestion(Base):
    __tablename__ = "field_suggestions"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    field_id: Mapped[int] = mapped_column(sa.ForeignKey("custom_fields.id", ondelete="CASCADE"), nullable=False)
    value: Mapped[Any] = mapped_column(postgresql.JSONB, nullable=False)
    confidence: Mapped[float | None] = mapped_column(sa.Float)
    method: Mapped[str] = mapped_column(sa.Text, nullable=False, doc='"offline" or "llm <model>".')
    evidence: Mapped[str | None] = mapped_column(sa.Text, doc="The words of the text the value was read from.")
    status: Mapped[SuggestionStatus] = mapped_column(
        pg_enum(SuggestionStatus, "suggestion_status"), nullable=False, server_default="pending"
    )
    created_at: Mapped[datetime] = created_at_column()
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        sa.Index(
            "uq_field_suggestions_pending",
            "document_id",
            "field_id",
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
        ),
        sa.Index("ix_field_suggestions_status", "status"),
    )
