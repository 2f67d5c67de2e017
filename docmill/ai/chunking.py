"""Split Markdown into chunks that follow its structure, for embeddings and full-text search.

A chunk never spans two sections: a heading starts a new chunk, and each chunk remembers the heading path
it sits under ("Report > Budget > 2024"). Within a section, paragraphs (and whole code blocks, tables and
lists) are packed up to a size budget; a block larger than the budget is split by sentences. Consecutive
chunks of one section overlap by their last sentences so a passage cut in two is still found whole.

Sizes are estimated in model tokens: multilingual-e5 reads at most 512 tokens, and a Hangul syllable costs
about one token where English costs about one per four characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docmill.ai.text import CJK_RUN, HANGUL, markdown_to_text, split_sentences

TARGET_TOKENS = 320
MAX_TOKENS = 460
OVERLAP_TOKENS = 60
MIN_TOKENS = 24  # a smaller trailing piece of a section is merged into its neighbour when it fits

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@dataclass(frozen=True)
class TextChunk:
    ordinal: int
    heading: str | None
    text: str


_LATIN_WORD = re.compile(r"[^\W\d_]+")
_OTHER = re.compile(r"[\d\W_]", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """Model tokens of text, roughly: ~0.75 per Hangul syllable, ~1 per other CJK character, ~1.45 per other
    word, ~0.7 per digit or sign (measured against multilingual-e5's tokenizer)."""
    hangul = len(HANGUL.findall(text))
    cjk = sum(len(run) for run in CJK_RUN.findall(text)) - hangul
    words = sum(1 for w in _LATIN_WORD.findall(text) if not CJK_RUN.match(w))
    other = sum(1 for ch in _OTHER.findall(text) if not ch.isspace())
    return int(hangul * 0.75 + cjk + words * 1.45 + other * 0.7) + 1


@dataclass
class _Block:
    heading: tuple[str, ...]
    text: str


def _blocks(markdown: str) -> list[_Block]:
    """Paragraph-level blocks with the heading path each sits under; fences stay whole."""
    blocks: list[_Block] = []
    stack: list[tuple[int, str]] = []
    current: list[str] = []
    in_fence: str | None = None

    def path() -> tuple[str, ...]:
        return tuple(title for _, title in stack)

    def flush() -> None:
        text = "\n".join(current).strip()
        if text:
            blocks.append(_Block(path(), text))
        current.clear()

    for line in markdown.splitlines():
        fence = _FENCE.match(line)
        if in_fence is not None:
            current.append(line)
            if fence and fence.group(1) == in_fence:
                in_fence = None
                flush()
            continue
        if fence:
            flush()
            in_fence = fence.group(1)
            current.append(line)
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading.group(1))
            title = re.sub(r"[*_`]", "", heading.group(2)).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            if title:
                stack.append((level, title))
            continue
        if not line.strip():
            flush()
            continue
        current.append(line)
    flush()
    return blocks


def _split_long(text: str, budget: int) -> list[str]:
    """Pieces of at most `budget` estimated tokens: by sentences, and by characters for huge sentences."""
    pieces: list[str] = []
    for sentence in split_sentences(text) or [text]:
        if estimate_tokens(sentence) <= budget:
            pieces.append(sentence)
            continue
        step = max(50, int(len(sentence) * budget / estimate_tokens(sentence)))
        pieces.extend(sentence[i : i + step] for i in range(0, len(sentence), step))
    return pieces


def _tail(text: str, budget: int) -> str:
    """The last whole sentences of text within `budget` tokens (the overlap carried to the next chunk)."""
    out: list[str] = []
    used = 0
    for sentence in reversed(split_sentences(text)):
        cost = estimate_tokens(sentence)
        if used + cost > budget:
            break
        out.append(sentence)
        used += cost
    return " ".join(reversed(out))


def chunk_markdown(
    markdown: str,
    *,
    target_tokens: int = TARGET_TOKENS,
    max_tokens: int = MAX_TOKENS,
    overlap_tokens: int = OVERLAP_TOKENS,
) -> list[TextChunk]:
    """Chunks of a Markdown document, in order."""
    sections: list[tuple[tuple[str, ...], list[str]]] = []
    for block in _blocks(markdown):
        if sections and sections[-1][0] == block.heading:
            sections[-1][1].append(block.text)
        else:
            sections.append((block.heading, [block.text]))

    out: list[tuple[str | None, str]] = []
    for heading_path, texts in sections:
        heading = " > ".join(heading_path) or None
        # (text, separator before it): sentences of a split paragraph are joined back with a space
        units: list[tuple[str, str]] = []
        for text in texts:
            if estimate_tokens(text) <= max_tokens:
                units.append((text, "\n\n"))
            else:
                units.extend(
                    (piece, "\n\n" if i == 0 else " ") for i, piece in enumerate(_split_long(text, target_tokens))
                )
        current = ""
        size = 0
        section_chunks: list[str] = []
        for unit, sep in units:
            cost = estimate_tokens(unit)
            if current and size + cost > target_tokens:
                section_chunks.append(current)
                overlap = _tail(current, overlap_tokens) if overlap_tokens else ""
                fits = estimate_tokens(overlap) + cost <= max_tokens
                current = overlap if overlap and fits and overlap != unit else ""
                size = estimate_tokens(current) if current else 0
            current = f"{current}{sep}{unit}" if current else unit
            size += cost
        if current:
            if section_chunks and estimate_tokens(current) < MIN_TOKENS:
                merged = section_chunks[-1] + "\n\n" + current
                if estimate_tokens(merged) <= max_tokens:
                    section_chunks[-1] = merged
                    current = ""
            if current:
                section_chunks.append(current)
        out.extend((heading, text) for text in section_chunks)
    if not out and markdown.strip():  # headings only: their text is still worth finding
        out = [(None, text) for text in _split_long(" ".join(markdown_to_text(markdown).split()), target_tokens)]
    return [TextChunk(i, heading, text) for i, (heading, text) in enumerate(out)]
