"""Page images made easier to read: greyscale, blank-page check, photo clean-up, speckle removal, deskew.

Each step runs only when the page needs it (bench/ocr_throughput.py measures that it helps and what it
costs): a clean scan goes to Tesseract untouched but for the greyscale conversion.

- photo of paper (grey, unevenly lit background): divided by its estimated background, so the paper
  comes out white and the ink dark everywhere (Tesseract's global threshold then works);
- salt-and-pepper specks: a 3×3 median filter;
- skew: the angle whose horizontal projection has the sharpest rows (text lines), searched coarse
  then fine on a reduced copy; pages turned by quarter turns are left to Tesseract's orientation
  detection (see reader).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

MAX_SKEW_DEG = 10.0
MIN_SKEW_DEG = 0.3  # smaller angles do not hurt recognition
_ANALYSIS_WIDTH = 900  # pixels of the reduced copy that skew and background analysis look at


_WHITEN = [v if v < 235 else 255 for v in range(256)]


@dataclass(frozen=True)
class Cleaned:
    image: Image.Image  # greyscale, ready for Tesseract
    flattened: bool = False  # photo background evened out
    despeckled: bool = False
    skew_deg: float = 0.0  # the image was rotated counter-clockwise by this much


def to_grey(image: Image.Image) -> Image.Image:
    """8-bit greyscale; transparency composited on white, 16-bit and float images scaled."""
    if image.mode == "L":
        return image
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype=np.float32)
        high = float(values.max()) or 1.0
        return Image.fromarray(np.clip(values * (255.0 / high), 0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("L")
    if image.mode == "CMYK":
        return image.convert("RGB").convert("L")
    return image.convert("L")


def _reduced(grey: Image.Image) -> Image.Image:
    factor = -(-grey.width // _ANALYSIS_WIDTH)  # ceiling division
    return grey.reduce(factor) if factor > 1 else grey


def is_blank(grey: Image.Image) -> bool:
    """No ink at all: almost no pixel is much darker than the paper around it."""
    small = np.asarray(_reduced(grey), dtype=np.int16)
    if small.size == 0:
        return True
    paper = np.percentile(small, 90)
    ink = np.count_nonzero(small < paper - 60)
    return ink < small.size * 0.0005


def _background(grey: Image.Image) -> Image.Image:
    """The paper's brightness everywhere: ink removed by a max filter on a reduced copy, then smoothed."""
    factor = max(1, grey.width // 200)
    small = grey.reduce(factor) if factor > 1 else grey
    return small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(3))


def needs_flattening(grey: Image.Image) -> bool:
    """Grey or unevenly lit paper (a phone photo), as opposed to a scanner's white page."""
    paper = np.asarray(_background(grey), dtype=np.float32)
    low, high = np.percentile(paper, 5), np.percentile(paper, 95)
    return bool(low < 200 or high - low > 35)


def flatten(grey: Image.Image) -> Image.Image:
    """Divide by the estimated background (smooth, in floating point): paper white, ink dark."""
    paper = _background(grey).convert("F").resize(grey.size, Image.Resampling.BILINEAR)
    ratio = np.asarray(grey, dtype=np.float32) / np.maximum(np.asarray(paper, dtype=np.float32), 1.0)
    low = float(np.percentile(ratio, 0.5))
    stretched = (ratio - low) / max(0.9 - low, 0.05)  # paper (ratio ≥ 0.9) white, the darkest ink black
    return Image.fromarray((np.clip(stretched, 0.0, 1.0) * 255).astype(np.uint8), "L")


def speckle_ratio(grey: Image.Image) -> float:
    """Share of pixels (in a central window) that a 3×3 median changes by more than a third of the range."""
    width, height = grey.size
    side = min(600, width, height)
    left, top = (width - side) // 2, (height - side) // 2
    window = grey.crop((left, top, left + side, top + side))
    smooth = window.filter(ImageFilter.MedianFilter(3))
    diff = np.abs(np.asarray(window, dtype=np.int16) - np.asarray(smooth, dtype=np.int16))
    return float(np.count_nonzero(diff > 85)) / max(diff.size, 1)


def despeckle(grey: Image.Image) -> Image.Image:
    return grey.filter(ImageFilter.MedianFilter(3))


def _ink_points(grey: Image.Image) -> np.ndarray:
    """Coordinates (x, y) of the ink pixels of the reduced page, at most 60,000 of them."""
    values = np.asarray(_reduced(grey), dtype=np.int16)
    threshold = (np.percentile(values, 95) + np.percentile(values, 1)) / 2
    ys, xs = np.nonzero(values < threshold)
    if xs.size > 60_000:
        pick = np.random.default_rng(0).choice(xs.size, 60_000, replace=False)
        xs, ys = xs[pick], ys[pick]
    return np.stack([xs, ys]).astype(np.float32)


