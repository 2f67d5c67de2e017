"""Offline, type-aware extraction of custom field values from a document's text.

`extract_fields(text, specs)` proposes, for each hinted field (one with an extraction hint or a pattern), a
value with a confidence and the words it was read from. Nothing here touches the database; the classify
stage stores the proposals as suggestions (docmill.fields.suggestions).

How a value is chosen: every candidate of the field's type is found in the text (dates, amounts, an option's
word, the admin's pattern), then scored by how near it stands to the words the hint is about. The hint's
words pick a *concept* ("the due date" → due: 납부기한, 납기일, 마감, due date, pay by …; "the total amount" →
total: 합계, 총액, 청구금액, Total, Amount due …) whose Korean and English keywords are searched for, plus the
hint's own words. A keyword on the same line before the value counts most, the line above next.

Dates read: `2026년 3월 14일`, `2026. 3. 14.`, `2026-03-14`, `2026/03/14`, `14 March 2026`, `March 14, 2026`,
`14 Mar 2026`, and numeric `14/03/2026` or `14.03.2026`. A numeric day/month is read day first (the
international and Korean-English usage) unless the first number cannot be a month's day order (a second
number above 12 means month first, US style); explicit forms score higher than these ambiguous ones.

Amounts read: `125,000원`, `금 125,000원`, `₩125,000`, `KRW 125,000`, `125,000 KRW`, `$1,234.56`, `USD 12`,
`€99,90`, `€1.234,56`, `€99.90`, `99,90 €`, `EUR 99.90`. A total line wins over line items; subtotals, tax
and discounts lose; with no total keyword the largest amount is taken, less confidently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from docmill.fields.types import FieldSpec, FieldType, FieldValueError, parse_value

MAX_EVIDENCE = 200


@dataclass(frozen=True)
class Extracted:
    """A proposed value for one field: its raw form (what parse_value accepts), how sure, and the words."""

    slug: str
    value: Any
    confidence: float
    evidence: str


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    value: Any
    base: float  # how explicit the form is (0..1)
    number: Decimal | None = None


# ---- concepts: what a hint is about, and the words that announce it in a document -------------------------

CONCEPTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # concept: (words of a hint that select it, keywords that announce the value in a document)
    "due": (
        ("due", "deadline", "pay by", "payment date", "납부", "납기", "기한", "마감", "까지", "결제일", "reply by"),
        (
            "납부기한",
            "납부 기한",
            "납기일",
            "납기 내",
            "납기내",
            "납부마감",
            "납부일",
            "마감일",
            "마감",
            "기한",
            "결제일",
            "결제 예정일",
            "출금일",
            "출금 예정일",
            "자동이체일",
            "due date",
            "payment due",
            "due by",
            "due on",
            "due",
            "pay by",
            "payable by",
            "deadline",
            "no later than",
            "reply by",
            "respond by",
            "before",
        ),
    ),
    "issue": (
        ("issue", "issued", "invoice date", "발행", "작성", "발급", "청구일", "고지일", "dated"),
        (
            "발행일",
            "발행일자",
            "작성일",
            "작성일자",
            "발급일",
            "청구일",
            "고지일",
            "issue date",
            "date of issue",
            "issued on",
            "invoice date",
            "statement date",
            "date",
            "날짜",
            "일자",
        ),
    ),
    "end": (
        ("end", "expiry", "expires", "expiration", "until", "만료", "종료", "만기"),
        ("만료일", "종료일", "만기일", "만료", "expiry date", "expires", "expiration date", "valid until", "end date"),
    ),
    "start": (
        ("start", "begin", "effective", "시작", "개시"),
        ("시작일", "개시일", "start date", "effective date", "commencement", "begins"),
    ),
    "total": (
        ("total", "amount", "pay", "sum", "due", "합계", "총액", "금액", "청구", "납부", "결제"),
        (
            "납부하실 금액",
            "납부하실금액",
            "결제하실 금액",
            "청구금액",
            "청구 금액",
            "납부금액",
            "납부 금액",
            "결제금액",
            "결제 예정 금액",
            "총 납부액",
            "총액",
            "총 금액",
            "합계",
            "총계",
            "amount due",
            "total due",
            "balance due",
            "grand total",
            "amount payable",
            "total amount",
            "please pay",
            "total",
        ),
    ),
    "tax": (
        ("tax", "vat", "부가세", "세액"),
        ("부가가치세", "부가세", "세액", "vat", "tax"),
    ),
}
# Words near an amount that say it is not the total (a subtotal, tax, a discount, a line item's unit price).
NOT_TOTAL = ("소계", "subtotal", "sub-total", "부가세", "부가가치세", "세액", "vat", "tax", "할인", "discount", "단가")
DUE_SUFFIX = re.compile(r"^\s*(?:까지|이내|전까지)")
RANGE_NEXT = re.compile(r"^\s*[~–]\s*\d")
STOP_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "for",
        "on",
        "in",
        "at",
        "by",
        "is",
        "this",
        "that",
        "what",
        "which",
        "document",
        "value",
        "field",
        "number",
        "date",
        "amount",
        "의",
        "을",
        "를",
    ]
)


def concepts_of(spec: FieldSpec) -> list[str]:
    hint = f"{spec.extraction_hint or ''} {spec.name}".casefold()
    found = [c for c, (triggers, _) in CONCEPTS.items() if any(t in hint for t in triggers)]
    if spec.type in (FieldType.MONEY, FieldType.DECIMAL, FieldType.INTEGER):
        found = [c for c in found if c in ("total", "tax")] or (["total"] if spec.type is FieldType.MONEY else [])
    elif spec.type is FieldType.DATE:
        found = [c for c in found if c not in ("total", "tax")]
        if "due" in found and "issue" in found:  # "the date the payment is due" vs "issue": due is the aim
            found.remove("issue")
    return found


def keywords_of(spec: FieldSpec) -> list[str]:
    words: list[str] = []
    for concept in concepts_of(spec):
        words += CONCEPTS[concept][1]
    hint = (spec.extraction_hint or "").casefold()
    words += [w for w in re.findall(r"[\w]+", hint) if len(w) >= 2 and w not in STOP_WORDS and not w.isdigit()]
    return list(dict.fromkeys(w.casefold() for w in words if w))


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    word: str


@functools.lru_cache(maxsize=256)
def _keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern finding every keyword (each a named alternative, so overlapping keywords all count)."""
    parts = [
        re.escape(w) if not w.isascii() else r"(?<![a-z])" + re.escape(w) + r"(?![a-z])"
        for w in sorted(keywords, key=len, reverse=True)
    ]
    return re.compile("(?=(" + "|".join(parts) + "))")


