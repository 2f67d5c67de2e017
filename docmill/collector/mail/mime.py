"""What a message says (headers, body text) and carries (attachments), read with the standard library.

Nothing here raises on malformed MIME: a header that cannot be decoded is read raw, a part that cannot
be decoded is reported as a warning and left out, and the message still counts.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message

from docmill.collector.parse import html_to_text

CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
WHITESPACE = re.compile(r"\s+")
MAX_BODY_CHARS = 1_000_000  # body text kept for the "body contains" filter


@dataclass(frozen=True)
class Headers:
    message_id: str | None  # without the angle brackets
    subject: str | None
    sender: str | None  # From, decoded ("Name <address>")
    recipients: str | None  # To and Cc, decoded
    date: datetime | None  # the Date header, aware (UTC when it says no zone)


@dataclass(frozen=True)
class Attachment:
    name: str  # the part's file name, or one made from its type
    content_type: str
    payload: bytes


@dataclass
class ParsedMessage:
    headers: Headers
    text: str  # plain body, or the HTML body's text
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _header(message: Message, name: str) -> str | None:
    """A header, decoded (RFC 2047, any charset Python knows); raw when it cannot be decoded."""
    try:
        values = message.get_all(name) or []
        text = ", ".join(str(v) for v in values)
    except Exception:  # a malformed header must not lose the message
        raw = message.get_all(name, failobj=[]) if hasattr(message, "get_all") else []
        text = ", ".join(str(v) for v in raw)
    text = WHITESPACE.sub(" ", text).strip()
    return text or None


def normalize_message_id(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip().split()[0] if value.strip() else ""
    text = text.strip("<>").strip()
    return text[:998] or None


def _date(message: Message) -> datetime | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def headers_of(message: Message) -> Headers:
    to = [v for v in (_header(message, "To"), _header(message, "Cc")) if v]
    return Headers(
        message_id=normalize_message_id(_header(message, "Message-ID")),
        subject=_header(message, "Subject"),
        sender=_header(message, "From"),
        recipients=", ".join(to) or None,
        date=_date(message),
    )


def parse_headers(raw_header: bytes) -> Headers:
    """The headers of a message from its header block (IMAP BODY.PEEK[HEADER])."""
    return headers_of(_parse(raw_header))


def _decoded(part: Message) -> bytes | None:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else None


def _text_of(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        return content if isinstance(content, str) else ""
    except (LookupError, KeyError, ValueError, AssertionError, UnicodeError):
        payload = _decoded(part) or b""
        return payload.decode("utf-8", errors="replace")


def _bodies(message: EmailMessage) -> tuple[Message | None, Message | None]:
    try:
        return message.get_body(preferencelist=("plain",)), message.get_body(preferencelist=("html",))
    except (LookupError, KeyError, ValueError, AssertionError):
        return None, None


def _leaves(part: Message) -> list[Message]:
    """Leaf parts in order; an attached message (message/rfc822) is one leaf, not opened."""
    if part.get_content_type() == "message/rfc822" or not part.is_multipart():
        return [part]
    leaves: list[Message] = []
    payload = part.get_payload()
    for sub in payload if isinstance(payload, list) else []:
        if isinstance(sub, Message):
            leaves.extend(_leaves(sub))
    return leaves


@dataclass(frozen=True)
class PartInfo:
    """A leaf part's headers, read once (each read of a header parses it again under the default policy)."""

    content_type: str
    disposition: str | None
    filename: str | None
    content_id: str | None

    @property
    def maintype(self) -> str:
        return self.content_type.split("/", 1)[0]

    @property
    def subtype(self) -> str:
        return self.content_type.split("/", 1)[-1]


def _info(part: Message) -> PartInfo:
    try:
        filename = part.get_filename()
    except Exception:  # a malformed name parameter
        filename = None
    content_id = part.get("Content-ID")
    return PartInfo(
        content_type=part.get_content_type(),
        disposition=part.get_content_disposition(),
        filename=str(filename) if filename else None,
        content_id=str(content_id).strip().strip("<>") if content_id else None,
    )


def _attachment_name(info: PartInfo, index: int) -> str:
    if info.filename:
        return info.filename
    if info.content_type == "message/rfc822":
        return f"attached-message-{index}.eml"
    return f"attachment-{index}.{re.sub(r'[^a-z0-9]+', '', info.subtype.lower())[:10] or 'bin'}"


def _attached_message_bytes(part: Message) -> bytes | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0].as_bytes(policy=email.policy.default.clone(linesep="\r\n"))
    return _decoded(part)


def _is_attachment(info: PartInfo, referenced: set[str]) -> bool:
    if info.disposition == "attachment":
        return True
    if info.content_id and info.content_id in referenced:
        return False  # an inline image of the HTML body: part of the message, not an attachment
    if info.content_type == "message/rfc822" or info.filename:
        return True
    # a non-text part with neither name nor reference (a bare PDF in a multipart/mixed) is still a file
    return info.maintype not in ("text", "multipart") and info.disposition != "inline"


def _payload(part: Message, info: PartInfo) -> bytes | None:
    return _attached_message_bytes(part) if info.content_type == "message/rfc822" else _decoded(part)


def parse_message(raw: bytes) -> ParsedMessage:
    """Headers, body text and attachments of a whole message."""
    message = _parse(raw)
    parsed = ParsedMessage(headers=headers_of(message), text="")
    plain, html = _bodies(message)
    html_text = _text_of(html) if html is not None else ""
    if plain is not None and _text_of(plain).strip():
        parsed.text = _text_of(plain)
    elif html_text:
        parsed.text = html_to_text(html_text)
    parsed.text = parsed.text[:MAX_BODY_CHARS]
    referenced = set(CID.findall(html_text))
    bodies = {id(p) for p in (plain, html) if p is not None}
    for index, part in enumerate(_leaves(message), start=1):
        if id(part) in bodies:
            continue
        info = _info(part)
        if not _is_attachment(info, referenced):
            continue
        name = _attachment_name(info, index)
        try:
            payload = _payload(part, info)
        except Exception as exc:  # a broken part loses itself, never the message
            parsed.warnings.append(f"attachment {name!r} cannot be decoded ({type(exc).__name__}: {exc})")
            continue
        if payload is None:
            parsed.warnings.append(f"attachment {name!r} has no readable content")
            continue
        parsed.attachments.append(Attachment(name=name, content_type=info.content_type, payload=payload))
    for defect in message.defects[:5]:
        parsed.warnings.append(f"malformed MIME: {type(defect).__name__}")
    return parsed


def eml_name(headers: Headers) -> str:
    """A file name for the message as a document: its subject, made safe, with .eml."""
    subject = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", " ", headers.subject or "").strip()
    return f"{(subject or 'message')[:120].strip()}.eml"
