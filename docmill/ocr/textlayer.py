"""The searchable PDF: the original pages, untouched, with an invisible text layer over the OCR'd ones.

Written with pikepdf the way Tesseract's own PDF renderer does it: a Type 0 font over Tesseract's
glyphless TrueType font (`pdf.ttf` in the tessdata folder; every character code draws nothing), with
an identity ToUnicode map, so text is written as UTF-16 code units and copy, search and selection give
back exactly the recognised words. Each word is placed on its baseline and stretched (Tz) to the width
of its box. The page's own content is wrapped in q/Q first so that no state it leaves behind moves
the layer. The original file is read, never written.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pikepdf

_FONT_NAME = "/FDocmillOcr"
_CHAR_WIDTH = 500  # the glyphless font's advance, in 1/1000 em (its /DW)


@dataclass(frozen=True)
class LayerWord:
    """A word in the page's user space (points): baseline from (x, y), `angle` radians, `width` and `size`."""

    text: str
    x: float
    y: float
    angle: float
    width: float
    size: float


def _cmap() -> bytes:
    return (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        b"1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n"
        b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )


def _font(pdf: pikepdf.Pdf, glyphless: bytes | None) -> pikepdf.Object:
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name.GlyphLessFont,
        Flags=5,
        FontBBox=[0, 0, _CHAR_WIDTH, 1000],
        ItalicAngle=0,
        Ascent=1000,
        Descent=0,
        CapHeight=1000,
        StemV=80,
    )
    if glyphless:
        descriptor.FontFile2 = pdf.make_stream(glyphless)
    cid_to_gid = pdf.make_stream(b"\x00\x01" * 65536)  # every character code → glyph 1 (the empty one)
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name.GlyphLessFont,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor),
        CIDToGIDMap=cid_to_gid,
        DW=_CHAR_WIDTH,
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=pikepdf.Name.GlyphLessFont,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid_font)],
            ToUnicode=pdf.make_stream(_cmap()),
        )
    )


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


def _content(words: list[LayerWord]) -> bytes:
    lines = ["q", "BT", "3 Tr"]
    for word in words:
        encoded = word.text.encode("utf-16-be")
        units = len(encoded) // 2
        if not units or word.size <= 0:
            continue
        natural = units * word.size * _CHAR_WIDTH / 1000
        stretch = max(1.0, min(100.0 * word.width / natural, 10_000.0)) if natural else 100.0
        cos, sin = math.cos(word.angle), math.sin(word.angle)
        matrix = " ".join(_number(v) for v in (cos, sin, -sin, cos, word.x, word.y))
        lines.append(f"{_FONT_NAME} {_number(word.size)} Tf {_number(stretch)} Tz {matrix} Tm <{encoded.hex()}> Tj")
    lines += ["ET", "Q"]
    return "\n".join(lines).encode("ascii")


def write_searchable(
    source: Path | str, layers: dict[int, list[LayerWord]], target: Path, glyphless: Path | None
) -> None:
    """Copy `source` to `target` (atomically) with an invisible text layer on the pages in `layers` (0-based)."""
    font_data = glyphless.read_bytes() if glyphless and glyphless.is_file() else None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with pikepdf.open(source) as pdf:
        font = _font(pdf, font_data)
        for index, words in sorted(layers.items()):
            if not words or index >= len(pdf.pages):
                continue
            page = pdf.pages[index]
            page.contents_coalesce()
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ\n" + _content(words)))
            page.add_resource(font, pikepdf.Name.Font, pikepdf.Name(_FONT_NAME))  # keeps inherited resources
        pdf.save(tmp)
    os.replace(tmp, target)
