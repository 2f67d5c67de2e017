"""Images with Pillow: safe opening (decompression bombs refused), thumbnails, resized previews, EXIF."""

from __future__ import annotations

import contextlib
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from docmill.convert import limits
from docmill.errors import PermanentStageError

limits.configure_pillow()

_EXIF_FIELDS = {
    "Make": "camera_make",
    "Model": "camera_model",
    "DateTimeOriginal": "taken",
    "DateTime": "modified",
    "Artist": "artist",
    "ImageDescription": "description",
    "Software": "software",
}


def open_image(path: Path | str) -> Image.Image:
    """Open an image lazily; refuse decompression bombs and unreadable files with a reason."""
    try:
        image = Image.open(path)
        _check_pixels(image.size)
        return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error(pixels=_pixels_in(str(exc))) from None
    except UnidentifiedImageError:
        raise PermanentStageError(
            "the image format is not readable", "convert it to PNG, JPEG or WebP and upload it again"
        ) from None
    except (OSError, SyntaxError, ValueError, TypeError) as exc:
        raise PermanentStageError(f"the image cannot be read ({exc})", "the file is truncated or corrupt") from None


def _check_pixels(size: tuple[int, int]) -> None:
    if size[0] * size[1] > limits.MAX_IMAGE_PIXELS:
        raise _bomb_error(size)


def _pixels_in(message: str) -> int | None:
    """Pillow's bomb errors say "Image size (N pixels) exceeds limit …"."""
    found = re.search(r"\((\d+) pixels\)", message)
    return int(found.group(1)) if found else None


def frame_count(image: Image.Image) -> tuple[int, bool]:
    """(pages of a multi-page image, whether counting them hit a damaged page): a truncated TIFF counts short."""
    try:
        return int(getattr(image, "n_frames", 1)), False
    except (OSError, EOFError, ValueError, TypeError, SyntaxError):
        count = 1
        try:
            while True:
                image.seek(count)
                count += 1
        except (OSError, EOFError, ValueError, TypeError, SyntaxError):
            pass
        finally:
            image.seek(0)
        return count, True


def _bomb_error(size: tuple[int, int] | None = None, pixels: int | None = None) -> PermanentStageError:
    if size:
        what = f"{size[0]}×{size[1]} pixels"
    elif pixels:
        what = f"{pixels:,} pixels"
    else:
        what = "too many pixels"
    return PermanentStageError(
        f"the image is {what}, over the limit of {limits.MAX_IMAGE_PIXELS // 1_000_000} megapixels "
        "(a decompression bomb or an extremely large scan)",
        "downscale it before uploading",
    )


def load(image: Image.Image, target: int | None = None) -> Image.Image:
    """Decode (for JPEG at a reduced size when a target is given), apply EXIF orientation, normalise the mode."""
    try:
        if target and image.format == "JPEG":
            image.draft("RGB", (target * 2, target * 2))
        image.seek(0)
        image.load()
        oriented = ImageOps.exif_transpose(image) or image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb_error(image.size) from None
    except (OSError, SyntaxError, ValueError, EOFError, TypeError) as exc:
        raise PermanentStageError(f"the image cannot be decoded ({exc})", "the file is truncated or corrupt") from None
    if oriented.mode not in ("RGB", "RGBA"):
        has_alpha = "A" in oriented.getbands() or "transparency" in oriented.info
        oriented = oriented.convert("RGBA" if has_alpha else "RGB")
    return oriented


def fit(image: Image.Image, longest_side: int) -> Image.Image:
    out = image.copy()
    out.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
    return out


def save_atomic(image: Image.Image, path: Path, fmt: str, **options: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if fmt == "JPEG" and image.mode == "RGBA":
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    image.save(tmp, fmt, **options)
    os.replace(tmp, path)


def thumbnail(image: Image.Image, path: Path, size: int = limits.THUMBNAIL_SIZE) -> tuple[int, int]:
    """Write a WebP thumbnail whose longest side is `size`; returns its dimensions."""
    small = fit(image, size)
    save_atomic(small, path, "WEBP", quality=80, method=4)
    return small.size


def metadata(path: Path | str) -> dict[str, Any]:
    image = open_image(path)
    with image:
        out: dict[str, Any] = {"width": image.width, "height": image.height, "format": image.format}
        frames, damaged = frame_count(image)
        if frames > 1:
            out["frames"] = frames
        if damaged:
            out["damaged"] = f"only the first {frames} page(s) can be read: the file is truncated or corrupt"
        try:
            exif = image.getexif()
        except Exception:  # broken EXIF must not fail the image
            exif = None
        if exif:
            tags = dict(exif.items())
            with contextlib.suppress(Exception):  # a broken EXIF sub-directory is skipped
                tags.update(exif.get_ifd(ExifTags.IFD.Exif))
            for tag_id, value in tags.items():
                name = ExifTags.TAGS.get(tag_id)
                if name in _EXIF_FIELDS and isinstance(value, str | int | float):
                    out[_EXIF_FIELDS[name]] = str(value).strip("\x00 ").strip()
            orientation = tags.get(ExifTags.Base.Orientation)
            if orientation:
                out["orientation"] = int(orientation)
        xmp = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
        if xmp:
            for key, value in parse_xmp(xmp).items():
                out.setdefault(key, value)
    for key in ("taken", "modified"):
        if isinstance(out.get(key), str):
            parsed = parse_exif_date(out[key])
            out[key] = parsed.isoformat() if parsed else out[key]
    return {k: v for k, v in out.items() if v not in (None, "")}


def parse_exif_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


_XMP_FIELDS = {
    "{http://purl.org/dc/elements/1.1/}title": "title",
    "{http://purl.org/dc/elements/1.1/}description": "description",
    "{http://purl.org/dc/elements/1.1/}creator": "artist",
    "{http://ns.adobe.com/pdf/1.3/}Author": "artist",
    "{http://ns.adobe.com/xap/1.0/}CreateDate": "taken",
}


def parse_xmp(xmp: bytes | str) -> dict[str, str]:
    """Title, description, creator and date from an XMP packet (parsed with defusedxml; bad XMP is ignored)."""
    data = xmp.encode("utf-8", errors="ignore") if isinstance(xmp, str) else xmp
    start = data.find(b"<x:xmpmeta")
    end = data.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return {}
    try:
        root = SafeET.fromstring(data[start : end + len(b"</x:xmpmeta>")])
    except Exception:  # defusedxml refusals and malformed XML alike: the metadata is optional
        return {}
    out: dict[str, str] = {}
    for element in root.iter():
        key = _XMP_FIELDS.get(element.tag)
        if key is None or key in out:
            continue
        texts = [t.strip() for t in element.itertext() if t and t.strip()]
        value = element.attrib.get(element.tag) or (texts[0] if texts else "")
        if value:
            out[key] = value
    for element in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        for attr, value in element.attrib.items():
            key = _XMP_FIELDS.get(attr)
            if key and key not in out and value.strip():
                out[key] = value.strip()
    return out
