"""Tags: one normal form, and the offline choice that prefers tags the library already uses.

New keyword tags come from the document's words only: math (LaTeX), code, URLs and markup are taken out
first, stop words of both languages and markup/LaTeX command names never become tags, and a tag that is a
variant of one already chosen ("invoices" after "invoice", "예산안" after "예산") is left out. At most
OFFLINE_TAGS in all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from docmill.ai.text import KOREAN_SUFFIXES, has_hangul, keywords, normalize, strip_korean_suffix

MAX_TAG_CHARS = 40
OFFLINE_TAGS = 5
MIN_TAGS = 3  # new keyword tags are added only while fewer existing tags fit

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]{1,300}\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\*?(?:\{[^}]*\})?")
_CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|`[^`\n]+`", re.MULTILINE | re.DOTALL)
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_HTML = re.compile(r"<[^>\n]{1,200}>|&[a-z]+;|&#\d+;")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")

# Words of markup, LaTeX and code that survive as text (a formula copied without its backslashes).
_NOT_TAGS = """frac left right begin end mathrm mathbf mathit text textbf textit sqrt sum prod int lim infty alpha beta
    gamma delta epsilon theta lambda sigma omega cdot times quad qquad displaystyle array align equation label ref
    cite eqref hline http https www html href span class style nbsp amp quot function return import const null
    true false self none void public static string int float def elif else lambda printf println var let div
    also however would could using used page pages section sections figure figures table tables chapter note
    notes example examples number numbers image images file files document documents data item items thing
    things something anything everything part parts include includes including based following within without
    many much make makes made well first second third last next new old one two three four five multi non
    date dates time times year years today daily total"""
NOT_TAGS = frozenset(_NOT_TAGS.split())
_KOREAN_STOPWORDS = """것 수 등 및 또는 그리고 그러나 하지만 그래서 또한 위해 위한 대한 대해 통해 관련 경우
때문 이번 지난 다음 우리 저희 이것 그것 저것 여기 거기 이런 그런 저런 어떤 모든 각각
가장 매우 정말 아주 다시 이미 아직 오늘 내일 어제 지금 현재 때 중 후 전 사용 이용
내용 부분 정도 자체 있다 없다 한다 했다 된다 됐다 이다 입니다 합니다 습니다 있는 없는
하는 되는 같은 같이 보다 통한 대해서 따라 따른 관한 모두 여러 다른 해당 기타 제목
문서 페이지"""
KOREAN_STOPWORDS = frozenset(_KOREAN_STOPWORDS.split())


def normalize_tag(tag: str) -> str | None:
    """ "#Machine Learning" → "machine-learning"; None for a tag with nothing left."""
    text = normalize(tag).strip().lower().lstrip("#")
    text = re.sub(r"[\s_/]+", "-", text)
    text = re.sub(r"[^\w\-.+]", "", text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    return text[:MAX_TAG_CHARS].rstrip("-") or None


def normalize_tags(tags: Iterable[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        norm = normalize_tag(tag)
        if norm and norm not in out:
            out.append(norm)
    return out


def prefer_existing(tags: Iterable[str], existing: Iterable[str]) -> list[str]:
    """Normalized tags, each spelled as an existing tag when one has the same normal form."""
    by_norm = {normalize_tag(t): t for t in existing}
    return normalize_tags(by_norm.get(normalize_tag(t), t) or t for t in tags)


def _occurs(tag: str, text_lower: str) -> int:
    words = tag.replace("-", " ")
    if has_hangul(words):
        return text_lower.count(words)
    return len(re.findall(rf"(?<!\w){re.escape(words)}(?!\w)", text_lower))


def tag_source(text: str) -> str:
    """The document's words, without math, code, URLs, link targets and markup."""
    for pattern in (_CODE, _MATH, _LATEX_COMMAND, _URL, _LINK_TARGET, _HTML):
        text = pattern.sub(" ", text)
    return text


def _stem(tag: str) -> str:
    words = tag.replace("-", " ")
    if has_hangul(words):
        return strip_korean_suffix(words)
    for suffix in ("ies", "es", "s", "ing", "ed"):
        if words.endswith(suffix) and len(words) - len(suffix) >= 4:
            return words[: -len(suffix)]
    return words


def is_variant(tag: str, chosen: Iterable[str]) -> bool:
    """Whether `tag` says what a chosen tag says: the same stem, or one inside the other ("예산안", "예산")."""
    stem = _stem(tag)
    for other in chosen:
        other_stem = _stem(other)
        if stem == other_stem:
            return True
        short, long = sorted((stem, other_stem), key=len)
        if len(short) >= (2 if has_hangul(short) else 4) and long.startswith(short):
            return True
    return False


def good_keyword(word: str) -> bool:
    if word in NOT_TAGS or word in KOREAN_STOPWORDS:
        return False
    if not has_hangul(word):
        return True
    if strip_korean_suffix(word) in KOREAN_STOPWORDS:
        return False
    return not any(word.endswith(sfx) and word[: -len(sfx)] in KOREAN_STOPWORDS for sfx in KOREAN_SUFFIXES)


def choose_tags(
    text: str,
    existing: Sequence[str],
    neighbour_tags: Sequence[tuple[Sequence[str], float]] = (),
    *,
    limit: int = OFFLINE_TAGS,
) -> list[str]:
    """Tags for a document offline: existing tags it mentions, tags its nearest filed neighbours share, and
    only then new keyword tags (up to MIN_TAGS in all)."""
    text_lower = normalize(text).lower()
    scores: dict[str, float] = {}
    for tag in existing:
        hits = _occurs(tag, text_lower)
        if hits:
            scores[tag] = scores.get(tag, 0.0) + 1.0 + min(hits, 5) * 0.2
    total = sum(weight for _, weight in neighbour_tags) or 1.0
    votes: dict[str, float] = {}
    for tags, weight in neighbour_tags:
        for tag in set(tags):
            votes[tag] = votes.get(tag, 0.0) + weight / total
    for tag, share in votes.items():
        if share >= 0.3:
            scores[tag] = scores.get(tag, 0.0) + share
    chosen: list[str] = []
    for tag in (t for t, _ in sorted(scores.items(), key=lambda kv: -kv[1])):
        if len(chosen) < limit and not is_variant(tag, chosen):
            chosen.append(tag)
    if len(chosen) < MIN_TAGS:
        for word in keywords(tag_source(text), limit=MIN_TAGS * 4):
            if len(chosen) >= min(MIN_TAGS, limit):
                break
            tag = normalize_tag(word)
            if tag and good_keyword(tag) and tag not in chosen and not is_variant(tag, chosen):
                chosen.append(tag)
    return prefer_existing(chosen, existing)[:limit]
