"""What a file is, from its content: the format table decides (docmill.convert.table).

The extension is never trusted for the family (a random blob named .pdf stays unknown); it only
refines text flavours that content cannot tell apart (CSV vs plain text, Markdown vs plain text).
"""

from __future__ import annotations

from docmill.convert.table import Detected, detect_file, extension_for
from docmill.convert.types import name_extension

__all__ = ["Detected", "detect_file", "extension_for", "name_extension"]