def _keyword_hits(folded: str, keywords: Iterable[str]) -> list[_Hit]:
    words = tuple(keywords)
    if not words:
        return []
    return [_Hit(m.start(), m.start() + len(m.group(1)), m.group(1)) for m in _keyword_pattern(words).finditer(folded)]


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _proximity(text: str, candidate: Candidate, hit: _Hit) -> float:
    """How strongly a keyword at `hit` points at the candidate (0..1)."""
    line_start, line_end = _line_bounds(text, candidate.start)
    if line_start <= hit.start < line_end:  # same line
        if hit.end <= candidate.start:
            gap = text[hit.end : candidate.start]
            # a keyword whose value is another candidate in between loses strength (table rows list several)
            return 1.0 / (1.0 + len(gap) / 40.0)
        if hit.start >= candidate.end:
            return 0.45 / (1.0 + (hit.start - candidate.end) / 20.0)
        return 0.0
    previous_start = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    if previous_start <= hit.start < line_start:  # the line above (a label over its value)
        return 0.6
    return 0.0


def _specificity(word: str) -> float:
    """Longer, rarer keywords ("납부기한", "amount due") say more than short ones ("date", "total")."""
    return min(1.0, 0.55 + len(word) / 20.0) if word.isascii() else min(1.0, 0.6 + len(word) / 10.0)


def _score(text: str, candidate: Candidate, hits: Sequence[_Hit]) -> tuple[float, _Hit | None]:
    best, best_hit = 0.0, None
    for hit in hits:
        strength = _proximity(text, candidate, hit) * _specificity(hit.word)
        if strength > best:
            best, best_hit = strength, hit
    return best, best_hit


def _evidence(text: str, candidate: Candidate, hit: _Hit | None) -> str:
    start = min(candidate.start, hit.start) if hit else candidate.start
    end = max(candidate.end, hit.end) if hit else candidate.end
    line_start, _ = _line_bounds(text, start)
    _, line_end = _line_bounds(text, end)
    words = " ".join(text[max(line_start, start - 30) : min(line_end, end + 10)].split())
    return words[:MAX_EVIDENCE]