def _sharpness(points: np.ndarray, angle: float) -> float:
    """How sharp the rows are when the page is turned by `angle`: the energy of the row histogram's steps."""
    rad = np.deg2rad(angle)
    rows = points[1] * np.cos(rad) - points[0] * np.sin(rad)
    counts = np.bincount((rows - rows.min()).astype(np.int64)).astype(np.float32)
    return float(np.square(np.diff(counts)).sum())


def looks_sideways(grey: Image.Image) -> bool:
    """Text lines run up and down (a page turned by a quarter): the columns' profile is far sharper than the rows'."""
    points = _ink_points(grey)
    if points.shape[1] < 50:
        return False
    across = _sharpness(points, 0.0)
    down = _sharpness(points[::-1], 0.0)  # x and y swapped: the profile of the pixel columns
    return down > 2.0 * across


def skew_angle(grey: Image.Image) -> float:
    """The counter-clockwise rotation (degrees) that makes the text lines horizontal; 0.0 when unsure."""
    points = _ink_points(grey)
    if points.shape[1] < 50:
        return 0.0
    coarse = {float(a): _sharpness(points, a) for a in np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 0.5)}
    best = max(coarse, key=coarse.__getitem__)
    fine = {float(a): _sharpness(points, a) for a in np.arange(best - 0.5, best + 0.51, 0.05)}
    angle = max(fine, key=fine.__getitem__)
    if abs(angle) < MIN_SKEW_DEG or fine[angle] < coarse[0.0] * 1.05:
        return 0.0
    return round(angle, 2)


def _longest_run(mask: np.ndarray) -> int:
    best = run = 0
    for value in mask:
        run = run + 1 if value else 0
        best = max(best, run)
    return best


def has_columns(grey: Image.Image) -> bool:
    """Whether the text stands in columns: a vertical gutter inside the text that (almost) no line crosses."""
    values = np.asarray(_reduced(grey), dtype=np.int16)
    ink = values < (np.percentile(values, 95) + np.percentile(values, 1)) / 2
    rows = ink.any(axis=1)
    if rows.sum() < 10:
        return False
    share = ink[rows].mean(axis=0)  # per pixel column: the share of text rows with ink in it
    used = np.nonzero(share >= 0.02)[0]  # specks of noise do not widen the text's extent
    if used.size == 0:
        return False
    left, right = int(used.min()), int(used.max())
    width = right - left
    if width < 50:
        return False
    inner = share[left + int(width * 0.15) : right - int(width * 0.15)]
    return _longest_run(inner < 0.02) >= width * 0.03


def missed_lines(grey: Image.Image, boxes: list[tuple[int, int, int, int]]) -> int:
    """Text lines (bands of ink rows) that no recognised word's box reaches: what a reading left out."""
    factor = -(-grey.width // _ANALYSIS_WIDTH)
    values = np.asarray(_reduced(grey), dtype=np.int16)
    ink = values < (np.percentile(values, 95) + np.percentile(values, 1)) / 2
    inked = ink.sum(axis=1) > max(2, ink.shape[1] // 200)
    covered = np.zeros(len(inked), dtype=bool)
    for _, top, _, bottom in boxes:
        covered[top // factor : bottom // factor + 1] = True
    missed = 0
    start = None
    for row, on in enumerate([*inked, False]):
        if on and start is None:
            start = row
        elif not on and start is not None:
            if row - start >= 3 and not covered[start:row].any():
                missed += 1
            start = None
    return missed


def rotate(grey: Image.Image, angle: float) -> Image.Image:
    """Rotate counter-clockwise by `angle` degrees, growing the canvas, new corners white."""
    if angle % 90 == 0:
        return grey.rotate(angle, expand=True)
    # bilinear: as good as bicubic for recognition here, at half the cost on a 300 dpi page
    turned = grey.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)
    # Interpolation leaves faint grey seams where the old edges were; Tesseract's global threshold on a
    # mostly white page can take them for ink (lines of garbage around the text), so near-white is white.
    return turned.point(_WHITEN)


def clean(image: Image.Image, *, deskew: bool = True) -> Cleaned:
    """Greyscale, then each repair the page needs (see the module's docstring)."""
    grey = to_grey(image)
    flattened = despeckled = False
    if needs_flattening(grey):
        grey = flatten(grey)
        flattened = True
    if speckle_ratio(grey) > 0.002:
        grey = despeckle(grey)
        despeckled = True
    angle = skew_angle(grey) if deskew else 0.0
    if angle:
        grey = rotate(grey, angle)
    return Cleaned(grey, flattened, despeckled, angle)
