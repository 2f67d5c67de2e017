"""Scans and photos through OCR: PDFs page by page (text layer where it is usable, OCR where it is not),
and images frame by frame. Every page gets a `PageResult` (where its text came from, OCR confidence).

A PDF page keeps its text layer unless it is unusable: no letters, mostly invisible (render mode 3),
mostly non-letters (a broken font encoding), or a handful of characters over a page-sized picture
(a scan with a stamped page number). Such a page is rendered at 300 dpi and read. Pictures on a page
that keeps its layer are read too, and their text is put where they stand. When any page was read,
the PDF also gets a searchable copy (the original pages with an invisible text layer).

Pages past `max_pages`, or once the time budget is spent, are skipped with a warning: the document
keeps what was read. Everything here runs inside the sandboxed converter process.
"""

from __future__ import annotations

import ctypes
import math
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from docmill.convert import images, limits
from docmill.convert import pdf as pdf_text
from docmill.convert.types import NO_TEXT_LAYER, Converted, OcrOptions, PageResult, PageSource, Source
from docmill.errors import PermanentStageError
from docmill.ocr import languages as ocr_languages
from docmill.ocr import reader
from docmill.ocr.engine import Engine, engine
from docmill.ocr.textlayer import LayerWord, write_searchable

OCR_DPI = 300
OCR_MAX_PIXELS = 50_000_000  # a page rendered larger than this is read at a lower resolution
SEARCHABLE_NAME = "searchable.pdf"
_MIN_LETTERS_OVER_PICTURE = 20
_MIN_LETTER_SHARE = 0.5
_PICTURE_MIN_AREA = 0.01  # of the page
_PICTURE_MIN_PIXELS = 24
_PICTURES_PER_PAGE = 8
_PICTURE_MIN_CONFIDENCE = 50.0


@dataclass
class _Layer:
    text: str
    letters: int
    invisible: int  # characters drawn invisibly
    visible: int
    pictures: list[tuple[float, float, float, float]] = field(default_factory=list)  # l, b, r, t in points
    picture_share: float = 0.0  # largest picture's share of the page

    @property
    def usable(self) -> bool:
        nonspace = sum(1 for ch in self.text if not ch.isspace())
        if not self.letters or self.letters < _MIN_LETTER_SHARE * nonspace:
            return False
        if self.invisible > self.visible:
            return False
        return not (self.letters < _MIN_LETTERS_OVER_PICTURE and self.picture_share > 0.5)


@dataclass
class _Budget:
    options: OcrOptions
    started: float = field(default_factory=time.monotonic)
    pages: int = 0  # pages (or pictures' pages) that needed OCR so far
    cut_at: int | None = None  # first page skipped
    why: str = ""

    def remaining(self) -> float:
        return self.options.time_budget_s - (time.monotonic() - self.started)

    def allows(self, number: int) -> bool:
        if self.pages >= self.options.max_pages:
            self.cut(number, f"DOCMILL_OCR_MAX_PAGES is {self.options.max_pages}")
            return False
        if self.remaining() <= 0:
            self.cut(number, f"OCR used its time budget of {self.options.time_budget_s:.0f} s")
            return False
        return True

    def cut(self, number: int, why: str) -> None:
        if self.cut_at is None:
            self.cut_at, self.why = number, why

    def warning(self, total: int) -> str | None:
        if self.cut_at is None:
            return None
        return f"pages {self.cut_at}–{total} were not read by OCR ({self.why}); they have no text"


def ocr_engine(options: OcrOptions) -> Engine:
    """The process's Tesseract for the configured languages; PermanentStageError naming what to install."""
    report = ocr_languages.check(options.languages)
    if not report.ok or report.tessdata is None:
        raise PermanentStageError("OCR is not usable: " + "; ".join(report.problems), "run `docmill ocr check`")
    return engine(report.languages, report.tessdata)


# ---- PDF ---------------------------------------------------------------------------------------------