# ---- dates ------------------------------------------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_ORD = r"(?:st|nd|rd|th)?"
DATE_FORMS: list[tuple[re.Pattern[str], str, float]] = [
    (re.compile(r"(?<!\d)(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"), "ymd", 0.95),
    (re.compile(r"(?<![\d.])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])"), "ymd", 0.95),
    (re.compile(r"(?<![\d.])(\d{4})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{1,2})(?!\d)\.?"), "ymd", 0.9),
    (
        re.compile(r"(?<![\w])(\d{1,2})" + _ORD + r"\s+(?:of\s+)?" + _MONTH + r",?\s+(\d{4})(?!\d)", re.I),
        "dmy_named",
        0.95,
    ),
    (re.compile(r"(?<![\w])" + _MONTH + r"\s+(\d{1,2})" + _ORD + r",?\s+(\d{4})(?!\d)", re.I), "mdy_named", 0.95),
    (re.compile(r"(?<![\d./])(\d{1,2})\s*[./]\s*(\d{1,2})\s*[./]\s*(\d{4})(?![\d])"), "numeric", 0.75),
]


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d) if 1900 <= y <= 2200 else None
    except ValueError:
        return None


def _date_of(kind: str, groups: tuple[str, ...]) -> tuple[date | None, float]:
    if kind == "ymd":
        return _make_date(int(groups[0]), int(groups[1]), int(groups[2])), 1.0
    if kind == "dmy_named":
        return _make_date(int(groups[2]), MONTHS[groups[1].casefold()], int(groups[0])), 1.0
    if kind == "mdy_named":
        return _make_date(int(groups[2]), MONTHS[groups[0].casefold()], int(groups[1])), 1.0
    first, second, year = int(groups[0]), int(groups[1]), int(groups[2])
    if second > 12 >= first:  # 03/14/2026 can only be month first
        return _make_date(year, first, second), 1.0
    # day first (14/03/2026); when both could be months the reading is a guess
    return _make_date(year, second, first), 1.0 if first > 12 else 0.85


def date_candidates(text: str) -> list[Candidate]:
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind, base in DATE_FORMS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            day, sureness = _date_of(kind, m.groups())
            if day is None:
                continue
            taken.append((m.start(), m.end()))
            out.append(Candidate(m.start(), m.end(), day.isoformat(), base * sureness))
    return sorted(out, key=lambda c: c.start)


# ---- amounts ----------------------------------------------------------------------------------------------

_NUM = r"(\d{1,3}(?:[,.\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
AMOUNT_FORMS: list[tuple[re.Pattern[str], str, float]] = [
    (re.compile(r"(?:금\s*)?" + _NUM + r"\s*원(?!\w)"), "KRW", 0.95),
    (re.compile(r"(?:₩|\\|KRW|krw)\s*" + _NUM), "KRW", 0.95),
    (re.compile(r"(?<![A-Za-z])W\s?" + _NUM), "KRW", 0.75),  # ₩ as OCR often reads it
    (re.compile(_NUM + r"\s*(?:KRW)(?![A-Za-z])"), "KRW", 0.9),
    (re.compile(r"(?:US\$|\$|USD\s*)\s*" + _NUM), "USD", 0.95),
    (re.compile(_NUM + r"\s*(?:USD|dollars)(?![A-Za-z])"), "USD", 0.85),
    (re.compile(r"(?:€|EUR\s*)\s*" + _NUM), "EUR", 0.95),
    (re.compile(_NUM + r"\s*(?:€|EUR|euros?)(?![A-Za-z])"), "EUR", 0.9),
    (re.compile(r"(?:£|GBP\s*)\s*" + _NUM), "GBP", 0.95),
    (re.compile(r"(?:¥|JPY\s*)\s*" + _NUM), "JPY", 0.9),
]
BARE_NUMBER = re.compile(r"(?<![\w.,/-])" + _NUM + r"(?![\w.,/-]|\s*[%년월일])")
# a bare amount closes its line or table cell ("Total 248.50"; not "within 30 days")
BARE_AMOUNT = re.compile(r"(?<![\w.,/-])" + _NUM + r"(?=[ \t]*(?:$|\|))", re.M)


