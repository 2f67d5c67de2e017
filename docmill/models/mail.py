"""IMAP mail accounts, their rules, read positions per folder, and the messages they brought in.

The vocabularies (security, ingest mode, after-action, message status) are enums in
`docmill.collector.mail.types`; the columns hold their values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docmill.models.base import Base, created_at_column, updated_at_column


class MailAccount(Base):
    __tablename__ = "mail_accounts"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text, unique=True, nullable=False)
    host: Mapped[str] = mapped_column(sa.Text, nullable=False)
    port: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    security: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="tls | starttls")
    username: Mapped[str] = mapped_column(sa.Text, nullable=False)
    password_encrypted: Mapped[str] = mapped_column(sa.Text, nullable=False, doc="Fernet token; never returned.")
    ca_cert: Mapped[str | None] = mapped_column(sa.Text, doc="PEM of a custom CA (or the server's own certificate).")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    use_idle: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    allow_delete: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    interval_s: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="300")
    last_fetch_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    next_fetch_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
    last_status: Mapped[str | None] = mapped_column(sa.Text, doc="ok | warning | error")
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_error_code: Mapped[str | None] = mapped_column(sa.Text)
    error_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    capabilities: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
    )
    progress: Mapped[dict[str, Any]] = mapped_column(
        postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")
    )
    messages_ingested: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    documents_added: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    rules: Mapped[list[MailRule]] = relationship(
        back_populates="account",
        order_by="(MailRule.position, MailRule.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class MailRule(Base):
    __tablename__ = "mail_rules"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("mail_accounts.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(sa.Text, nullable=False)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.true())
    folders: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{INBOX}'::text[]")
    )
    from_contains: Mapped[str | None] = mapped_column(sa.Text)
    to_contains: Mapped[str | None] = mapped_column(sa.Text)
    subject_contains: Mapped[str | None] = mapped_column(sa.Text)
    body_contains: Mapped[str | None] = mapped_column(sa.Text)
    has_attachment: Mapped[bool | None] = mapped_column(sa.Boolean)
    attachment_glob: Mapped[str | None] = mapped_column(sa.Text)
    max_age_days: Mapped[int | None] = mapped_column(sa.Integer)
    ingest: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="attachments")
    after_action: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="none")
    move_to: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"),
        doc="Who owns the documents this rule ingests; NULL: the first admin.",
    )
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"))
    tags: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
    )
    created_at: Mapped[datetime] = created_at_column()

    account: Mapped[MailAccount] = relationship(back_populates="rules")

    __table_args__ = (sa.Index("ix_mail_rules_account_id", "account_id", "position", "id"),)


class MailFolder(Base):
    __tablename__ = "mail_folders"

    account_id: Mapped[int] = mapped_column(sa.ForeignKey("mail_accounts.id", ondelete="CASCADE"), primary_key=True)
    folder: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    uidvalidity: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    last_uid: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, server_default="0")
    updated_at: Mapped[datetime] = updated_at_column()


class MailMessage(Base):
    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    account_id: Mapped[int] = mapped_column(sa.ForeignKey("mail_accounts.id", ondelete="CASCADE"), nullable=False)
    message_key: Mapped[str] = mapped_column(sa.Text, nullable=False)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mail_rules.id", ondelete="SET NULL"))
    folder: Mapped[str] = mapped_column(sa.Text, nullable=False)
    uidvalidity: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    uid: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    subject: Mapped[str | None] = mapped_column(sa.Text)
    sender: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    status: Mapped[str] = mapped_column(sa.Text, nullable=False, server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    error: Mapped[str | None] = mapped_column(sa.Text)
    warnings: Mapped[list[str]] = mapped_column(
        postgresql.ARRAY(sa.Text), nullable=False, server_default=sa.text("'{}'::text[]")
    )
    documents_added: Mapped[int] = mapped_column(sa.Integer, nullable=False, server_default="0")
    action_done: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, server_default=sa.false())
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __table_args__ = (
        sa.UniqueConstraint("account_id", "message_key", name="uq_mail_messages_account_key"),
        sa.Index(
            "uq_mail_messages_account_sha256",
            "account_id",
            "sha256",
            unique=True,
            postgresql_where=sa.text("sha256 IS NOT NULL"),
        ),
    )


class MailMessageDocument(Base):
    __tablename__ = "mail_message_documents"

    message_id: Mapped[int] = mapped_column(sa.ForeignKey("mail_messages.id", ondelete="CASCADE"), primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.Text, primary_key=True, doc="message | attachment")
    name: Mapped[str | None] = mapped_column(sa.Text)
