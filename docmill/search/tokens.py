"""Full-text tokens for `chunks.tsv` and the matching `tsquery`, built the same way on both sides.

PostgreSQL's parsers do not segment Korean, and pg_trgm needs three characters, so a two-syllable word
such as "예산" inside "예산안을" would never match. Every CJK run is therefore stored as itself plus its
character bigrams at consecutive positions; a query run of three or more characters becomes the phrase of
its bigrams. Other words are stored lower-cased, unstemmed (the 'simple' behaviour). The tsvector is
written as a literal so PostgreSQL's own parser never re-splits the tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from docmill.ai.text import CJK_RUN, ENGLISH_STOPWORDS, WORD, cjk_bigrams, normalize, strip_korean_suffix

MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_POSITIONS_PER_LEXEME = 255
MAX_LEXEME_CHARS = 100


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _word_parts(word: str) -> Iterator[tuple[str, bool]]:
    """(part, is_cjk) of one \\w+ word."""
    pos = 0
    for match in CJK_RUN.finditer(word):
        if match.start() > pos:
            yield word[pos : match.start()], False
        yield match.group(), True
        pos = match.end()
    if pos < len(word):
        yield word[pos:], False


def index_tokens(text: str) -> Iterator[str]:
    """Tokens of text in order: words, and each CJK run followed by its bigrams."""
    for word in WORD.findall(normalize(text).lower()):
        for part, is_cjk in _word_parts(word):
            part = part.strip("_")
            if not part or len(part) > MAX_LEXEME_CHARS:
                continue
            yield part
            if is_cjk and len(part) >= 3:
                yield from cjk_bigrams(part)


def tsvector_literal(sections: Iterable[tuple[str, str]]) -> str:
    """A tsvector literal from (text, weight) sections, weight one of A, B, C, D (D is PostgreSQL's default)."""
    positions: dict[str, list[str]] = {}
    position = 0
    for text, weight in sections:
        suffix = "" if weight == "D" else weight
        for token in index_tokens(text):
            position = min(position + 1, MAX_POSITION)
            found = positions.setdefault(token, [])
            if len(found) < MAX_POSITIONS_PER_LEXEME:
                found.append(f"{position}{suffix}")
    return " ".join(f"{_quote(lexeme)}:{','.join(pos)}" for lexeme, pos in positions.items())


def query_terms(query: str) -> list[str]:
    """The words and CJK runs of a query, without English stopwords (unless nothing else is left)."""
    parts: list[str] = []
    for word in WORD.findall(normalize(query).lower()):
        for part, _ in _word_parts(word):
            part = part.strip("_")
            if part and len(part) <= MAX_LEXEME_CHARS:
                parts.append(part)
    content = [p for p in parts if p not in ENGLISH_STOPWORDS]
    return list(dict.fromkeys(content or parts))


def _term_query(term: str) -> str:
    if not CJK_RUN.fullmatch(term):
        return _quote(term)
    if len(term) == 1:
        return f"{_quote(term)}:*"
    if len(term) == 2:
        return _quote(term)
    options = [_quote(term), "(" + " <-> ".join(_quote(b) for b in cjk_bigrams(term)) + ")"]
    stripped = strip_korean_suffix(term)
    if stripped != term:
        options.append(_term_query(stripped))
    return "(" + " | ".join(options) + ")"


def tsquery_literal(query: str, *, match_all: bool = True) -> str | None:
    """A tsquery for the query's terms (all of them, or any with match_all=False); None when it has none."""
    terms = query_terms(query)
    if not terms:
        return None
    return (" & " if match_all else " | ").join(_term_query(t) for t in terms)


def highlight_terms(query: str) -> list[str]:
    """Strings to mark in a snippet: the query's terms, plus the bigrams of long CJK runs."""
    out: list[str] = []
    for term in query_terms(query):
        out.append(term)
        if CJK_RUN.fullmatch(term) and len(term) >= 3:
            stripped = strip_korean_suffix(term)
            out.append(stripped)
            out.extend(cjk_bigrams(term))
    return list(dict.fromkeys(out))