def parse_number(text: str, currency: str | None = None) -> Decimal | None:
    """'1,234.56' → 1234.56; '1.234,56' and '99,90' (a euro's decimal comma) → 1234.56, 99.90; '125 000' → 125000."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if currency in ("KRW", "JPY") and re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        return Decimal(re.sub(r"[.,]", "", raw))  # no minor unit: every separator groups thousands
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", raw) or re.fullmatch(r"\d+,\d{1,2}", raw):
        if currency in ("KRW", "JPY") and re.fullmatch(r"\d+,\d{1,2}", raw):
            return None  # '12,50원' is no amount
        raw = raw.replace(".", "").replace(",", ".")
    else:
        raw = raw.replace(",", "")
    if currency in ("KRW", "JPY") and "." in raw:
        whole, _, frac = raw.partition(".")
        if len(frac) == 3:  # '125.000원': a dot for thousands
            raw = whole + frac
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def amount_candidates(text: str, default_currency: str | None = None) -> list[Candidate]:
    out: list[Candidate] = []
    taken: list[tuple[int, int]] = []
    for pattern, currency, base in AMOUNT_FORMS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            number = parse_number(m.group(1), currency)
            if number is None or number <= 0:
                continue
            taken.append((m.start(), m.end()))
            out.append(Candidate(m.start(), m.end(), (number, currency), base, number))
    if default_currency:  # bare numbers ("Total 248.50") count, less, in the field's currency
        for m in BARE_AMOUNT.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            number = parse_number(m.group(1), default_currency)
            if number is None or number <= 0:
                continue
            out.append(Candidate(m.start(), m.end(), (number, default_currency), 0.6, number))
    return sorted(out, key=lambda c: c.start)


def _not_total_penalty(folded: str, candidate: Candidate) -> float:
    line_start, _ = _line_bounds(folded, candidate.start)
    before = folded[line_start : candidate.start]
    return 0.35 if any(w in before for w in NOT_TOTAL) else 1.0


# ---- choosing ---------------------------------------------------------------------------------------------


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _best(
    text: str, folded: str, candidates: Sequence[Candidate], spec: FieldSpec, *, prefer_due_suffix: bool = False
) -> tuple[Candidate, float, _Hit | None] | None:
    if not candidates:
        return None
    hits = _keyword_hits(folded, keywords_of(spec))
    scored: list[tuple[float, Candidate, _Hit | None]] = []
    for c in candidates:
        strength, hit = _score(text, c, hits)
        if prefer_due_suffix and DUE_SUFFIX.match(text[c.end : c.end + 6]):
            strength, hit = max(strength, 0.9), hit
        if prefer_due_suffix and RANGE_NEXT.match(text[c.end : c.end + 4]):
            strength *= 0.5  # the start of a period ("2026-02-18 ~ 2026-02-26"): its end is the deadline
        scored.append((strength, c, hit))
    return _pick(scored, spec)


def _pick(scored: list[tuple[float, Candidate, _Hit | None]], spec: FieldSpec) -> tuple[Candidate, float, _Hit | None]:
    strongest = max(s for s, _, _ in scored)
    if strongest > 0:
        strength, best, hit = max(scored, key=lambda t: (t[0] * (0.5 + t[1].base / 2), -t[1].start))
        return best, min(0.99, 0.35 + 0.6 * strength * best.base), hit
    # nothing near the hint's words: the only candidate, or (amounts) the largest, or the first — unsure
    if len(scored) == 1:
        return scored[0][1], 0.45 * scored[0][1].base, None
    if spec.type in (FieldType.MONEY, FieldType.DECIMAL, FieldType.INTEGER):
        best = max((c for _, c, _ in scored), key=lambda c: c.number or 0)
        return best, 0.35 * best.base, None
    return scored[0][1], 0.25 * scored[0][1].base, None


def _extract_date(text: str, folded: str, spec: FieldSpec) -> Extracted | None:
    choice = _best(text, folded, date_candidates(text), spec, prefer_due_suffix="due" in concepts_of(spec))
    if choice is None:
        return None
    c, confidence, hit = choice
    return Extracted(spec.slug, c.value, round(confidence, 3), _evidence(text, c, hit))


def _extract_amount(text: str, folded: str, spec: FieldSpec) -> Extracted | None:
    candidates = amount_candidates(text, spec.default_currency or ("KRW" if _mostly_korean(text) else None))
    if spec.default_currency:
        # an amount in the field's currency is what the field is about
        same = [c for c in candidates if c.value[1] == spec.default_currency]
        candidates = same or candidates
    choice = _best(text, folded, candidates, spec)
    if choice is None:
        return None
    c, confidence, hit = choice
    if "total" in concepts_of(spec):
        confidence *= _not_total_penalty(folded, c) if hit is None or hit.word not in NOT_TOTAL else 1.0
    number, currency = c.value
    value: Any
    if spec.type is FieldType.MONEY:
        value = {"amount": _plain(number), "currency": currency}
    elif spec.type is FieldType.INTEGER:
        if number != number.to_integral_value():
            return None
        value = int(number)
    else:
        value = _plain(number)
    return Extracted(spec.slug, value, round(confidence, 3), _evidence(text, c, hit))


def _mostly_korean(text: str) -> bool:
    hangul = sum(1 for ch in text[:4000] if "\uac00" <= ch <= "\ud7a3")
    return hangul > 20


def _extract_number(text: str, folded: str, spec: FieldSpec) -> Extracted | None:
    """Integers and decimals: only a number right after the hint's words (a count is rarely guessable)."""
    hits = _keyword_hits(folded, keywords_of(spec))
    if not hits:
        return None
    candidates = []
    for m in BARE_NUMBER.finditer(text):
        number = parse_number(m.group(1))
        if number is not None:
            candidates.append(Candidate(m.start(), m.end(), (number, None), 0.8, number))
    scored = [(*_score(text, c, hits), c) for c in candidates]
    scored = [s for s in scored if s[0] >= 0.5]
    if not scored:
        return None
    strength, hit, c = max(scored, key=lambda t: (t[0], -t[2].start))
    number = c.number or Decimal(0)
    if spec.type is FieldType.INTEGER and number != number.to_integral_value():
        return None
    value: Any = int(number) if spec.type is FieldType.INTEGER else _plain(number)
    return Extracted(spec.slug, value, round(0.3 + 0.5 * strength, 3), _evidence(text, c, hit))


