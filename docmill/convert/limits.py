"""Caps that keep hostile or huge files from exhausting the converter process."""

from __future__ import annotations

import warnings

from PIL import Image

# Images: Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that; we refuse past it.
MAX_IMAGE_PIXELS = 120_000_000  # a 50 MP phone photo fits; a 30000×30000 bomb does not
THUMBNAIL_SIZE = 320  # longest side, pixels
PREVIEW_IMAGE_SIZE = 1600  # longest side of a resized image preview

# Zip containers (DOCX, XLSX, PPTX, EPUB, ZIP): checked from the central directory before any parser runs.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # declared uncompressed size of all members
ZIP_MAX_MEMBER_BYTES = 512 * 1024 * 1024
ZIP_MAX_RATIO = 200  # uncompressed/compressed, for members over ZIP_RATIO_MIN_BYTES
ZIP_RATIO_MIN_BYTES = 8 * 1024 * 1024

# Archives converted to Markdown: which members get converted.
ARCHIVE_MAX_MEMBERS = 200
ARCHIVE_MAX_MEMBER_BYTES = 64 * 1024 * 1024
ARCHIVE_MAX_DEPTH = 2

# Text
MARKDOWN_MAX_CHARS = 5_000_000  # longer Markdown is cut, with a warning
TEXT_SAMPLE_BYTES = 256 * 1024  # what charset detection and language detection look at
EXTERNAL_TOOL_TIMEOUT_S = 120.0


def configure_pillow() -> None:
    """Make Pillow refuse decompression bombs instead of only warning about them."""

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    warnings.simplefilter("error", Image.DecompressionBombWarning)
