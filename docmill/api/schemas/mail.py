"""Mail accounts (IMAP), their rules, the messages they brought, tests and polls. No password ever goes out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from docmill.api.schemas.common import MAX_BIGINT, NO_NUL, Page
from docmill.collector.mail.service import MAX_AGE_DAYS, MAX_FOLDERS, MAX_INTERVAL_S, MAX_TAGS, MIN_INTERVAL_S
from docmill.collector.mail.types import AfterAction, IngestMode, MessageStatus, PollStatus, Security

AccountIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Mail account id.")]
RuleIdPath = Annotated[int, Path(ge=1, le=MAX_BIGINT, description="Mail rule id.")]
Interval = Annotated[
    int, Field(ge=MIN_INTERVAL_S, le=MAX_INTERVAL_S, description="Seconds between polls (jitter spreads them).")
]
Text = Annotated[str, Field(max_length=1000, pattern=NO_NUL)]
FolderName = Annotated[str, Field(min_length=1, max_length=300, pattern=NO_NUL)]
Tag = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]


class MailAccountCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL, description="A name for the mailbox.")
    host: str = Field(min_length=1, max_length=255, pattern=NO_NUL, description="IMAP server, e.g. imap.example.com.")
    port: int | None = Field(default=None, ge=1, le=65535, description="Default: 993 for TLS, 143 for STARTTLS.")
    security: Security = Field(default=Security.TLS, description="tls (implicit, port 993) or starttls (port 143).")
    username: str = Field(min_length=1, max_length=500, pattern=NO_NUL)
    password: str = Field(
        min_length=1, max_length=1000, pattern=NO_NUL, description="Stored encrypted; never returned."
    )
    ca_cert: str | None = Field(
        default=None, max_length=100_000, pattern=NO_NUL, description="PEM of a custom CA or self-signed certificate."
    )
    interval_s: Interval | None = Field(default=None, description="Default: DOCMILL_MAIL_INTERVAL.")
    enabled: bool = True
    use_idle: bool = Field(default=True, description="Watch the mailbox with IMAP IDLE where the server supports it.")
    allow_delete: bool = Field(default=False, description="Let this account's rules delete messages after ingestion.")


class MailAccountUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    host: str | None = Field(default=None, min_length=1, max_length=255, pattern=NO_NUL)
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Security | None = None
    username: str | None = Field(default=None, min_length=1, max_length=500, pattern=NO_NUL)
    password: str | None = Field(default=None, min_length=1, max_length=1000, pattern=NO_NUL)
    ca_cert: str | None = Field(default=None, max_length=100_000, pattern=NO_NUL, description='"" removes it.')
    interval_s: Interval | None = None
    enabled: bool | None = None
    use_idle: bool | None = None
    allow_delete: bool | None = None


class MailRuleFields(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=NO_NUL)
    position: int | None = Field(default=None, ge=0, le=10_000, description="Rules are tried in this order.")
    enabled: bool | None = None
    folders: list[FolderName] | None = Field(default=None, min_length=1, max_length=MAX_FOLDERS)
    from_contains: Text | None = Field(default=None, description='From contains (case-insensitive); "" clears it.')
    to_contains: Text | None = Field(default=None, description="To or Cc contains.")
    subject_contains: Text | None = None
    body_contains: Text | None = None
    has_attachment: bool | None = Field(default=None, description="true / false; null: either.")
    attachment_glob: Text | None = Field(default=None, description='File name patterns, e.g. "*.pdf, invoice*".')
    max_age_days: int | None = Field(default=None, ge=1, le=MAX_AGE_DAYS, description="Only messages this recent.")
    ingest: IngestMode | None = Field(
        default=None,
        description="attachments: each attachment a document; message: the whole message as one .eml document; "
        "both: the .eml and its attachments as linked documents.",
    )
    after_action: AfterAction | None = Field(default=None, description="none, seen, flag, move (to move_to), delete.")
    move_to: FolderName | None = None
    owner_id: int | None = Field(
        default=None, ge=0, le=MAX_BIGINT, description="User who will own the documents (0 clears it)."
    )
    category: str | None = Field(
        default=None, max_length=500, pattern=NO_NUL, description='Library path to file them under; "" clears it.'
    )
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)


class MailRuleCreate(MailRuleFields):
    name: str = Field(min_length=1, max_length=200, pattern=NO_NUL)


class MailRuleUpdate(MailRuleFields):
    """Only the fields sent change; send null for has_attachment or max_age_days via clear_* to reset them."""

    clear_has_attachment: bool = False
    clear_max_age: bool = False


class MailRuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    name: str
    position: int
    enabled: bool
    folders: list[str]
    from_contains: str | None
    to_contains: str | None
    subject_contains: str | None
    body_contains: str | None
    has_attachment: bool | None
    attachment_glob: str | None
    max_age_days: int | None
    ingest: IngestMode
    after_action: AfterAction
    move_to: str | None
    owner_id: int | None = Field(description="Who owns the documents this rule ingests; null: the first admin.")
    category: str | None = Field(description="Library path.")
    tags: list[str]


class MailProgress(BaseModel):
    """What the collector is doing with the account, or what its last poll did."""

    state: Literal["reading", "idle"] | None = None
    at: datetime | None = None
    folder: str | None = None
    done: int | None = Field(default=None, description="Messages of the folder looked at so far.")
    total: int | None = Field(default=None, description="Messages of the folder to look at.")
    examined: int | None = None
    matched: int | None = None
    ingested: int | None = None
    documents_added: int | None = None
    duplicates: int | None = None
    already: int | None = None
    failed: int | None = None
    rejected: int | None = None
    complete: bool | None = None


class MessageCounts(BaseModel):
    pending: int = 0
    ingested: int = 0
    failed: int = 0
    rejected: int = 0


class MailAccountOut(BaseModel):
    id: int
    name: str
    host: str
    port: int
    security: Security
    username: str
    has_custom_ca: bool
    enabled: bool
    use_idle: bool
    allow_delete: bool
    interval_s: int
    supports_idle: bool = Field(description="The server offered IDLE at the last connection.")
    last_fetch_at: datetime | None
    next_fetch_at: datetime
    last_status: PollStatus | None
    last_error: str | None = Field(description="The error, or the warnings, of the last poll.")
    last_error_code: str | None = Field(description="mail_dns, mail_refused, mail_tls, mail_auth, mail_folder_missing…")
    error_count: int = Field(ge=0, description="Polls in a row that failed; polls back off while it grows.")
    progress: MailProgress
    messages_ingested: int
    documents_added: int
    messages: MessageCounts
    rules: list[MailRuleOut]
    created_at: datetime


class MailTestResult(BaseModel):
    account_id: int
    ok: bool
    code: str | None = Field(description="Why it failed: mail_dns, mail_refused, mail_timeout, mail_tls, mail_auth…")
    message: str | None
    hint: str | None
    folders: list[str] = Field(description="The folders the server lists.")
    capabilities: list[str]
    missing_folders: list[str] = Field(description="Folders the rules read or move to that the server lacks.")


class MailPollResult(BaseModel):
    account_id: int
    status: PollStatus
    examined: int
    matched: int
    ingested: int
    documents_added: int
    duplicates: int
    already: int
    failed: int
    rejected: int
    warnings: list[str]
    error: str | None
    error_code: str | None
    complete: bool
    next_fetch_at: datetime | None


class MailMessageDocumentOut(BaseModel):
    document_id: int
    role: Literal["message", "attachment"]
    name: str | None


class MailMessageOut(BaseModel):
    id: int
    rule_id: int | None
    folder: str
    subject: str | None
    sender: str | None
    sent_at: datetime | None
    message_id: str | None = Field(description="The Message-ID header (null when the message had none).")
    status: MessageStatus
    attempts: int
    error: str | None
    warnings: list[str]
    documents_added: int
    action_done: bool
    updated_at: datetime
    documents: list[MailMessageDocumentOut]


MailMessagePage = Page[MailMessageOut]