def _extract_select(text: str, folded: str, spec: FieldSpec) -> Extracted | None:
    candidates = []
    for option in spec.options:
        word = fold(option)
        pattern = r"(?<!\w)" + re.escape(word) + r"(?!\w)" if word.isascii() else re.escape(word)
        candidates += [Candidate(m.start(), m.end(), option, 0.8) for m in re.finditer(pattern, folded)]
    if not candidates:
        return None
    if len({c.value for c in candidates}) > 1 and not _keyword_hits(folded, keywords_of(spec)):
        return None  # several options appear and nothing says which is meant
    choice = _best(text, folded, candidates, spec)
    assert choice is not None
    c, confidence, hit = choice
    return Extracted(spec.slug, c.value, round(confidence, 3), _evidence(text, c, hit))


def _extract_pattern(text: str, folded: str, spec: FieldSpec) -> Extracted | None:
    if not spec.pattern:
        return None
    try:
        regex = re.compile(spec.pattern)
    except re.error:
        return None
    candidates = [Candidate(m.start(), m.end(), m.group(0), 0.95) for m in regex.finditer(text) if m.group(0).strip()]
    choice = _best(text, folded, candidates, spec)
    if choice is None:
        return None
    c, confidence, hit = choice
    # a match of the admin's own pattern is strong evidence even far from any keyword
    return Extracted(spec.slug, c.value, round(max(confidence, 0.6), 3), _evidence(text, c, hit))


URL = re.compile(r"https?://[^\s<>()\[\]\"']+")


def _extract_url(text: str, folded: str, spec: FieldSpec) -> Extracted | None:
    candidates = [Candidate(m.start(), m.end(), m.group(0).rstrip(".,;:"), 0.9) for m in URL.finditer(text)]
    choice = _best(text, folded, candidates, spec)
    if choice is None:
        return None
    c, confidence, hit = choice
    return Extracted(spec.slug, c.value, round(confidence, 3), _evidence(text, c, hit))


EXTRACTORS = {
    FieldType.DATE: _extract_date,
    FieldType.MONEY: _extract_amount,
    FieldType.DECIMAL: _extract_number,
    FieldType.INTEGER: _extract_number,
    FieldType.SELECT: _extract_select,
    FieldType.URL: _extract_url,
}


def fold(text: str) -> str:
    """Lower-case, keeping every character's position (so a match in the folded text points into the text)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def hinted(spec: FieldSpec) -> bool:
    """Whether extraction fills this field: it has a hint, or a text field has a pattern."""
    return bool(spec.extraction_hint) or (spec.type is FieldType.TEXT and bool(spec.pattern))


def extract_fields(text: str, specs: Sequence[FieldSpec]) -> dict[str, Extracted]:
    """A proposal per hinted field the text supports, each valid for its field (parse_value accepts it)."""
    folded = fold(text)
    out: dict[str, Extracted] = {}
    for spec in specs:
        if not hinted(spec):
            continue
        if spec.type is FieldType.TEXT:
            found = _extract_pattern(text, folded, spec)
        else:
            extractor = EXTRACTORS.get(spec.type)
            found = extractor(text, folded, spec) if extractor else None
        if found is None:
            continue
        try:
            parse_value(spec, found.value)
        except FieldValueError:
            continue
        out[spec.slug] = found
    return out
