"""RTF to Markdown: MarkItDown passes RTF through as raw control words, so striprtf reads the text."""

from __future__ import annotations

import re
from pathlib import Path

from striprtf.striprtf import rtf_to_text

from docmill.convert import limits
from docmill.errors import PermanentStageError

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
_BLANK_RUNS = re.compile(r"\n{3,}")


def to_markdown(path: Path | str) -> str:
    with open(path, "rb") as f:
        data = f.read(limits.MARKDOWN_MAX_CHARS * 4)
    if not data.lstrip().startswith(b"{\\rtf"):
        raise PermanentStageError("the file is not RTF", "check the file")
    m = _CODEPAGE.search(data[:4096])
    codepage = f"cp{m.group(1).decode()}" if m else "cp1252"
    try:
        text = rtf_to_text(data.decode("latin-1"), encoding=codepage, errors="replace")
    except LookupError:
        text = rtf_to_text(data.decode("latin-1"), encoding="cp1252", errors="replace")
    except RecursionError:
        raise PermanentStageError("the RTF is nested too deeply to read", "the file may be hostile") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return _BLANK_RUNS.sub("\n\n", text).strip() + "\n"
