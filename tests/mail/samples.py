"""Messages and attachments made by the tests: a text PDF, a DOCX, a zip, a scanned page, e-mails of every
shape the collector must read (plain, HTML with inline images, RFC 2047 Korean subjects, malformed MIME)."""

from __future__ import annotations

import email.utils
import io
import uuid
import zipfile
from email.header import Header
from email.message import EmailMessage

from PIL import Image, ImageDraw


def text_pdf(text: str) -> bytes:
    """A one-page PDF with a real text layer saying `text` (ASCII)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        zf.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def scan_png(text: str) -> bytes:
    """A 'scanned page': black text drawn on a white image."""
    image = Image.new("L", (800, 300), 255)
    ImageDraw.Draw(image).text((40, 120), text, fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def tiny_png(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


def message(
    *,
    sender: str = "Billing <billing@example.com>",
    to: str = "me@example.org",
    subject: str = "Your invoice",
    body: str | None = "Please find the invoice attached.",  # None: an HTML-only message
    html: str | None = None,
    attachments: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
    inline_images: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
    message_id: str | None = "auto",
    date: str | None = None,
) -> bytes:
    """An RFC 5322 message; From comes first, as servers deliver it (and as docmill's detection expects)."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date or email.utils.formatdate(localtime=False)
    if message_id == "auto":
        msg["Message-ID"] = f"<{uuid.uuid4().hex}@test.docmill>"
    elif message_id:
        msg["Message-ID"] = message_id
    if body is None:
        msg.set_content(html or "", subtype="html")
        html = None
    else:
        msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        if inline_images:
            html_part = msg.get_payload()[1]
            for cid, data in inline_images:
                html_part.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    for name, data, content_type in attachments:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def korean_subject_message(subject: str, charset: str, *, attachment: tuple[str, bytes, str] | None = None) -> bytes:
    """A message whose Subject is RFC 2047-encoded in `charset` (euc-kr or utf-8), base64 words."""
    msg = EmailMessage()
    msg["From"] = "청구서 <billing@example.com>"
    msg["To"] = "me@example.org"
    msg["Subject"] = Header(subject, charset).encode()
    msg["Date"] = email.utils.formatdate()
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@test.docmill>"
    msg.set_content("본문입니다. 청구서를 첨부합니다.")
    if attachment:
        name, data, content_type = attachment
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def malformed_message() -> bytes:
    """Broken MIME: a multipart whose boundary never closes, a bad base64 part, an undecodable header."""
    return (
        b"From: Broken <broken@example.com>\r\n"
        b"To: me@example.org\r\n"
        b"Subject: =?x-unknown-charset?B?////?= broken\r\n"
        b"Message-ID: <" + uuid.uuid4().hex.encode() + b"@broken>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XYZ"\r\n'
        b"\r\n"
        b"--XYZ\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"The body survives.\r\n"
        b"--XYZ\r\n"
        b'Content-Type: application/pdf; name="broken.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b'Content-Disposition: attachment; filename="broken.pdf"\r\n'
        b"\r\n"
        b"JVBERi0xLjQK!!!not base64 at all@@@\r\n"
    )
