"""PDF text, metadata and page images with pypdfium2.

pypdfium2 was chosen over MarkItDown's pdfminer path by measurement (bench/pdf_paths.py): the same
word-level F1 against `expected_md/` on the corpus (1.00) at 20–80× the speed, and on held-out
documents it keeps right-to-left text in order where pdfminer reverses it (docs/architecture.md, "The format table").
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from docmill.convert.types import NO_TEXT_LAYER
from docmill.errors import PermanentStageError

_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+\-])?(\d{2})?'?(\d{2})?'?")
_BLANK_RUNS = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
# pdfium is not thread-safe; the sandbox runs one job at a time, this guards in-process callers.
lock = threading.RLock()


@dataclass
class PdfText:
    markdown: str
    page_count: int
    note: str | None = None
    warnings: list[str] = field(default_factory=list)


def open_pdf(path: Path | str, password: str | None = None) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise PermanentStageError(
                "the PDF is encrypted with a password", "remove the password and upload it again"
            ) from None
        raise PermanentStageError(
            f"the PDF cannot be opened ({message})", "the file is truncated or corrupt; upload a complete copy"
        ) from None


def clean_page_text(text: str) -> str:
    # pdfium marks a hyphen that broke a word at a line end as U+0002; the word is joined again.
    text = text.replace("\x02\r\n", "").replace("\x02\n", "").replace("\x02", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\ufffe", "")
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def extract_text(path: Path | str, max_chars: int | None = None) -> PdfText:
    """The PDF's text layer as Markdown paragraphs, one block per page; empty with a note for scans."""
    with lock:
        pdf = open_pdf(path)
        try:
            pages: list[str] = []
            warnings: list[str] = []
            total = 0
            for index in range(len(pdf)):
                try:
                    page = pdf[index]
                    textpage = page.get_textpage()
                    text = clean_page_text(textpage.get_text_bounded())
                    textpage.close()
                    page.close()
                except pdfium.PdfiumError as exc:
                    warnings.append(f"page {index + 1} could not be read ({exc})")
                    continue
                pages.append(text)
                total += len(text)
                if max_chars is not None and total > max_chars:
                    warnings.append(f"text after page {index + 1} was left out (over {max_chars} characters)")
                    break
            count = len(pdf)
        finally:
            pdf.close()
    markdown = "\n\n".join(p for p in pages if p)
    note = NO_TEXT_LAYER if not markdown.strip() and count else None
    return PdfText(markdown=markdown + "\n" if markdown else "", page_count=count, note=note, warnings=warnings)


def parse_pdf_date(value: str | None) -> datetime | None:
    """A PDF date string (D:YYYYMMDDHHmmSSOHH'mm') as an aware datetime."""
    if not value:
        return None
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, sign, tz_h, tz_m = m.groups()
    try:
        tz: timezone = UTC
        if sign in ("+", "-"):
            offset = timedelta(hours=int(tz_h or 0), minutes=int(tz_m or 0))
            tz = timezone(offset if sign == "+" else -offset)
        return datetime(
            int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz
        )
    except ValueError:
        return None


def metadata(path: Path | str) -> dict[str, Any]:
    """Title, author, dates, page count and the rest of the info dictionary."""
    with lock:
        pdf = open_pdf(path)
        try:
            info = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items() if isinstance(v, str)}
            count = len(pdf)
            version = pdf.get_version()
            sample = ""
            for index in range(min(count, 2)):
                page = pdf[index]
                textpage = page.get_textpage()
                sample += clean_page_text(textpage.get_text_bounded()) + "\n"
                textpage.close()
                page.close()
        finally:
            pdf.close()
    with open(path, "rb") as f:
        f.seek(max(0, f.seek(0, 2) - 2048))
        complete = b"%%EOF" in f.read()
    created = parse_pdf_date(info.get("CreationDate"))
    modified = parse_pdf_date(info.get("ModDate"))
    return {
        "title": info.get("Title"),
        "author": info.get("Author"),
        "created": created.isoformat() if created else None,
        "modified": modified.isoformat() if modified else None,
        "page_count": count,
        "text_sample": sample,
        "complete": complete,
        "extra": {k: v for k, v in {"pdf_version": version, **{k.lower(): v for k, v in info.items()}}.items() if v},
    }


def render_page(path: Path | str, index: int = 0, longest_side: int = 640) -> Any:
    """One page as a PIL image whose longest side is about `longest_side` pixels."""
    with lock:
        pdf = open_pdf(path)
        try:
            if len(pdf) == 0:
                raise PermanentStageError("the PDF has no pages", "nothing to show")
            page = pdf[index]
            width, height = page.get_size()
            scale = longest_side / max(width, height, 1.0)
            bitmap = page.render(scale=max(min(scale, 8.0), 0.05))
            image = bitmap.to_pil()
            page.close()
            return image
        finally:
            pdf.close()
