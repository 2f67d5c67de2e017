"""The offline answer: the one to three sentences of the read passages that best answer the question.

Each sentence is scored by its embedding similarity to the question, the question's terms it holds, and
whether it holds the kind of fact asked for (a date for "when/언제", an amount for "how much/얼마", a name for
"who/누구"); the chunk it comes from lends a little of its own score. Sentences are quotes, never rewritten.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from docmill.ai.embeddings import Embedder
from docmill.ask.sentences import split_sentences
from docmill.ask.terms import has_fact, overlap, question_terms, wants
from docmill.ask.types import Passage

MAX_SENTENCES = 3
EMBEDDED_CANDIDATES = 10  # sentences embedded per question (the best by words and passage first)
KEEP_RATIO = 0.88  # a further sentence joins the answer when it scores at least this share of the best


@dataclass(frozen=True)
class ScoredSentence:
    passage: Passage
    text: str
    score: float
    index: int  # position within its passage


def select_sentences(
    question: str,
    query_vector: np.ndarray | None,
    passages: list[Passage],
    embedder: Embedder | None,
    timings_ms: dict[str, float] | None = None,
    context: str = "",
) -> list[ScoredSentence]:
    """The answer's sentences, best first (empty when the passages hold none). `context` (the earlier question of
    a follow-up) lends its terms; the kind of fact wanted is the question's own."""
    terms = question_terms(f"{context} {question}" if context else question)
    wanted = wants(question)
    top_passage = max((p.score for p in passages), default=1.0) or 1.0
    candidates: list[tuple[Passage, int, str, float]] = []
    for passage in passages:
        for index, sentence in enumerate(split_sentences(passage.text)):
            words = overlap(terms, sentence)
            fact = sum(1 for w in wanted if has_fact(w, sentence)) / len(wanted) if wanted else 0.0
            prior = passage.score / top_passage
            candidates.append((passage, index, sentence, 0.45 * words + 0.25 * fact + 0.2 * prior))
    if not candidates:
        return []
    candidates.sort(key=lambda c: -c[3])
    head = candidates[:EMBEDDED_CANDIDATES]
    similarity = np.zeros(len(head), dtype=np.float32)
    if embedder is not None and query_vector is not None:
        started = time.perf_counter()
        vectors = embedder.embed_passages([c[2] for c in head])
        similarity = vectors @ np.asarray(query_vector, dtype=np.float32)
        if timings_ms is not None:
            timings_ms["embed_sentences"] = (time.perf_counter() - started) * 1000
    scored = [
        ScoredSentence(p, text, round(float(pre + 0.6 * sim), 6), index)
        for (p, index, text, pre), sim in zip(head, similarity, strict=True)
    ]
    scored.sort(key=lambda s: -s.score)
    best = scored[0]
    chosen = [best]
    for s in scored[1:]:
        if len(chosen) >= MAX_SENTENCES or s.score < KEEP_RATIO * best.score:
            break
        if any(s.text == c.text or s.text in c.text or c.text in s.text for c in chosen):
            continue
        chosen.append(s)
    return chosen
