"""Original file names, made safe for display. They are never used as paths."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def sanitize_name(name: str | bytes | None) -> str | None:
    """The last path component of `name`, without NUL/control characters or bidi tricks; None if nothing is left.

    "../../etc/passwd" becomes "passwd", "C:\\Users\\me\\a.pdf" becomes "a.pdf", "\\x00evil.pdf" becomes "evil.pdf".
    """
    if name is None:
        return None
    if isinstance(name, bytes):
        name = name.decode("utf-8", errors="replace")
    name = unicodedata.normalize("NFC", _CONTROL.sub("", name))
    name = re.split(r"[/\\]", name)[-1].strip()
    if not name or set(name) <= {"."}:
        return None
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else name[:MAX_NAME_CHARS]
    return name
