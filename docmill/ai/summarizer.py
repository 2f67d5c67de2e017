"""An offline extractive summary that works for Korean and English alike.

Sentences are compared by their terms (words, and Hangul bigrams so Korean particles do not hide shared
words) weighted by inverse sentence frequency; TextRank over that similarity graph, with a small bonus for
early sentences, picks the most central ones, which are returned in document order.

Only informative sentences are candidates: transcript timestamps, citation marks ("[2]") and table rows are
taken out first; sentences made mostly of digits, IDs (UUIDs, hex) or markup, boilerplate (cookie banners,
navigation, copyright lines) and repeats are dropped; sentences in the document's main language are
preferred. A document that is mostly tables (a spreadsheet, a CSV) is summarized from its tables' names,
sizes and headers ("Sheet 'Sales', 1,200 rows: Region, Product, Units, Revenue"), never from cell values.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from docmill.ai.text import WORD, detect_language, has_hangul, markdown_to_text, split_sentences, terms

MAX_SENTENCES_CONSIDERED = 300
MIN_SENTENCE_CHARS = 12
MAX_SENTENCE_CHARS = 600
MAX_HEADER_COLUMNS = 8
NEAR_DUPLICATE = 0.8  # share of terms two sentences have in common above which the later one is a repeat

_TIMESTAMP = re.compile(
    r"\*{0,2}\[?\(?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\s*(?:→|-->|–|-|~)\s*"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]?\)?\*{0,2}"
)
_LONE_TIMESTAMP = re.compile(r"(?<![\w:])\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]?(?![\w:])")
_CITATION_LINK = re.compile(r"\[\[[^\]]{1,30}\]\]\([^)]*\)|\[\]\([^)]*\)|\^\[[^\]]{1,30}\]")
_CITATION = re.compile(r"\[(?:\d{1,3}|[a-z]|citation needed|edit|편집|출처 필요)\]", re.IGNORECASE)
_ID_TOKEN = re.compile(
    r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{8,}|[0-9a-f]{8}(?:-[0-9a-f]{1,12})+|"
    r"[\d.,:/%+-]+|(?=(?:[a-z]*\d){2})[a-z\d_-]{6,})$",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[{}<>\[\]|\\^_=#*`~]")
_BOILERPLATE = re.compile(
    r"\bcookies?\b|accept all|privacy (?:policy|settings)|terms (?:of (?:use|service)|and conditions)|"
    r"\bsign (?:in|up)\b|\blog ?in\b|\bsubscribe\b|newsletter|skip to (?:main )?content|jump to navigation|"
    r"main menu|all rights reserved|copyright ©|©\s*\d{4}|share (?:this|on) |follow us|read more|click here|"
    r"쿠키|로그인|회원가입|무단 ?전재|재배포 금지|저작권|구독하기|바로가기|본문 바로|개인정보처리방침",
    re.IGNORECASE,
)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE_ROW = re.compile(r"^\s*\|?\s*:?-{3,}")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


@dataclass(frozen=True)
class Table:
    name: str | None
    header: list[str]
    rows: int


def tables_of(markdown: str) -> tuple[list[Table], str]:
    """The Markdown's tables (the heading above each, header cells, body row count) and the rest of it."""
    tables: list[Table] = []
    rest: list[str] = []
    heading: str | None = None
    block: list[str] = []

    def close() -> None:
        if block:
            header = [c.strip() for c in block[0].strip().strip("|").split("|")]
            body = [r for r in block[1:] if not _TABLE_RULE_ROW.match(r)]
            tables.append(Table(heading, [h for h in header if h], len(body)))
            block.clear()

    for line in markdown.splitlines():
        if _TABLE_ROW.match(line):
            block.append(line)
            continue
        close()
        match = _HEADING.match(line)
        if match:
            heading = match.group(1).strip()
        rest.append(line)
    close()
    return tables, "\n".join(rest)


def _is_id(text: str) -> bool:
    return bool(_ID_TOKEN.match(text.strip()))


def describe_tables(tables: list[Table]) -> str:
    """ "Sheet 'Sales', 1,200 rows: Region, Product, Units, Revenue …" for each table."""
    parts = []
    for number, table in enumerate(tables, start=1):
        name = table.name if table.name and not _is_id(table.name.replace(" ", "")) else None
        label = f"Sheet '{name}'" if name else (f"Table {number}" if len(tables) > 1 else "A table")
        columns = [h for h in table.header if not _is_id(h)][:MAX_HEADER_COLUMNS]
        more = " …" if len(table.header) > len(columns) else ""
        shape = f"{table.rows:,} row{'s' if table.rows != 1 else ''}"
        parts.append(f"{label}, {shape}" + (f": {', '.join(columns)}{more}." if columns else "."))
    return " ".join(parts)


_URL = re.compile(r"\b(?:https?://|www\.)\S+")
_ENDS_SENTENCE = re.compile(r"[.!?。！？…다요죠음함됨\"'”’)]$")


def clean_text(text: str) -> str:
    """Plain text without transcript timestamps, citation marks and web addresses."""
    text = _URL.sub(" ", text)
    text = _TIMESTAMP.sub(" ", text)
    text = _CITATION.sub("", text)
    return text


