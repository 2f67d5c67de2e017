"""E-mail: RFC 822 messages (.eml, recognised by their headers) and Outlook .msg (OLE2 with MAPI
property streams): headers and body as Markdown, headers as metadata, a sanitized HTML preview."""

from __future__ import annotations

import re

from docmill.convert import email, office, previews
from docmill.convert.types import Converted, Family, Format, Metadata, Preview, PreviewJob, Probe, Source
from docmill.kinds import DocumentKind

_EMAIL_HEADER = re.compile(
    rb"^(Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+):[ \t]",
    re.IGNORECASE,
)


def sniff_msg(probe: Probe) -> bool:
    streams = probe.ole_streams
    return bool(streams) and (
        any(s.startswith("__substg1.0_") for s in streams) or "__properties_version1.0" in streams  # type: ignore[union-attr]
    )


def sniff_eml(probe: Probe) -> bool:
    head = probe.head
    return (
        probe.text is not None
        and bool(_EMAIL_HEADER.match(head.lstrip()))
        and bool(re.search(rb"^(From|Subject|Date):", head[:16384], re.M | re.I))
        and bool(re.search(rb"\r?\n\r?\n", head))
    )


def msg_markdown(src: Source) -> Converted:
    markdown, title = office.to_markdown(src.path, "msg")
    return Converted(markdown, title)


def eml_markdown(src: Source) -> Converted:
    markdown, title = email.eml_to_markdown(src.path)
    return Converted(markdown, title)


def msg_metadata(src: Source) -> Metadata:
    fields = email.msg_metadata(src.path)
    fields["title"] = fields.get("subject")
    fields["author"] = fields.get("sender_name") or fields.get("sender_email")
    fields["created"] = fields.get("sent")
    return Metadata(fields)


def eml_metadata(src: Source) -> Metadata:
    headers = email.eml_headers(email.parse_eml(src.path))
    fields = {"title": headers.get("Subject"), "author": headers.get("From"), "created": headers.get("Date")}
    fields.update({k.lower(): v for k, v in headers.items() if k in ("To", "Cc")})
    return Metadata(fields)


def msg_preview(job: PreviewJob) -> Preview:
    markdown, title = office.to_markdown(job.source.path, "msg")
    return previews.write_html(job, email.msg_preview(markdown, title))


def eml_preview(job: PreviewJob) -> Preview:
    return previews.write_html(job, email.eml_preview(job.source.path))


FAMILY = Family(
    "email",
    (
        Format(
            "application/vnd.ms-outlook",
            DocumentKind.EMAIL,
            "msg",
            sniff_msg,
            order=30,
            markdown=msg_markdown,
            metadata=msg_metadata,
            preview=msg_preview,
        ),
        Format(
            "message/rfc822",
            DocumentKind.EMAIL,
            "eml",
            sniff_eml,
            order=88,
            markdown=eml_markdown,
            metadata=eml_metadata,
            preview=eml_preview,
        ),
    ),
)
