"""One page image in; its text, confidence, orientation and word positions out.

clean (preprocess) → recognise → if the reading is poor, ask Tesseract's orientation detection whether
the page is turned by quarter turns, and if it is, read it upright and keep the better reading. Word
positions come back in the coordinates of the image that was passed in, whatever was rotated on the
way, so a text layer can be laid over the original page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from PIL import Image

from docmill.ocr import preprocess
from docmill.ocr.engine import Engine, Layout, Recognised

# Pages in columns get Tesseract's own layout analysis; single-column pages are read as one block of
# lines, because, measured on our generated pages, the layout analysis splits Korean lines into garbage
# (character error rate 0.45–0.66 on clean pages) where one block reads them at 0.01–0.09, and reading
# forms row by row keeps a label beside its value. A reading less sure than _SURE gets a second one with
# the other segmentation; the better-scoring reading is kept.
_SURE = 85.0
_CHECK_ORIENTATION_BELOW = 80.0  # the best reading less sure than this gets an orientation check
_MIN_ORIENTATION_CONFIDENCE = 1.0  # Tesseract's OSD confidence; below it the answer is a guess


@dataclass(frozen=True)
class PlacedWord:
    """A word on the source image: its baseline from `start` to `end` and its height, in pixels."""

    text: str
    confidence: float
    start: tuple[float, float]
    end: tuple[float, float]
    height: float


@dataclass
class PageText:
    text: str
    confidence: float | None
    rotation: int = 0  # quarter turns corrected, in degrees counter-clockwise
    skew_deg: float = 0.0
    words: list[PlacedWord] = field(default_factory=list)
    blank: bool = False
    timed_out: bool = False
    steps: tuple[str, ...] = ()  # the repairs applied: flattened, despeckled, deskewed, turned


@dataclass(frozen=True)
class _Turn:
    """One rotation step (PIL's rotate with expand): maps a point of its output back to its input."""

    angle: float
    source: tuple[int, int]
    target: tuple[int, int]

    def back(self, x: float, y: float) -> tuple[float, float]:
        rad = math.radians(self.angle)
        cos, sin = math.cos(rad), math.sin(rad)
        dx, dy = x - self.target[0] / 2, y - self.target[1] / 2
        return cos * dx - sin * dy + self.source[0] / 2, sin * dx + cos * dy + self.source[1] / 2


def _rotated(image: Image.Image, angle: float, turns: list[_Turn]) -> Image.Image:
    out = preprocess.rotate(image, angle)
    turns.append(_Turn(angle, image.size, out.size))
    return out


def _place(reading: Recognised, turns: list[_Turn]) -> list[PlacedWord]:
    def back(point: tuple[float, float]) -> tuple[float, float]:
        x, y = point
        for turn in reversed(turns):
            x, y = turn.back(x, y)
        return x, y

    placed = []
    for word in reading.words:
        (x0, y0), (x1, y1) = word.baseline
        if x1 <= x0:  # a one-pixel baseline: use the box's bottom edge
            x0, y0, x1, y1 = word.box[0], word.box[3], word.box[2], word.box[3]
        height = max(word.box[3] - word.box[1], 1)
        placed.append(PlacedWord(word.text, word.confidence, back((x0, y0)), back((x1, y1)), float(height)))
    return placed


def _needs_orientation_check(reading: Recognised) -> bool:
    return reading.confidence is None or reading.confidence < _CHECK_ORIENTATION_BELOW or reading.letters < 20


def _sure(reading: Recognised) -> bool:
    return reading.timed_out or (reading.confidence or 0.0) >= _SURE or not reading.letters


def _first_reading(engine: Engine, image: Image.Image, dpi: int, timeout_s: float) -> tuple[Recognised, Layout]:
    layout = Layout.AUTO if preprocess.has_columns(image) else Layout.BLOCK
    reading = engine.recognise(image, dpi, timeout_s, layout)
    if layout is Layout.BLOCK and not reading.timed_out:
        # one block assumes lines of one size: a title twice as tall can be left out; a column of lines
        # of varying size is read then, and kept when it leaves out fewer lines
        missed = preprocess.missed_lines(image, [w.box for w in reading.words])
        if missed:
            column = engine.recognise(image, dpi, timeout_s, Layout.COLUMN)
            if preprocess.missed_lines(image, [w.box for w in column.words]) < missed:
                return column, Layout.COLUMN
    return reading, layout


def _other_reading(
    engine: Engine, image: Image.Image, dpi: int, timeout_s: float, first: Recognised, layout: Layout
) -> Recognised:
    """A second opinion with the other segmentation when the first reading is unsure; the better one."""
    if _sure(first):
        return first
    other = engine.recognise(image, dpi, timeout_s, Layout.AUTO if layout is Layout.BLOCK else Layout.BLOCK)
    return other if other.score > first.score else first


def _best_reading(engine: Engine, image: Image.Image, dpi: int, timeout_s: float) -> Recognised:
    first, layout = _first_reading(engine, image, dpi, timeout_s)
    return _other_reading(engine, image, dpi, timeout_s, first, layout)


def _upright(engine: Engine, image: Image.Image, dpi: int, turns: list[_Turn]) -> Image.Image | None:
    """The page turned upright when orientation detection is sure it is not; else None."""
    found = engine.orientation(image, dpi)
    if found is None or found.degrees == 0 or found.confidence < _MIN_ORIENTATION_CONFIDENCE:
        return None
    turned = _rotated(image, found.degrees, turns)
    angle = preprocess.skew_angle(turned)
    return _rotated(turned, angle, turns) if angle else turned


def read(engine: Engine, image: Image.Image, *, dpi: int = 300, timeout_s: float = 120.0) -> PageText:
    """Read one page image (any mode); see the module's docstring."""
    grey = preprocess.to_grey(image)
    if preprocess.is_blank(grey):
        return PageText("", None, blank=True)
    sideways = preprocess.looks_sideways(grey)  # its skew is measured once it is upright
    cleaned = preprocess.clean(grey, deskew=not sideways)
    steps = [name for name, done in (("flattened", cleaned.flattened), ("despeckled", cleaned.despeckled)) if done]
    turns: list[_Turn] = []
    if cleaned.skew_deg:
        turns.append(_Turn(cleaned.skew_deg, grey.size, cleaned.image.size))
        steps.append("deskewed")
    rotation = 0
    turned = None
    if sideways:  # no point reading it sideways first
        reading, layout = Recognised("", None), Layout.AUTO
    else:
        reading, layout = _first_reading(engine, cleaned.image, dpi, timeout_s)
    if not reading.timed_out and _needs_orientation_check(reading):
        # a poor first reading: a turned page is the likeliest cause, so orientation is checked first
        turned_turns = list(turns)
        upright = _upright(engine, cleaned.image, dpi, turned_turns)
        if upright is not None:
            second = _best_reading(engine, upright, dpi, timeout_s)
            if second.score > reading.score:
                turned = second
                reading, turns = second, turned_turns
                rotation = _quarter(turned_turns)
                steps.append("turned")
    if turned is None and not reading.text and reading.confidence is None and not reading.timed_out:
        reading, layout = _first_reading(engine, cleaned.image, dpi, timeout_s)  # sideways, yet not turnable
    if turned is None:
        reading = _other_reading(engine, cleaned.image, dpi, timeout_s, reading, layout)
    return PageText(
        text=reading.text.strip(),
        confidence=round(reading.confidence, 1) if reading.confidence is not None else None,
        rotation=rotation,
        skew_deg=cleaned.skew_deg,
        words=_place(reading, turns),
        timed_out=reading.timed_out,
        steps=tuple(steps),
    )


def _quarter(turns: list[_Turn]) -> int:
    return next((int(t.angle) % 360 for t in turns if t.angle % 90 == 0 and t.angle), 0)
