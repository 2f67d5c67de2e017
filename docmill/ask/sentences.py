"""Sentences of a passage, each an exact substring of it (so a quote can be found and highlighted again)."""

from __future__ import annotations

import re

# A sentence ends at . ! ? 。 (and their full-width forms) followed by space, or at a line break;
# "3.5" and "e.g." inside a sentence do not end it because no space follows the dot / a lower-case word does.
_END = re.compile(r"(?<=[.!?。！？])[\"')\]]*\s+(?=[^a-z0-9])|\n+")
_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*|\|)")
MIN_CHARS = 6
MAX_CHARS = 600  # a run-on "sentence" (a table, a list without stops) is split at spaces beyond this


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` in order, stripped, without headings-only lines shorter than a few characters."""
    out: list[str] = []
    pos = 0
    for match in _END.finditer(text):
        _add(out, text[pos : match.start()] + text[match.start() : match.end()].rstrip())
        pos = match.end()
    _add(out, text[pos:])
    return out


def _add(out: list[str], piece: str) -> None:
    piece = piece.strip()
    if _MARKUP.match(piece):
        piece = _MARKUP.sub("", piece, count=1).strip()
    if len(piece) < MIN_CHARS or not any(ch.isalnum() for ch in piece):
        return
    while len(piece) > MAX_CHARS:
        cut = piece.rfind(" ", 0, MAX_CHARS)
        cut = cut if cut > MAX_CHARS // 2 else MAX_CHARS
        out.append(piece[:cut].strip())
        piece = piece[cut:].strip()
    if piece:
        out.append(piece)
