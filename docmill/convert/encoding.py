"""Decode text files whatever their encoding: BOMs, UTF-8 (tolerating a few bad bytes), legacy code pages."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from docmill.convert import limits

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UTF8_TOLERANCE = 0.01  # share of undecodable bytes under which text is taken as damaged UTF-8


@dataclass
class Decoded:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def guess_encoding(sample: bytes) -> str | None:
    """The encoding of a byte sample, or None when it does not look like text."""
    bom = bom_encoding(sample)
    if bom:
        return bom[0]
    if not sample:
        return "utf-8"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # the sample cut a multi-byte character
            try:
                sample[: exc.start].decode("utf-8")
                return "utf-8"
            except UnicodeDecodeError:
                pass
    if b"\x00" in sample:
        return None
    if _mostly_utf8(sample):
        return "utf-8"
    best = from_bytes(sample[: limits.TEXT_SAMPLE_BYTES]).best()
    return best.encoding if best is not None else None


def _mostly_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return multibyte > 0 and bad <= max(4, _UTF8_TOLERANCE * len(data))


def decode_bytes(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode `data`; the encoding is detected unless given. Never raises on bad bytes."""
    warnings: list[str] = []
    start = 0
    bom = bom_encoding(data)
    if bom:
        encoding, start = bom
    encoding = encoding or guess_encoding(data[: limits.TEXT_SAMPLE_BYTES])
    if encoding is None:
        encoding = "utf-8"
        warnings.append("the text encoding could not be detected; decoded as UTF-8 with replacement characters")
    try:
        text = data[start:].decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = data[start:].decode(encoding if _known(encoding) else "utf-8", errors="replace")
        bad = text.count("\ufffd")
        warnings.append(f"{bad} invalid byte sequence(s) for {encoding} were replaced with U+FFFD")
    return Decoded(text=text.replace("\x00", ""), encoding=encoding, warnings=warnings)


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
        return True
    except LookupError:
        return False


def read_text(path: Path | str, max_bytes: int | None = None) -> Decoded:
    """Read and decode a text file, at most `max_bytes` of it (then `truncated` is set and a warning added)."""
    cap = max_bytes if max_bytes is not None else limits.MARKDOWN_MAX_CHARS * 4
    with open(path, "rb") as f:
        data = f.read(cap + 1)
    truncated = len(data) > cap
    if truncated:
        data = data[:cap]
    decoded = decode_bytes(data)
    if truncated:
        decoded.truncated = True
        decoded.warnings.append(f"only the first {cap // 2**20} MB of the text were read")
    return decoded
