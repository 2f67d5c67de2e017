"""The mail vocabulary: connection security, what a rule ingests and does after, statuses, errors."""

from __future__ import annotations

import enum

from docmill.errors import Invalid, Unavailable


class Security(enum.StrEnum):
    TLS = "tls"  # implicit TLS, usually port 993
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS, usually port 143


DEFAULT_PORTS = {Security.TLS: 993, Security.STARTTLS: 143}


class IngestMode(enum.StrEnum):
    ATTACHMENTS = "attachments"  # each attachment becomes a document; the message itself does not
    MESSAGE = "message"  # the whole message becomes one .eml document (its attachments stay inside it)
    BOTH = "both"  # the .eml document, and each attachment as its own document linked to it


class AfterAction(enum.StrEnum):
    NONE = "none"
    SEEN = "seen"  # mark \Seen
    FLAG = "flag"  # mark \Flagged
    MOVE = "move"  # move to the rule's move_to folder
    DELETE = "delete"  # delete (only where the account allows it)


class MessageStatus(enum.StrEnum):
    PENDING = "pending"  # recorded, being ingested (or the collector died while it was)
    INGESTED = "ingested"
    FAILED = "failed"  # tried again at the next polls, up to DOCMILL_MAIL_MAX_ATTEMPTS
    REJECTED = "rejected"  # will never work as it is (too large to download)


class DocumentRole(enum.StrEnum):
    MESSAGE = "message"
    ATTACHMENT = "attachment"


class PollStatus(enum.StrEnum):
    OK = "ok"
    WARNING = "warning"  # read, with problems (failed messages, rejected attachments…): see last_error
    ERROR = "error"  # could not read the account (connection, login, folder)


class MailErrorKind(enum.StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TLS = "tls"
    AUTH = "auth"
    FOLDER_MISSING = "folder_missing"
    BLOCKED = "blocked"  # the host resolves to an address the collector may not connect to
    PROTOCOL = "protocol"  # the server said something unexpected, or the connection broke
    SECRET = "secret"  # the stored password cannot be decrypted


class MailConnectionError(Unavailable):
    """Reaching, securing, logging in to or reading a mailbox failed; `kind` says which step."""

    def __init__(self, kind: MailErrorKind, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint, code=f"mail_{kind.value}")
        self.kind = kind


class InvalidMailSettings(Invalid):
    """An account or rule setting is not acceptable (the message names it and the accepted values)."""
