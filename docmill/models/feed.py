"""News feeds polled by the collector, and the entries already seen."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column


class Feed(Base):
    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    url: Mapped[str] = mapped_column(sa.Text, unique=True, nullable=False)
    title: Mapped[str | None] = mapped_column(sa.Text)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    interval_s: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="1800")
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.Text)
    last_fetch_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    next_fetch_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    last_status: Mapped[str | None] = mapped_column(sa.Text, doc="ok | not_modified | error")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    error_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    items_added: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), doc="Who owns its articles; NULL: the first admin."
    )
    created_at: Mapped[datetime] = created_at_column()


class FeedItem(Base):
    __tablename__ = "feed_items"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    feed_id: Mapped[int] = mapped_column(sa.ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[str] = mapped_column(sa.Text, nullable=False)
    link: Mapped[str | None] = mapped_column(sa.Text)
    normalized_link: Mapped[str | None] = mapped_column(sa.Text)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        sa.UniqueConstraint("feed_id", "entry_id", name="uq_feed_items_feed_entry"),
        sa.Index("ix_feed_items_normalized_link", "normalized_link"),
    )