def _text_chars(obj: pdfium.PdfObject, textpage: pdfium.PdfTextPage) -> int:
    size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    return max(int(size) // 2 - 1, 0)  # UTF-16 with a terminating NUL


def _layer(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> _Layer:
    text = pdf_text.clean_page_text(textpage.get_text_bounded())
    letters = sum(1 for ch in text if unicodedata.category(ch).startswith("L"))
    layer = _Layer(text, letters, 0, 0)
    width, height = page.get_size()
    area = max(width * height, 1.0)
    for obj in page.get_objects(max_depth=3):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
            chars = _text_chars(obj, textpage)
            if pdfium_c.FPDFTextObj_GetTextRenderMode(obj.raw) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
                layer.invisible += chars
            else:
                layer.visible += chars
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            left, bottom, right, top = obj.get_bounds()
            left, bottom, right, top = max(left, 0), max(bottom, 0), min(right, width), min(top, height)
            share = max(right - left, 0) * max(top - bottom, 0) / area
            layer.picture_share = max(layer.picture_share, share)
            px_w, px_h = obj.get_px_size()
            if share >= _PICTURE_MIN_AREA and min(px_w, px_h) >= _PICTURE_MIN_PIXELS:
                layer.pictures.append((left, bottom, right, top))
    return layer


def _render(page: pdfium.PdfPage, crop: tuple[float, float, float, float] = (0, 0, 0, 0)) -> tuple[Image.Image, float]:
    """The page (or a part: crop = points off left, bottom, right, top) at 300 dpi, less for huge pages."""
    width, height = page.get_size()
    scale = OCR_DPI / 72
    pixels = (width - crop[0] - crop[2]) * (height - crop[1] - crop[3]) * scale * scale
    if pixels > OCR_MAX_PIXELS:
        scale *= math.sqrt(OCR_MAX_PIXELS / pixels)
    bitmap = page.render(scale=scale, crop=crop, grayscale=True)
    return bitmap.to_pil(), scale


def _to_page(page: pdfium.PdfPage, size: tuple[int, int], point: tuple[float, float]) -> tuple[float, float]:
    x, y = ctypes.c_double(), ctypes.c_double()
    pdfium_c.FPDF_DeviceToPage(
        page.raw, 0, 0, size[0], size[1], 0, round(point[0]), round(point[1]), ctypes.byref(x), ctypes.byref(y)
    )
    return x.value, y.value


def _layer_words(page: pdfium.PdfPage, size: tuple[int, int], scale: float, read: reader.PageText) -> list[LayerWord]:
    out = []
    for word in read.words:
        x0, y0 = _to_page(page, size, word.start)
        x1, y1 = _to_page(page, size, word.end)
        width = math.hypot(x1 - x0, y1 - y0)
        if width <= 0:
            continue
        out.append(LayerWord(word.text, x0, y0, math.atan2(y1 - y0, x1 - x0), width, word.height / scale))
    return out


def _ocr_page(eng: Engine, page: pdfium.PdfPage, budget: _Budget) -> tuple[reader.PageText, list[LayerWord]]:
    image, scale = _render(page)
    read = reader.read(eng, image, dpi=round(72 * scale), timeout_s=min(max(budget.remaining(), 5.0), 300.0))
    return read, _layer_words(page, image.size, scale, read)


def _picture_texts(eng: Engine, page: pdfium.PdfPage, layer: _Layer) -> list[tuple[tuple[float, ...], str, float]]:
    """Text found in the pictures of a page that keeps its layer: (bounds, text, confidence) each."""
    width, height = page.get_size()
    found = []
    for left, bottom, right, top in layer.pictures[:_PICTURES_PER_PAGE]:
        image, scale = _render(page, (left, bottom, width - right, height - top))
        read = reader.read(eng, image, dpi=round(72 * scale), timeout_s=30.0)
        letters = sum(1 for ch in read.text if ch.isalnum())
        if read.confidence is not None and read.confidence >= _PICTURE_MIN_CONFIDENCE and letters >= 3:
            found.append(((left, bottom, right, top), read.text, read.confidence))
    return found


def _interleave(textpage: pdfium.PdfTextPage, page: pdfium.PdfPage, found: list) -> str:
    """The page's layer text with each picture's text placed between the lines above and below it."""
    width, height = page.get_size()
    parts: list[str] = []
    cursor = height
    for (_, bottom, _, top), text, _ in sorted(found, key=lambda f: -f[0][3]):
        top = min(top, cursor)
        bottom = min(bottom, top)
        parts.append(textpage.get_text_bounded(0, top, width, cursor))
        parts.append(textpage.get_text_bounded(0, bottom, width, top))
        parts.append(text)
        cursor = bottom
    parts.append(textpage.get_text_bounded(0, 0, width, cursor))
    return "\n\n".join(p for p in (pdf_text.clean_page_text(t) for t in parts) if p)


@dataclass
class _PdfRun:
    source: Source
    options: OcrOptions | None
    budget: _Budget | None
    texts: list[str] = field(default_factory=list)
    pages: list[PageResult] = field(default_factory=list)
    layers: dict[int, list[LayerWord]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            assert self.options is not None
            self._engine = ocr_engine(self.options)
        return self._engine

    def page(self, index: int, page: pdfium.PdfPage) -> None:
        number = index + 1
        textpage = page.get_textpage()
        try:
            layer = _layer(page, textpage)
            if layer.usable:
                self._layer_page(number, page, textpage, layer)
            elif self.budget is None or not self.budget.allows(number):
                source = PageSource.SKIPPED if self.budget is not None else PageSource.LAYER
                self.texts.append("")
                self.pages.append(PageResult(number, source if layer.text or self.budget else PageSource.BLANK))
            else:
                self._ocr(index, page)
        finally:
            textpage.close()

    def _layer_page(self, number: int, page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, layer: _Layer) -> None:
        found = []
        if layer.pictures and self.budget is not None and self.budget.remaining() > 0:
            found = _picture_texts(self.engine, page, layer)
        if found:
            text = _interleave(textpage, page, found)
            confidence = round(min(f[2] for f in found), 1)
            self.pages.append(PageResult(number, PageSource.LAYER_AND_OCR, confidence, len(text)))
        else:
            text = layer.text
            self.pages.append(PageResult(number, PageSource.LAYER, None, len(text)))
        self.texts.append(text)

    def _ocr(self, index: int, page: pdfium.PdfPage) -> None:
        assert self.budget is not None
        self.budget.pages += 1
        read, words = _ocr_page(self.engine, page, self.budget)
        number = index + 1
        if read.timed_out:
            self.warnings.append(f"page {number}: OCR ran out of time; the page has no text")
            self.pages.append(PageResult(number, PageSource.FAILED))
            self.texts.append("")
            return
        source = PageSource.BLANK if read.blank or not read.text else PageSource.OCR
        self.pages.append(PageResult(number, source, read.confidence, len(read.text), read.rotation))
        self.texts.append(read.text)
        if words:
            self.layers[index] = words


def pdf_markdown(src: Source) -> Converted:
    """A PDF's Markdown, page by page in order; OCR where the text layer is missing or unusable."""
    options = src.options.ocr
    run = _PdfRun(src, options, _Budget(options) if options is not None else None)
    with pdf_text.lock:
        document = pdf_text.open_pdf(src.path)
        try:
            count = len(document)
            total = 0
            for index in range(count):
                try:
                    page = document[index]
                except pdfium.PdfiumError as exc:
                    run.warnings.append(f"page {index + 1} could not be read ({exc})")
                    run.pages.append(PageResult(index + 1, PageSource.FAILED))
                    continue
                try:
                    run.page(index, page)
                finally:
                    page.close()
                total += len(run.texts[-1]) if run.texts else 0
                if total > limits.MARKDOWN_MAX_CHARS:
                    run.warnings.append(
                        f"text after page {index + 1} was left out (over {limits.MARKDOWN_MAX_CHARS} characters)"
                    )
                    break
        finally:
            document.close()
    return _pdf_result(run, count)


def _pdf_result(run: _PdfRun, count: int) -> Converted:
    if run.budget is not None and (cut := run.budget.warning(count)):
        run.warnings.append(cut)
    markdown = "\n\n".join(t for t in run.texts if t)
    searchable = None
    derived = run.source.options.derived_dir
    if run.layers and derived:
        target = Path(derived) / SEARCHABLE_NAME
        tessdata = ocr_languages.tessdata_dir()
        write_searchable(run.source.path, run.layers, target, tessdata / "pdf.ttf" if tessdata else None)
        searchable = str(target)
    note = None
    if not markdown.strip() and count:
        note = NO_TEXT_LAYER if run.options is None else "no text found (the pages are blank or unreadable)"
    return Converted(
        markdown,
        note=note,
        warnings=run.warnings,
        page_count=count,
        pages=run.pages,
        searchable_pdf=searchable,
        ocr_languages=run.options.languages if (run.budget and run.budget.pages) or run.layers else None,
    )


# ---- images ------------------------------------------------------------------------------------------


def _frames(image: Image.Image, first: Image.Image, limit: int, warnings: list[str]) -> Iterator[Image.Image | None]:
    """The pages of a multi-page TIFF, decoded one at a time, at most `limit` of them; a page that cannot be
    decoded (a truncated file) is None, with a warning."""
    yield first
    for index in range(1, min(images.frame_count(image)[0], limit)):
        try:
            image.seek(index)
            frame = image.copy()
            frame.load()
        except (OSError, EOFError, ValueError, TypeError, SyntaxError) as exc:  # Pillow's TIFF reader raises all
            warnings.append(f"page {index + 1} of the image cannot be decoded ({exc}); it was skipped")
            yield None
            continue
        yield frame


def _fit_for_ocr(frame: Image.Image, number: int, warnings: list[str]) -> Image.Image | None:
    pixels = frame.width * frame.height
    if pixels > limits.MAX_IMAGE_PIXELS:
        warnings.append(f"page {number} is {frame.width}×{frame.height} pixels, over the limit; it was not read")
        return None
    if pixels > OCR_MAX_PIXELS:
        factor = math.sqrt(OCR_MAX_PIXELS / pixels)
        return frame.resize((int(frame.width * factor), int(frame.height * factor)), Image.Resampling.LANCZOS)
    return frame


def image_text(src: Source, warnings: list[str]) -> tuple[str, list[PageResult]]:
    """OCR of every frame of a (multi-page) image; the first frame only for animations (GIF, WebP)."""
    options = src.options.ocr
    if options is None:
        return "", []
    opened = images.open_image(src.path)
    with opened:
        count, damaged = images.frame_count(opened) if src.extension == "tiff" else (1, False)
        multi_page = count > 1
        if damaged:
            warnings.append(f"the image is truncated or corrupt after page {count}; the pages after it were lost")
        first = images.load(opened)
        frames = _frames(opened, first, options.max_pages, warnings) if multi_page else iter([first])
        eng = ocr_engine(options)
        budget = _Budget(options)
        texts, pages = [], []
        for number, frame in enumerate(frames, 1):
            if frame is None:
                pages.append(PageResult(number, PageSource.FAILED))
                continue
            if not budget.allows(number):
                pages.append(PageResult(number, PageSource.SKIPPED))
                continue
            fitted = _fit_for_ocr(frame, number, warnings)
            if fitted is None:
                pages.append(PageResult(number, PageSource.SKIPPED))
                continue
            budget.pages += 1
            dpi = int((opened.info.get("dpi") or (OCR_DPI, OCR_DPI))[0] or OCR_DPI)
            read = reader.read(eng, fitted, dpi=dpi, timeout_s=min(max(budget.remaining(), 5.0), 300.0))
            source = PageSource.BLANK if read.blank or not read.text else PageSource.OCR
            pages.append(PageResult(number, source, read.confidence, len(read.text), read.rotation))
            texts.append(read.text)
    if count > options.max_pages:
        pages += [PageResult(n, PageSource.SKIPPED) for n in range(options.max_pages + 1, count + 1)]
        budget.cut(options.max_pages + 1, f"DOCMILL_OCR_MAX_PAGES is {options.max_pages}")
    if cut := budget.warning(count):
        warnings.append(cut)
    return "\n\n".join(t for t in texts if t), pages
