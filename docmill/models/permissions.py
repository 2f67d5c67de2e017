"""Groups of users, documents shared with users or groups, and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from docmill.models.base import Base, created_at_column


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text, unique=True, nullable=False)
    created_at: Mapped[datetime] = created_at_column()


class GroupMember(Base):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (sa.Index("ix_group_members_user_id", "user_id"),)


class DocumentShare(Base):
    __tablename__ = "document_shares"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("groups.id", ondelete="CASCADE"))
    permission: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="view | edit")
    created_at: Mapped[datetime] = created_at_column()

    __table_args__ = (
        sa.CheckConstraint("permission IN ('view', 'edit')", name="ck_document_shares_permission"),
        sa.CheckConstraint("(user_id IS NULL) <> (group_id IS NULL)", name="ck_document_shares_one_target"),
        sa.Index(
            "uq_document_shares_user",
            "document_id",
            "user_id",
            unique=True,
            postgresql_where=sa.text("user_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_document_shares_group",
            "document_id",
            "group_id",
            unique=True,
            postgresql_where=sa.text("group_id IS NOT NULL"),
        ),
        sa.Index("ix_document_shares_user_id", "user_id"),
        sa.Index("ix_document_shares_group_id", "group_id"),
    )


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str | None] = mapped_column(sa.Text)
    action: Mapped[str] = mapped_column(sa.Text, nullable=False)
    target_type: Mapped[str | None] = mapped_column(sa.Text)
    target_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    client: Mapped[str | None] = mapped_column(sa.Text)
    detail: Mapped[dict[str, Any]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")
    )

    __table_args__ = (
        sa.Index("ix_audit_log_at", "at"),
        sa.Index("ix_audit_log_action_at", "action", "at"),
        sa.Index("ix_audit_log_user_id_at", "user_id", "at"),
    )
