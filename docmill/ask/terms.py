"""What a question asks for: its content words, and the kind of fact it wants (a date, an amount, a name)."""

from __future__ import annotations

import enum
import re

from docmill.ai.text import CJK_RUN, HANGUL, cjk_bigrams, normalize, strip_korean_suffix
from docmill.search.tokens import query_terms

# Question words carry no content: they say what kind of fact is wanted (see Want), not what it is about.
_WORDS = (
    "what when where who whom whose which why how much many did does do is are was were the a an of "
    "언제 어디 어디서 누구 누가 무엇 무엇을 뭐 뭘 얼마 얼마나 몇 어떤 어떻게 왜 했지 했나 했어 였지 인가 인지 "
    "알려줘 알려 주세요 있나 있어 있지 받았지 냈지 했나요 됐지 되지"
)
_QUESTION_WORDS = frozenset(_WORDS.split())


class Want(enum.Enum):
    DATE = "date"
    AMOUNT = "amount"
    NUMBER = "number"
    NAME = "name"


_WANTS: dict[Want, re.Pattern[str]] = {
    Want.DATE: re.compile(
        r"\bwhen\b|what (?:date|day|time|month|year)|which (?:date|day|month|year)|\bdeadline\b|\bdue\b|"
        r"언제|며칠|날짜|일자|몇\s*월|몇\s*일|기한|마감",
        re.IGNORECASE,
    ),
    Want.AMOUNT: re.compile(
        r"how much|\bcost|\bcharge|\bprice|\bpaid\b|\bpay\b|\bfee\b|\btotal\b|\bamount\b|\bbill\b|"
        r"얼마|금액|비용|가격|요금|값|냈|지불|청구",
        re.IGNORECASE,
    ),
    Want.NUMBER: re.compile(r"how many|number of|몇", re.IGNORECASE),
    Want.NAME: re.compile(
        r"\bwho\b|\bwhom\b|which (?:company|firm|person|shop)|\bname\b|누구|누가|어느 업체|이름|업체", re.IGNORECASE
    ),
}

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_FACTS: dict[Want, re.Pattern[str]] = {
    Want.DATE: re.compile(
        r"\d{4}\s*[-./]\s*\d{1,2}(?:\s*[-./]\s*\d{1,2})?|\d{4}\s*년|\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?|\d{1,2}\s*일\b|"
        rf"\b{_MONTHS}\s+\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}|\b(?:19|20)\d\d\b|"
        r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|[월화수목금토일]요일|어제|오늘|지난주|작년|올해",
        re.IGNORECASE,
    ),
    Want.AMOUNT: re.compile(
        r"[$€£₩]\s?\d|\d[\d,.]*\s*(?:원|만\s*원|천\s*원|달러|dollars?|usd|krw|eur|euros?|won)\b|\d[\d,.]*\s*(?:원|만원)",
        re.IGNORECASE,
    ),
    Want.NUMBER: re.compile(r"\d|하나|둘|셋|넷|다섯|여섯|일곱|여덟|아홉|열|한\s|두\s|세\s|네\s"),
    Want.NAME: re.compile(
        r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|[가-힣]{2,}(?:씨|님|사장|기사|업체|회사|센터|병원|설비)"
    ),
}


def question_terms(question: str) -> list[str]:
    """The content terms of a question (query_terms without question words; Korean endings stripped)."""
    out = []
    for term in query_terms(question):
        base = strip_korean_suffix(term) if CJK_RUN.fullmatch(term) else term
        if term in _QUESTION_WORDS or base in _QUESTION_WORDS:
            continue
        out.append(term)
    return out or query_terms(question)


def wants(question: str) -> set[Want]:
    found = {want for want, pattern in _WANTS.items() if pattern.search(question)}
    if Want.AMOUNT in found:
        found.discard(Want.NUMBER)
    return found


def has_fact(want: Want, sentence: str) -> bool:
    return _FACTS[want].search(sentence) is not None


def _matches(term: str, text: str) -> float:
    """1 for the term (or its stem) in the text; for a Korean word, the share of its bigrams found, discounted."""
    if term in text:
        return 1.0
    if CJK_RUN.fullmatch(term):
        stem = strip_korean_suffix(term)
        if len(stem) >= 2 and stem in text:
            return 1.0
        grams = cjk_bigrams(stem if len(stem) >= 2 else term)
        if grams:
            return 0.7 * sum(g in text for g in grams) / len(grams)
        return 0.0
    if len(term) > 4 and term[:-1] in text:  # plural, a trailing -s/-d
        return 0.8
    return 0.0


def overlap(terms: list[str], text: str) -> float:
    """How much of the question's terms the text holds, 0..1 (longer terms weigh more)."""
    if not terms:
        return 0.0
    low = normalize(text).lower()
    weights = [min(len(t), 6) for t in terms]
    return sum(w * _matches(t, low) for t, w in zip(terms, weights, strict=True)) / sum(weights)


def is_korean(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    return sum(1 for ch in letters if HANGUL.match(ch)) / len(letters) >= 0.3
