"""Ask conversations: a user's threads and their turns (docmill.ask.threads)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column, updated_at_column


class AskThread(Base):
    __tablename__ = "ask_threads"
    __table_args__ = (sa.Index("ix_ask_threads_user_updated", "user_id", "updated_at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    title: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class AskTurn(Base):
    __tablename__ = "ask_turns"
    __table_args__ = (sa.UniqueConstraint("thread_id", "ordinal", name="uq_ask_turns_thread_ordinal"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("ask_threads.id", ondelete="CASCADE"), nullable=False)
    ordinal: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    question: Mapped[str] = mapped_column(sa.Text, nullable=False)
    answer: Mapped[str] = mapped_column(sa.Text, nullable=False)
    mode: Mapped[str] = mapped_column(sa.Text, nullable=False)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")
    )
    warnings: Mapped[list[str]] = mapped_column(postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb"))
    created_at: Mapped[datetime] = created_at_column()
