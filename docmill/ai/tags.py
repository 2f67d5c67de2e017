"""Tags: one normal form, and the offline choice that prefers tags the library already uses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from docmill.ai.text import has_hangul, keywords, normalize

MAX_TAG_CHARS = 40
OFFLINE_TAGS = 5
MIN_TAGS = 3  # new keyword tags are added only while fewer existing tags fit


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
    chosen = [t for t, _ in sorted(scores.items(), key=lambda kv: -kv[1])][:limit]
    if len(chosen) < MIN_TAGS:
        for word in keywords(text, limit=MIN_TAGS * 2):
            if len(chosen) >= MIN_TAGS:
                break
            tag = normalize_tag(word)
            if tag and tag not in chosen:
                chosen.append(tag)
    return prefer_existing(chosen, existing)
