"""Language-light text helpers shared by chunking, summaries, classification and search tokens.

Korean (and other CJK) text has no reliable word boundaries for a simple tokenizer, and particles stick to
words ("예산을", "예산이"), so terms of a CJK run are its character bigrams; other scripts use words.
"""

from __future__ import annotations

import re
import unicodedata

# Hangul syllables and jamo, CJK ideographs, kana.
CJK_RUN = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
WORD = re.compile(r"\w+", re.UNICODE)

_STOPWORDS = """a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself yourselves also may might must shall us via per
etc"""
ENGLISH_STOPWORDS = frozenset(_STOPWORDS.split())

# Particles and endings that attach to Korean words, longest first (for keyword tags, not for search).
_KOREAN_SUFFIXES = """은 는 이 가 을 를 의 에 에서 에게 께 으로 로 와 과 도 만 까지 부터 처럼 보다
이나 나 랑 이랑 하고 에는 에서는 으로는 로는 과의 와의 들 들은 들이 들을 들의
이다 입니다 했다 한다 하는 하여 해서 했습니다 합니다 된다 되는 됩니다"""
KOREAN_SUFFIXES = tuple(sorted(_KOREAN_SUFFIXES.split(), key=len, reverse=True))

_MD_CODE_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HTML = re.compile(r"<[^>\n]{1,200}>")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINE_PREFIX = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def has_hangul(text: str) -> bool:
    return HANGUL.search(text) is not None


def detect_language(text: str) -> str:
    """ "ko" when Hangul dominates the letters, else "en" (good enough to pick prompts and stopwords)."""
    sample = text[:4000]
    hangul = len(HANGUL.findall(sample))
    letters = sum(1 for ch in sample if ch.isalpha())
    return "ko" if letters and hangul / letters > 0.3 else "en"


def markdown_to_text(markdown: str) -> str:
    """Plain text of Markdown: no code blocks, images, link targets, markup or table rules."""
    text = _MD_CODE_FENCE.sub("", markdown)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HTML.sub(" ", text)
    lines = []
    for line in text.splitlines():
        if _TABLE_RULE.match(line):
            continue
        line = _MD_LINE_PREFIX.sub("", line)
        line = line.replace("|", " ")
        lines.append(_MD_EMPHASIS.sub(r"\2", line).strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[.!?。！？][\"'”’)\]])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text; paragraph and line breaks always end one."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text):
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        for piece in _SENTENCE_END.split(paragraph):
            piece = piece.strip()
            if piece:
                out.append(piece)
    return out


def cjk_bigrams(run: str) -> list[str]:
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str, *, drop_stopwords: bool = True) -> list[str]:
    """Lower-cased terms for similarity: words of non-CJK text, bigrams of CJK runs."""
    out: list[str] = []
    for word in WORD.findall(normalize(text).lower()):
        pos = 0
        for match in CJK_RUN.finditer(word):
            rest = word[pos : match.start()]
            if rest:
                out.extend(_plain_terms(rest, drop_stopwords))
            out.extend(cjk_bigrams(match.group()))
            pos = match.end()
        rest = word[pos:]
        if rest:
            out.extend(_plain_terms(rest, drop_stopwords))
    return out


def _plain_terms(word: str, drop_stopwords: bool) -> list[str]:
    word = word.strip("_")
    if not word or (drop_stopwords and (word in ENGLISH_STOPWORDS or len(word) < 2)):
        return []
    return [word]


def strip_korean_suffix(word: str) -> str:
    """A Korean word without a trailing particle or ending ("예산을" → "예산"), keeping at least two syllables."""
    for suffix in KOREAN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


def keywords(text: str, limit: int = 5) -> list[str]:
    """The most frequent content words (Korean words without particles), for tags when nothing else fits."""
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for i, raw in enumerate(WORD.findall(normalize(text).lower())):
        if raw.isdigit() or len(raw) > 30:
            continue
        if has_hangul(raw):
            word = strip_korean_suffix(raw)
            if len(word) < 2 or not HANGUL.fullmatch(word[0]):
                continue
        else:
            word = raw.strip("_")
            if len(word) < 4 or word in ENGLISH_STOPWORDS or not word.isalpha():
                continue
        counts[word] = counts.get(word, 0) + 1
        first_seen.setdefault(word, i)
    ranked = sorted(counts, key=lambda w: (-counts[w], first_seen[w]))
    return [w for w in ranked if counts[w] >= 2][:limit]


def document_text(markdown: str | None, transcript: dict | None = None) -> str:
    """The text a document has for AI stages: its Markdown, else its transcript's text; "" when none."""
    if markdown and markdown.strip():
        return markdown
    text = (transcript or {}).get("text") if isinstance(transcript, dict) else None
    return text if isinstance(text, str) and text.strip() else ""