def informative(sentence: str) -> bool:
    """A sentence a person would put in a summary: mostly words, not IDs, digits, markup or boilerplate."""
    if len(sentence) < MIN_SENTENCE_CHARS:
        return False
    tokens = sentence.split()
    if not tokens:
        return False
    ids = sum(1 for t in tokens if _is_id(t.strip(".,;:()\"'")))
    if ids / len(tokens) > 0.4:
        return False
    letters = sum(ch.isalpha() for ch in sentence)
    if letters / len(sentence) < 0.5:
        return False
    if len(_MARKUP.findall(sentence)) > max(3, len(sentence) // 25):
        return False
    if len(WORD.findall(sentence)) < 3 and not has_hangul(sentence):
        return False
    return not (_BOILERPLATE.search(sentence) and len(sentence) < 300)


def shape_weight(sentence: str) -> float:
    """Less for what looks like a fragment: a Latin sentence starting in lower case (cut from the one
    before), or text that does not end like a sentence (a heading run into a line, a list item)."""
    weight = 1.0
    first = sentence[0]
    if first.isalpha() and first.isascii() and first.islower():
        weight *= 0.5
    if not _ENDS_SENTENCE.search(sentence):
        weight *= 0.7
    return weight


def _key(sentence: str) -> str:
    return "".join(ch for ch in sentence.lower() if ch.isalnum())


def candidate_sentences(text: str) -> list[str]:
    """The informative sentences of plain text, each once, preferring the text's main language."""
    seen: set[str] = set()
    out: list[str] = []
    for sentence in split_sentences(_LONE_TIMESTAMP.sub(" ", clean_text(text))):
        sentence = " ".join(sentence.split())
        key = _key(sentence)
        if not key or key in seen or not informative(sentence):
            continue
        seen.add(key)
        out.append(sentence)
    if len(out) > 3:
        language = detect_language(" ".join(out))
        same = [s for s in out if (detect_language(s) == language)]
        if len(same) >= 3:
            out = same
    return out


def _sentence_count(total: int) -> int:
    if total <= 3:
        return total
    return 3 if total < 40 else 4 if total < 120 else 5


def extractive_summary(markdown: str, *, max_sentences: int | None = None, max_chars: int = 700) -> str:
    """The document's most central informative sentences, in order; a spreadsheet's tables described; ""
    for a document with nothing to say."""
    tables, prose = tables_of(_CITATION_LINK.sub("", markdown))
    sentences = candidate_sentences(markdown_to_text(prose))[:MAX_SENTENCES_CONSIDERED]
    if tables and len(sentences) < 2:
        described = describe_tables(tables)
        return _join([*sentences, described] if sentences else [described], max_chars)
    if not sentences:
        return ""
    want = max_sentences or _sentence_count(len(sentences))
    if len(sentences) <= want:
        return _join(sentences, max_chars)

    bags = [Counter(terms(s)) for s in sentences]
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(bag.keys())
    n = len(sentences)
    vocab = {term: i for i, term in enumerate(df)}
    matrix = np.zeros((n, len(vocab)), dtype=np.float32)
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            matrix[row, vocab[term]] = (1 + math.log(count)) * math.log(1 + n / df[term])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1
    matrix /= norms
    similarity = matrix @ matrix.T
    np.fill_diagonal(similarity, 0)

    scores = _pagerank(similarity)
    position_bonus = np.array([1.0 + 0.3 / (1 + i) for i in range(n)], dtype=np.float32)
    length_penalty = np.array(
        [
            (0.6 if len(s) > MAX_SENTENCE_CHARS or len(s) < 2 * MIN_SENTENCE_CHARS else 1.0) * shape_weight(s)
            for s in sentences
        ],
        dtype=np.float32,
    )
    ranked = np.argsort(-(scores * position_bonus * length_penalty), kind="stable")

    chosen: list[int] = []
    used = 0
    for index in ranked:
        sentence = sentences[int(index)]
        if chosen and used + len(sentence) > max_chars:
            continue
        if any(_overlap(bags[int(index)], bags[c]) > NEAR_DUPLICATE for c in chosen):
            continue
        chosen.append(int(index))
        used += len(sentence) + 1
        if len(chosen) >= want:
            break
    return _join([sentences[i] for i in sorted(chosen)], max_chars)


def _overlap(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a.keys() & b.keys()) / min(len(a), len(b))


def _pagerank(similarity: np.ndarray, damping: float = 0.85, iterations: int = 50) -> np.ndarray:
    n = similarity.shape[0]
    out_weight = similarity.sum(axis=1, keepdims=True)
    out_weight[out_weight == 0] = 1
    transition = similarity / out_weight
    scores = np.full(n, 1.0 / n, dtype=np.float32)
    for _ in range(iterations):
        updated = (1 - damping) / n + damping * (transition.T @ scores)
        if np.abs(updated - scores).sum() < 1e-6:
            return updated
        scores = updated
    return scores


def _join(sentences: list[str], max_chars: int) -> str:
    out = " ".join(sentences)
    if len(out) <= max_chars:
        return out
    cut = out[:max_chars].rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"
