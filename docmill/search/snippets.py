"""Snippets: a window of a chunk's text around the query's terms, HTML-escaped, terms wrapped in <mark>."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence

from docmill.ai.text import has_hangul, markdown_to_text, normalize

SNIPPET_CHARS = 240


@functools.lru_cache(maxsize=256)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    parts = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        escaped = re.escape(term)
        # Hangul terms match inside words (particles attach); others at a word start, any ending
        parts.append(escaped if has_hangul(term) else rf"(?<!\w){escaped}\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def make_snippet(text: str, terms: Sequence[str], *, size: int = SNIPPET_CHARS) -> tuple[str, int]:
    """(snippet HTML, number of marked terms). Without matches, the start of the text."""
    plain = " ".join(normalize(markdown_to_text(text)).split())
    pattern = _pattern(tuple(terms))
    matches = list(pattern.finditer(plain)) if pattern else []
    if not matches:
        window = plain[:size]
        cut = len(plain) > size
        if cut:
            window = window.rsplit(" ", 1)[0] if " " in window[size // 2 :] else window
        return html.escape(window) + ("…" if cut else ""), 0

    # the window with the most matches, starting a little before one of them
    best_start, best_count = 0, -1
    for m in matches:
        start = max(0, m.start() - size // 4)
        count = sum(1 for other in matches if start <= other.start() and other.end() <= start + size)
        if count > best_count:
            best_start, best_count = start, count
    start = best_start
    if start > 0:
        space = plain.find(" ", start, start + 20)
        start = space + 1 if space != -1 else start
    end = min(len(plain), start + size)
    if end < len(plain):
        space = plain.rfind(" ", end - 20, end)
        end = space if space > start else end

    out: list[str] = ["…" if start > 0 else ""]
    pos = start
    marked = 0
    for m in matches:
        if m.start() < start or m.end() > end:
            continue
        out.append(html.escape(plain[pos : m.start()]))
        out.append(f"<mark>{html.escape(m.group())}</mark>")
        pos = m.end()
        marked += 1
    out.append(html.escape(plain[pos:end]))
    if end < len(plain):
        out.append("…")
    return "".join(out), marked
