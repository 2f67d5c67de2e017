"""An offline extractive summary that works for Korean and English alike.

Sentences are compared by their terms (words, and Hangul bigrams so Korean particles do not hide shared
words) weighted by inverse sentence frequency; TextRank over that similarity graph, with a small bonus for
early sentences, picks the most central ones, which are returned in document order.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from docmill.ai.text import markdown_to_text, split_sentences, terms

MAX_SENTENCES_CONSIDERED = 300
MIN_SENTENCE_CHARS = 12
MAX_SENTENCE_CHARS = 600


def _sentence_count(total: int) -> int:
    if total <= 3:
        return total
    return 3 if total < 40 else 4 if total < 120 else 5


def extractive_summary(markdown: str, *, max_sentences: int | None = None, max_chars: int = 700) -> str:
    """The document's most central sentences, in order; "" for a document without sentences."""
    text = markdown_to_text(markdown)
    sentences = [s for s in split_sentences(text) if len(s) >= MIN_SENTENCE_CHARS][:MAX_SENTENCES_CONSIDERED]
    if not sentences:
        return " ".join(text.split())[:max_chars]
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
        [0.6 if len(s) > MAX_SENTENCE_CHARS or len(s) < 2 * MIN_SENTENCE_CHARS else 1.0 for s in sentences],
        dtype=np.float32,
    )
    ranked = np.argsort(-(scores * position_bonus * length_penalty), kind="stable")

    chosen: list[int] = []
    used = 0
    for index in ranked:
        sentence = sentences[int(index)]
        if chosen and used + len(sentence) > max_chars:
            continue
        chosen.append(int(index))
        used += len(sentence) + 1
        if len(chosen) >= want:
            break
    return _join([sentences[i] for i in sorted(chosen)], max_chars)


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
