"""Tesseract in process through tesserocr: one initialised engine per process and language set.

Binding or `tesseract` subprocess? Measured here (bench/ocr_throughput.py, 300 dpi pages, 2 cores):
the CLI loads the kor+eng models on every call (0.4–0.9 s of each page), while the binding keeps them
loaded, so the same page reads 1.5–2.5× faster in process; and the binding's wheel carries Tesseract
5.5 (the traineddata still come from Debian's tesseract-ocr-* packages), which on our generated Korean
pages reads a clean page at a character error rate of ~0.03 where Debian's 5.3 CLI gives ~0.45.
Images reach Tesseract as raw greyscale bytes (SetImageBytes): Pillow decodes every file, so the
image libraries bundled in the wheel never see untrusted input.

Not thread-safe (neither is Tesseract's API object); the sandboxed converter process runs one job at a
time and the lock guards in-process callers.
"""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, field
from pathlib import Path

import tesserocr
from PIL import Image

from docmill.errors import PermanentStageError

_lock = threading.RLock()
_engines: dict[tuple[tuple[str, ...], str], Engine] = {}


class Layout(enum.Enum):
    """How Tesseract segments the page: its own layout analysis, or the page as one block of lines."""

    AUTO = tesserocr.PSM.AUTO
    BLOCK = tesserocr.PSM.SINGLE_BLOCK
    COLUMN = tesserocr.PSM.SINGLE_COLUMN  # one column of lines of varying size


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, right, bottom, in the recognised image's pixels
    baseline: tuple[tuple[int, int], tuple[int, int]]  # two points on the baseline, same pixels


@dataclass
class Recognised:
    text: str
    confidence: float | None  # mean word confidence, 0–100; None when no word was found
    words: list[Word] = field(default_factory=list)
    timed_out: bool = False

    @property
    def letters(self) -> int:
        return sum(1 for ch in self.text if ch.isalnum())

    @property
    def score(self) -> float:
        """Which of two readings of a page is better: confident and long beats short or unsure."""
        return (self.confidence or 0.0) * min(self.letters, 400)


@dataclass(frozen=True)
class Orientation:
    degrees: int  # how far the page is turned clockwise; rotate counter-clockwise by this to read it
    confidence: float
    script: str | None


class Engine:
    def __init__(self, languages: tuple[str, ...], tessdata: Path) -> None:
        self.languages = languages
        self.tessdata = tessdata
        path = str(tessdata).rstrip("/") + "/"
        try:
            self._api = tesserocr.PyTessBaseAPI(path=path, lang="+".join(languages), psm=tesserocr.PSM.AUTO)
        except RuntimeError as exc:
            raise PermanentStageError(
                f"Tesseract could not load the languages {'+'.join(languages)} from {tessdata} ({exc})",
                "run `docmill ocr check`; install the missing tesseract-ocr-* package or fix DOCMILL_OCR_LANGUAGES",
            ) from None
        # Word boxes for the searchable PDF; no bonus output files.
        self._api.SetVariable("debug_file", "/dev/null")
        self._osd: tesserocr.PyTessBaseAPI | None = None
        self.version = tesserocr.tesseract_version().splitlines()[0]

    def _set(self, api: tesserocr.PyTessBaseAPI, image: Image.Image, dpi: int) -> None:
        grey = image if image.mode == "L" else image.convert("L")
        api.SetImageBytes(grey.tobytes(), grey.width, grey.height, 1, grey.width)
        api.SetSourceResolution(max(70, min(dpi, 1200)))

    def recognise(
        self, image: Image.Image, dpi: int = 300, timeout_s: float = 120.0, layout: Layout = Layout.AUTO
    ) -> Recognised:
        """Text, mean confidence and word boxes of one page image."""
        with _lock:
            api = self._api
            api.SetPageSegMode(layout.value)
            self._set(api, image, dpi)
            finished = api.Recognize(int(max(timeout_s, 1.0) * 1000))
            if not finished:
                api.Clear()
                return Recognised("", None, [], timed_out=True)
            text = api.GetUTF8Text() or ""
            words = _words(api)
            api.Clear()
        confidence = sum(w.confidence for w in words) / len(words) if words else None
        return Recognised(text, confidence, words)

    def orientation(self, image: Image.Image, dpi: int = 300) -> Orientation | None:
        """Tesseract's orientation and script detection (osd.traineddata); None when it cannot tell.

        A very large page is looked at in a half-size copy (at 300 dpi a page is not: halving it made
        Korean pages' answers unsure)."""
        if image.width * image.height > 12_000_000:
            image, dpi = image.reduce(2), dpi // 2
        with _lock:
            if self._osd is None:
                self._osd = tesserocr.PyTessBaseAPI(
                    path=str(self.tessdata).rstrip("/") + "/", lang="osd", psm=tesserocr.PSM.OSD_ONLY
                )
            self._set(self._osd, image, dpi)
            try:
                found = self._osd.DetectOrientationScript()
            except RuntimeError:
                found = None
            self._osd.Clear()
        if not found:
            return None
        return Orientation(int(found["orient_deg"]) % 360, float(found["orient_conf"]), found.get("script_name"))


def _words(api: tesserocr.PyTessBaseAPI) -> list[Word]:
    iterator = api.GetIterator()
    if iterator is None:
        return []
    level = tesserocr.RIL.WORD
    out: list[Word] = []
    for item in tesserocr.iterate_level(iterator, level):
        text = (item.GetUTF8Text(level) or "").strip()
        box = item.BoundingBox(level)
        if not text or box is None:
            continue
        baseline = item.Baseline(level) or ((box[0], box[3]), (box[2], box[3]))
        out.append(Word(text, float(item.Confidence(level)), tuple(box), tuple(map(tuple, baseline))))  # type: ignore[arg-type]
    return out


def engine(languages: tuple[str, ...], tessdata: Path) -> Engine:
    """The process's engine for these languages (loading kor+eng takes about a second, so it is kept)."""
    key = (languages, str(tessdata))
    with _lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = Engine(languages, tessdata)
        return found
