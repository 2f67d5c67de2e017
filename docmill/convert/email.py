"""E-mail: RFC 822 (.eml) with the standard library, Outlook .msg headers from its OLE properties.

Markdown and previews show the headers (From, To, Cc, Date, Subject) and the body (plain text, or the
HTML part converted); attachments are listed by name, never opened.
"""

from __future__ import annotations

import email
import email.policy
import html as html_lib
import struct
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import olefile

from docmill.convert import html as html_convert
from docmill.convert import limits
from docmill.errors import PermanentStageError

_HEADERS = ("From", "To", "Cc", "Date", "Subject")


def parse_eml(path: Path | str) -> EmailMessage:
    with open(path, "rb") as f:
        data = f.read(limits.MARKDOWN_MAX_CHARS * 4)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a malformed header must not lose the message
        value = message.get_all(name, failobj=[None])[0] if hasattr(message, "get_all") else None
    return str(value).strip() if value else None


def eml_headers(message: EmailMessage) -> dict[str, str]:
    return {name: value for name in _HEADERS if (value := _header(message, name))}


def _body(message: EmailMessage) -> tuple[str | None, str | None]:
    """(plain text, html) bodies."""
    plain = html_body = None
    try:
        part = message.get_body(preferencelist=("plain",))
        if part is not None:
            plain = part.get_content()
        part = message.get_body(preferencelist=("html",))
        if part is not None:
            html_body = part.get_content()
    except (LookupError, KeyError, ValueError, AssertionError):
        payload = message.get_payload(decode=True)
        if isinstance(payload, bytes):
            plain = payload.decode("utf-8", errors="replace")
    return plain, html_body


def _attachments(message: EmailMessage) -> list[str]:
    names = []
    for part in message.iter_attachments():
        names.append(part.get_filename() or part.get_content_type())
    return names


def eml_to_markdown(path: Path | str) -> tuple[str, str | None]:
    message = parse_eml(path)
    headers = eml_headers(message)
    plain, html_body = _body(message)
    lines = [f"# {headers.get('Subject') or 'E-mail message'}", ""]
    lines += [f"**{k}:** {v}  " for k, v in headers.items() if k != "Subject"]
    body = plain if plain and plain.strip() else (html_convert.html_to_markdown(html_body)[0] if html_body else "")
    lines += ["", body.strip()]
    attachments = _attachments(message)
    if attachments:
        lines += ["", "## Attachments", "", *[f"- {name}" for name in attachments]]
    return "\n".join(lines).strip() + "\n", headers.get("Subject")


def eml_preview(path: Path | str) -> str:
    message = parse_eml(path)
    headers = eml_headers(message)
    plain, html_body = _body(message)
    head = "".join(f"<p><strong>{k}:</strong> {html_lib.escape(v)}</p>" for k, v in headers.items())
    body = html_body if html_body else f"<pre>{html_lib.escape(plain or '')}</pre>"
    return html_convert.sanitize(f"<header>{head}</header><hr>{body}", headers.get("Subject", ""))


# ---- Outlook .msg (OLE) --------------------------------------------------------------------------

_MSG_STRINGS = {"0037": "subject", "0C1A": "sender_name", "0C1F": "sender_email", "0E04": "to", "0E03": "cc"}
_MSG_TIMES = {0x0039: "sent", 0x0E06: "received"}


def _ole(path: Path | str) -> Any:

    try:
        return olefile.OleFileIO(str(path))
    except (OSError, ValueError) as exc:
        raise PermanentStageError(f"the .msg file cannot be read ({exc})", "the file is truncated or corrupt") from None


def _msg_string(ole: Any, prop: str) -> str | None:
    for suffix, codec in (("001F", "utf-16-le"), ("001E", "cp1252")):
        name = f"__substg1.0_{prop}{suffix}"
        if ole.exists(name):
            data = ole.openstream(name).read(1 << 20)
            return data.decode(codec, errors="replace").rstrip("\x00").strip() or None
    return None


def msg_metadata(path: Path | str) -> dict[str, Any]:
    ole = _ole(path)
    try:
        out: dict[str, Any] = {key: _msg_string(ole, prop) for prop, key in _MSG_STRINGS.items()}
        if ole.exists("__properties_version1.0"):
            data = ole.openstream("__properties_version1.0").read(1 << 20)
            for offset in range(32, len(data) - 15, 16):  # 32-byte header, then 16-byte entries
                tag, _flags, value = struct.unpack_from("<IIQ", data, offset)
                prop_type, prop_id = tag & 0xFFFF, tag >> 16
                if prop_type == 0x0040 and prop_id in _MSG_TIMES and value:
                    when = datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=value // 10)
                    out[_MSG_TIMES[prop_id]] = when.isoformat()
        return {k: v for k, v in out.items() if v}
    finally:
        ole.close()


def msg_preview(markdown: str, title: str | None) -> str:
    """The .msg preview: MarkItDown's rendering of headers and plain body, as escaped text."""
    return html_convert.sanitize(f"<pre>{html_lib.escape(markdown)}</pre>", title or "")
