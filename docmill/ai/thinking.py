"""Remove a reasoning model's thoughts from its answer before anything uses or stores it.

Reasoning models wrap their thoughts in `<think>…</think>` (also `<thinking>`, `<reasoning>`); an answer cut
off by a token limit leaves the block unclosed, and some servers drop the opening tag so the answer starts
with the thoughts and a lone closing tag. Others write a plain "Thinking Process:" preamble.
"""

from __future__ import annotations

import re

_TAG_NAMES = r"(?:think|thinking|thought|reasoning)"
_CLOSED = re.compile(rf"<{_TAG_NAMES}\b[^>]*>.*?</{_TAG_NAMES}\s*>", re.IGNORECASE | re.DOTALL)
_OPEN = re.compile(rf"<{_TAG_NAMES}\b[^>]*>", re.IGNORECASE)
_CLOSE = re.compile(rf"</{_TAG_NAMES}\s*>", re.IGNORECASE)
_PREAMBLE = re.compile(r"^\s*(?:\*\*|#+\s*)?thinking process\s*:?\s*(?:\*\*)?\s*:?", re.IGNORECASE)
# Lines that end a "Thinking Process:" preamble; what follows them is the answer.
_ANSWER_MARKER = re.compile(
    r"^\s*(?:\*\*|#+\s*)?(?:final answer|final response|answer|response|output|result)\s*:?\s*(?:\*\*)?\s*:?\s*",
    re.IGNORECASE | re.MULTILINE,
)
_LIST_OR_INDENTED = re.compile(r"^(?:\s+\S|\s*(?:\d+[.)]|[-*•])\s)")


def strip_thinking(text: str | None) -> str:
    """The answer without its thoughts; "" when the answer was nothing but thoughts."""
    if not text:
        return ""
    out = _CLOSED.sub("", text)
    # a closing tag with no opening one before it: everything up to it was thinking
    close = _CLOSE.search(out)
    if close is not None and not _OPEN.search(out, 0, close.start()):
        out = out[close.end() :]
        out = _CLOSED.sub("", out)
    # an opening tag that is never closed (cut off): drop from it to the end
    opened = _OPEN.search(out)
    if opened is not None:
        out = out[: opened.start()]
    out = _CLOSE.sub("", out)
    return _strip_preamble(out).strip()


def _strip_preamble(text: str) -> str:
    match = _PREAMBLE.match(text)
    if match is None:
        return text
    rest = text[match.end() :]
    marker = _ANSWER_MARKER.search(rest)
    if marker is not None:
        return rest[marker.end() :]
    json_start = _first_structured_start(rest)
    if json_start is not None:
        return rest[json_start:]
    # No marker: the thoughts are a run of list items and indented lines; the answer is the first plain
    # paragraph after a blank line.
    lines = rest.split("\n")
    seen_blank = False
    for i, line in enumerate(lines):
        if not line.strip():
            seen_blank = True
            continue
        if i > 0 and seen_blank and not _LIST_OR_INDENTED.match(line):
            return "\n".join(lines[i:])
    return ""


def _first_structured_start(text: str) -> int | None:
    """Where a fenced block or a JSON object starts at the beginning of a line, if anywhere."""
    match = re.search(r"^\s*(?:```|\{)", text, re.MULTILINE)
    return match.start() if match else None
