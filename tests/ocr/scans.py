"""Scans made here: text rendered with a real font, then turned, blurred, noised, photographed and saved.

Korean is drawn with Nanum Gothic (Debian's fonts-nanum), English with DejaVu Sans (fonts-dejavu-core).
Every generator is deterministic (seeded), so a test and the benchmark read the same pages.

- `page(lines, script)`: a clean 300 dpi page (greyscale) with `lines` drawn on it.
- `degrade(image, …)`: rotation by quarter turns, a small skew, blur, noise, and a phone-photo look
  (grey paper, uneven light, JPEG).
- `save_png/save_jpeg/save_tiff/image_pdf/mixed_pdf`: files of the formats docmill reads.
- `char_error_rate(recognised, reference)`: edit distance over the reference length, whitespace
  collapsed (Korean: whitespace ignored, as Tesseract's Korean spacing varies).
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 300
A5 = (int(5.83 * DPI), int(8.27 * DPI))  # portrait, pixels at 300 dpi
FONTS = {
    "en": Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "ko": Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
}

ENGLISH_LETTER = [
    "Dear Ms. Thompson,",
    "Thank you for your letter of March 3rd regarding the",
    "renewal of the maintenance contract for our office",
    "building on Harbour Street. We have reviewed the terms",
    "and agree to extend the agreement for two more years.",
    "The monthly fee of 1,250 dollars remains unchanged.",
    "Please send the signed copy to our accounts department",
    "before the end of April, quoting reference HX-4471.",
    "Yours sincerely,",
    "Jonathan Whitfield",
]
KOREAN_RECEIPT = [
    "영수증",
    "상호: 행복마트 강남점",
    "주소: 서울특별시 강남구 테헤란로 123",
    "날짜: 2024년 5월 17일 14시 32분",
    "신선우유 1개 2,800원",
    "통밀식빵 2개 7,600원",
    "사과주스 1개 3,200원",
    "합계 13,600원",
    "카드결제 승인번호 58213947",
    "이용해 주셔서 감사합니다",
]
ENGLISH_INVOICE = [
    "INVOICE No. 2024-0917",
    "Northwind Stationery Ltd, 14 Quarry Lane, Leeds",
    "Bill to: Harper and Lowe Architects",
    "12 boxes of recycled paper     96.00",
    "4 desk lamps with dimmer       140.00",
    "Delivery                        12.50",
    "Total due within 30 days      248.50",
    "Bank transfer to account 0042 7781 3390",
]
KOREAN_NOTICE = [
    "공지사항",
    "다음 주 월요일부터 사무실 출입 방식이 바뀝니다.",
    "모든 직원은 새 출입카드를 인사팀에서 받아 주십시오.",
    "기존 카드는 금요일 오후 여섯 시까지 사용할 수 있습니다.",
    "문의 사항은 내선 번호 2417로 연락 바랍니다.",
    "총무팀 드림",
]


@dataclass(frozen=True)
class Scan:
    text: str  # what was drawn, lines joined by newlines
    image: Image.Image
    script: str  # "en" | "ko"


def font(script: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS[script]), size)


def page(lines: list[str], script: str = "en", *, size: tuple[int, int] = A5, font_px: int = 42) -> Scan:
    """A clean white page, `lines` in black at about 10 pt (42 px at 300 dpi), one per line."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    face = font(script, font_px)
    y = int(0.6 * DPI)
    for line in lines:
        draw.text((int(0.5 * DPI), y), line, fill=0, font=face)
        y += int(font_px * 1.8)
    return Scan("\n".join(lines), image, script)


def degrade(
    scan: Scan,
    *,
    quarter_turns: int = 0,
    skew_deg: float = 0.0,
    blur: float = 0.0,
    noise: float = 0.0,
    photo: bool = False,
    seed: int = 7,
) -> Scan:
    """The page as a scanner or phone might deliver it. `quarter_turns` counts 90° turns counter-clockwise."""
    image = scan.image.convert("L")
    rng = random.Random(seed)
    if skew_deg:
        image = image.rotate(skew_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if photo:
        image = _photo(image, rng)
    if noise:
        image = _noise(image, noise, rng)
    if quarter_turns % 4:
        image = image.rotate(90 * (quarter_turns % 4), expand=True)
    return Scan(scan.text, image, scan.script)


def _noise(image: Image.Image, amount: float, rng: random.Random) -> Image.Image:
    """Salt-and-pepper specks on `amount` of the pixels plus light Gaussian grain."""
    grain = Image.effect_noise(image.size, 24).point(lambda v: (v - 128) // 4 + 128)
    out = Image.blend(image, grain, 0.15)
    pixels = out.load()
    width, height = out.size
    for _ in range(int(width * height * amount)):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = 0 if rng.random() < 0.5 else 255
    return out


def _photo(image: Image.Image, rng: random.Random) -> Image.Image:
    """Grey paper under uneven light (a smooth 3x3 field of brightness), ink not quite black."""
    field = Image.new("L", (3, 3))
    field.putdata([rng.randrange(110, 215) for _ in range(9)])
    paper = field.resize(image.size, Image.Resampling.BICUBIC)
    darker = paper.point(lambda v: max(v - 80, 20))
    ink = image.point(lambda v: 255 if v < 128 else 0)
    return Image.composite(darker, paper, ink)


def save_png(scan: Scan, path: Path) -> Path:
    scan.image.save(path, "PNG", dpi=(DPI, DPI))
    return path


def save_jpeg(scan: Scan, path: Path, quality: int = 70) -> Path:
    scan.image.convert("RGB").save(path, "JPEG", quality=quality, dpi=(DPI, DPI))
    return path


def save_tiff(scans: list[Scan], path: Path) -> Path:
    """A (multi-page) TIFF, one scan per page, LZW-compressed as scanners write them."""
    first, *rest = [s.image for s in scans]
    first.save(path, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw", dpi=(DPI, DPI))
    return path


def image_pdf(scans: list[Scan], path: Path) -> Path:
    """An image-only PDF (no text layer), one scan per page, as a scanner's 'scan to PDF' writes it."""
    first, *rest = [s.image.convert("RGB") for s in scans]
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=float(DPI))
    return path


def text_pdf_page(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (Helvetica), written by hand: the born-digital half of a mixed PDF."""
    ops = ["BT", "/F1 12 Tf", "72 760 Td", "16 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def mixed_pdf(text_lines: list[str], scan: Scan, path: Path) -> Path:
    """Page 1 born digital (a text layer of `text_lines`), page 2 an image-only scan."""
    scan_pdf = io.BytesIO()
    scan.image.convert("RGB").save(scan_pdf, "PDF", resolution=float(DPI))
    merged = pdfium.PdfDocument.new()
    for data in (text_pdf_page(text_lines), scan_pdf.getvalue()):
        merged.import_pages(pdfium.PdfDocument(data))
    merged.save(str(path))
    return path


def _normalise(text: str, script: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace(" ", "") if script == "ko" else text


def edit_distance(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def char_error_rate(recognised: str, reference: str, script: str = "en") -> float:
    """Character error rate of `recognised` against `reference` (0 is perfect; can exceed 1)."""
    ref, hyp = _normalise(reference, script), _normalise(recognised, script)
    return edit_distance(hyp, ref) / max(len(ref), 1)
