"""ask(): one question in, one answer with citations out — offline (extractive) or through the configured LLM.

The CLI (`docmill ask`) and the API (`POST /api/ask`) both call this; neither holds answer logic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from docmill.ai.embeddings import Embedder, get_embedder
from docmill.ask.archive import count_documents, is_count_question
from docmill.ask.extractive import ScoredSentence, select_sentences
from docmill.ask.llm import llm_answer
from docmill.ask.passages import Retrieval, retrieve
from docmill.ask.terms import is_korean
from docmill.ask.types import Answer, AskFilters, AskMode, Citation, Delta, Turn
from docmill.config import Settings, get_settings
from docmill.errors import DocmillError, Invalid
from docmill.permissions.access import Viewer
from docmill.search.service import NO_MATCH

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
NOT_FOUND = "I did not find an answer to this in your documents."
NOT_FOUND_KO = "문서에서 이 질문에 대한 답을 찾지 못했습니다."


def not_found_text(question: str) -> str:
    return NOT_FOUND_KO if is_korean(question) else NOT_FOUND


def retrieval_query(question: str, turns: list[Turn]) -> str:
    """What to search for: the question, with the previous question when this one follows up on it."""
    if not turns:
        return question
    return f"{turns[-1].question} {question}"


def _embed(question: str, settings: Settings, answer: Answer) -> tuple[Embedder | None, np.ndarray | None]:
    try:
        embedder = get_embedder(settings)
        started = time.perf_counter()
        vector = embedder.embed_query(question)
        answer.timings_ms["embed_query"] = (time.perf_counter() - started) * 1000
        return embedder, vector
    except DocmillError as exc:
        log.warning("ask without the embedding model: %s", exc)
        answer.warnings.append(f"the embedding model is unavailable, answering from word matches only: {exc}")
        return None, None


def ask(session: Session, question: str, **options: Any) -> Answer:
    """Answer `question` from the documents the viewer may see (all of them without a viewer); see ask_events."""
    for event in ask_events(session, question, **options):
        if isinstance(event, Answer):
            return event
    raise AssertionError("ask_events ended without an answer")


def ask_events(
    session: Session,
    question: str,
    *,
    filters: AskFilters | None = None,
    viewer: Viewer | None = None,
    settings: Settings | None = None,
    turns: list[Turn] | None = None,
    offline: bool = False,
    query_vector: np.ndarray | None = None,
) -> Iterator[Delta | Answer]:
    """The answer's text as it streams (LLM mode), then the Answer itself (always last)."""
    settings = settings or get_settings()
    filters = filters or AskFilters()
    turns = turns or []
    question = " ".join(question.split())
    if not question:
        raise Invalid("the question is blank", "type a question, e.g. 보일러 점검은 언제 받았지?")
    if len(question) > MAX_QUESTION_CHARS:
        raise Invalid(f"the question is {len(question)} characters long", f"ask in at most {MAX_QUESTION_CHARS}")
    answer = Answer(question=question, mode=AskMode.EXTRACTIVE, answer="")
    started = time.perf_counter()
    query = retrieval_query(question, turns)
    if query_vector is not None:
        embedder: Embedder | None = get_embedder(settings)
        vector: np.ndarray | None = query_vector
    else:
        embedder, vector = _embed(query, settings, answer)
    retrieval = retrieve(session, query, vector, filters, viewer, settings)
    answer.timings_ms.update(retrieval.timings_ms)
    _note_retrieval(answer, retrieval)
    if is_count_question(question):
        answer.count = count_documents(session, filters, viewer)
        answer.warnings.append(
            f"counted from the database: {answer.count} documents ({filters.describe() or 'no filters: all yours'}); "
            "narrow it with the kind, category, tag and date filters"
        )
    if not offline:
        done = yield from llm_answer(session, answer, retrieval, filters, viewer, settings, turns)
        if done:
            answer.timings_ms["total"] = (time.perf_counter() - started) * 1000
            yield answer
            return
    extractive(answer, question, vector, retrieval, embedder, turns[-1].question if turns else "")
    answer.timings_ms["total"] = (time.perf_counter() - started) * 1000
    yield answer


def _note_retrieval(answer: Answer, retrieval: Retrieval) -> None:
    answer.passages_read = len(retrieval.passages)
    answer.documents_read = retrieval.documents
    results = retrieval.search
    for warning in results.warnings:
        if warning != NO_MATCH and warning not in answer.warnings:
            answer.warnings.append(warning)
    skipped = results.matching_not_embedded
    if skipped:
        answer.warnings.append(
            f"{skipped} matching document{'s are' if skipped != 1 else ' is'} not embedded yet and "
            f"{'were' if skipped != 1 else 'was'} read by {'their' if skipped != 1 else 'its'} words only; "
            "the answer may improve once embedding finishes"
        )


def citations_for(sentences: list[ScoredSentence]) -> tuple[list[Citation], list[int]]:
    """One citation per chunk quoted (its sentences joined in passage order), and each sentence's number."""
    numbers: dict[int, int] = {}
    quotes: dict[int, list[ScoredSentence]] = {}
    for s in sentences:
        numbers.setdefault(s.passage.chunk_id, len(numbers) + 1)
        quotes.setdefault(s.passage.chunk_id, []).append(s)
    citations = []
    for chunk_id, n in numbers.items():
        parts = sorted(quotes[chunk_id], key=lambda s: s.index)
        p = parts[0].passage
        citations.append(
            Citation(n, p.document_id, p.title, p.original_name, chunk_id, " ".join(s.text for s in parts))
        )
    return citations, [numbers[s.passage.chunk_id] for s in sentences]


def extractive(
    answer: Answer,
    question: str,
    vector: np.ndarray | None,
    retrieval: Retrieval,
    embedder: Embedder | None,
    context: str = "",
) -> None:
    answer.mode = AskMode.EXTRACTIVE
    sentences = select_sentences(question, vector, retrieval.passages, embedder, answer.timings_ms, context)
    count_line = _count_line(answer, question)
    if not sentences:
        answer.found = answer.count is not None
        answer.answer = count_line or not_found_text(question)
        return
    # keep the passage order within one document so the sentences read as they were written
    answer.citations, numbers = citations_for(sentences)
    body = " ".join(f"{s.text} [{n}]" for s, n in zip(sentences, numbers, strict=True))
    answer.answer = f"{count_line} {body}" if count_line else body
    asked_korean = is_korean(question)
    other = [s for s in sentences if is_korean(s.text) != asked_korean]
    if other:
        language = "English" if asked_korean else "Korean"
        answer.warnings.append(
            f"the answer quotes {'a passage' if len(other) == 1 else 'passages'} in {language}, "
            "as written in the document (offline answers are not translated)"
        )


def _count_line(answer: Answer, question: str) -> str:
    if answer.count is None:
        return ""
    if is_korean(question):
        return f"조건에 맞는 문서는 {answer.count}개입니다."
    return f"{answer.count} document{'s match' if answer.count != 1 else ' matches'} the filters."
