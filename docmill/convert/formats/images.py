"""Images (PNG, JPEG, GIF, WebP, TIFF incl. multi-page, BMP, HEIC/AVIF where Pillow reads them, ICO):
OCR of every page plus the text of their metadata, EXIF metadata, a browser-sized preview, a thumbnail."""

from __future__ import annotations

from pathlib import Path

from PIL.Image import Image

from docmill.convert import images, limits
from docmill.convert.types import (
    NO_TEXT,
    Converted,
    Family,
    Format,
    Metadata,
    NoThumbnail,
    Preview,
    PreviewJob,
    Probe,
    Source,
    ThumbnailJob,
)
from docmill.kinds import DocumentKind

_BROWSER_IMAGES = {"JPEG", "PNG", "GIF", "WEBP"}


def markdown(src: Source) -> Converted:
    meta = images.metadata(src.path)
    lines = []
    if meta.get("title"):
        lines.append(f"# {meta['title']}")
    if meta.get("description"):
        lines.append(str(meta["description"]))
    if meta.get("artist"):
        lines.append(f"*{meta['artist']}*")
    from docmill.convert import ocrpages  # noqa: PLC0415, RUF100  # lazy: OCR (numpy, Tesseract) only where pages are read

    warnings: list[str] = []
    text, pages = ocrpages.image_text(src, warnings)
    if text:
        lines.append(text)
    note = None
    if not lines:
        note = "image: OCR is turned off and it has no text in its metadata" if src.options.ocr is None else NO_TEXT
    return Converted(
        "\n\n".join(lines),
        meta.get("title"),
        note,
        warnings,
        page_count=len(pages) or None,
        pages=pages,
        ocr_languages=src.options.ocr.languages if src.options.ocr and pages else None,
    )


def metadata(src: Source) -> Metadata:
    fields = images.metadata(src.path)
    damaged = fields.pop("damaged", None)
    fields["author"] = fields.get("artist")
    fields["created"] = fields.get("taken")
    return Metadata(fields, warnings=[damaged] if damaged else [])


def preview(job: PreviewJob) -> Preview:
    image = images.open_image(job.source.path)
    orientation = image.getexif().get(0x0112, 1) if hasattr(image, "getexif") else 1
    if image.format in _BROWSER_IMAGES and max(image.size) <= limits.PREVIEW_IMAGE_SIZE and orientation in (None, 1):
        return Preview(job.original_relative, job.source.media_type)
    loaded = images.load(image, limits.PREVIEW_IMAGE_SIZE)
    target = Path(job.derived_dir) / "preview.webp"
    images.save_atomic(images.fit(loaded, limits.PREVIEW_IMAGE_SIZE), target, "WEBP", quality=85, method=4)
    return Preview(f"{job.derived_relative.rstrip('/')}/preview.webp", "image/webp")


def thumbnail(job: ThumbnailJob) -> Image | NoThumbnail:
    return images.load(images.open_image(job.source.path), limits.THUMBNAIL_SIZE)


def _magic(*prefixes: bytes):  # type: ignore[no-untyped-def]
    return lambda probe: probe.head.startswith(prefixes)


def _webp(probe: Probe) -> bool:
    return probe.head[:4] == b"RIFF" and probe.head[8:12] == b"WEBP"


def _bmp(probe: Probe) -> bool:
    head = probe.head
    return head.startswith(b"BM") and len(head) > 26 and head[14:15] in (b"\x0c", b"(", b"@", b"l", b"|")


def _brand(*brands: bytes):  # type: ignore[no-untyped-def]
    return lambda probe: probe.head[4:8] == b"ftyp" and probe.head[8:12] in brands


def _ico(probe: Probe) -> bool:
    return probe.head.startswith(b"\x00\x00\x01\x00") and len(probe.head) > 6


def _image(media_type: str, extension: str, sniff, order: int) -> Format:  # type: ignore[no-untyped-def]
    return Format(
        media_type,
        DocumentKind.IMAGE,
        extension,
        sniff,
        order=order,
        markdown=markdown,
        metadata=metadata,
        preview=preview,
        thumbnail=thumbnail,
    )


def _warm() -> None:
    limits.configure_pillow()


FAMILY = Family(
    "images",
    (
        _image("image/png", "png", _magic(b"\x89PNG\r\n\x1a\n"), 60),
        _image("image/jpeg", "jpg", _magic(b"\xff\xd8\xff"), 60),
        _image("image/gif", "gif", _magic(b"GIF87a", b"GIF89a"), 60),
        _image("image/webp", "webp", _webp, 60),
        _image("image/tiff", "tiff", _magic(b"II*\x00", b"MM\x00*"), 60),
        _image("image/bmp", "bmp", _bmp, 60),
        _image("image/avif", "avif", _brand(b"avif"), 60),
        _image("image/heic", "heic", _brand(b"heic", b"heix", b"mif1", b"msf1"), 61),
        _image("image/vnd.microsoft.icon", "ico", _ico, 62),
    ),
    warm=_warm,
)
