"""Offline answers over the Korean/English archive: the right document among the first three citations for at
least 90% of the questions, the expected fact in the answer text for at least 75%."""

from __future__ import annotations

import pytest

from docmill.ask import Answer, AskMode, ask
from docmill.ask.sentences import split_sentences
from tests.ask.ask_data import DOCS, QUESTIONS
from tests.ask.conftest import AskCorpus

DOCUMENT_GOAL = 0.9
FACT_GOAL = 0.75


@pytest.fixture(scope="module")
def answers(ask_corpus: AskCorpus) -> dict[str, Answer]:
    out = {}
    with ask_corpus.database.session() as session:
        for question, _, _ in QUESTIONS:
            out[question] = ask(session, question, settings=ask_corpus.settings, offline=True)
            session.rollback()
    return out


def test_right_document_in_first_three_citations(ask_corpus: AskCorpus, answers: dict[str, Answer]) -> None:
    misses = []
    for question, key, _ in QUESTIONS:
        cited = [ask_corpus.key_of(c.document_id) for c in answers[question].citations[:3]]
        if key not in cited:
            misses.append(f"{question!r} cited {cited}, wanted {key}: {answers[question].answer!r}")
    rate = 1 - len(misses) / len(QUESTIONS)
    print(f"document in first three citations: {rate:.2f}; misses: {misses}")
    assert rate >= DOCUMENT_GOAL, f"right document for {rate:.2f} < {DOCUMENT_GOAL}: {misses}"


def test_answer_holds_the_fact(answers: dict[str, Answer]) -> None:
    misses = [
        f"{q!r} → {answers[q].answer!r} (wanted {fact!r})" for q, _, fact in QUESTIONS if fact not in answers[q].answer
    ]
    rate = 1 - len(misses) / len(QUESTIONS)
    print(f"fact in answer: {rate:.2f}; misses: {misses}")
    assert rate >= FACT_GOAL, f"fact in answer for {rate:.2f} < {FACT_GOAL}: {misses}"


def test_answers_are_honest(answers: dict[str, Answer]) -> None:
    for answer in answers.values():
        assert answer.mode is AskMode.EXTRACTIVE
        assert answer.passages_read >= 1
        assert 1 <= len(answer.citations) <= 3
        for c in answer.citations:
            assert f"[{c.n}]" in answer.answer


def test_quotes_are_exact_sentences_of_the_document(ask_corpus: AskCorpus, answers: dict[str, Answer]) -> None:
    for answer in answers.values():
        for c in answer.citations:
            _, body = DOCS[ask_corpus.key_of(c.document_id)]
            for sentence in split_sentences(c.quote):
                assert sentence in body, (sentence, c.document_id)
                assert sentence in answer.answer


def test_a_fact_deep_in_a_long_document_is_found(answers: dict[str, Answer]) -> None:
    assert len(DOCS["en_home_log"][1]) > 4000  # past where a reader of the first few thousand characters stops
    assert "Carter Roofing" in answers["Who inspected the roof?"].answer


def test_cross_language_answers_say_the_passage_is_in_its_own_language(answers: dict[str, Answer]) -> None:
    answer = answers["When did the dog get its rabies shot?"]
    if "4월 3일" in answer.answer:
        assert any("in Korean" in w for w in answer.warnings), answer.warnings


def test_no_answer_when_nothing_matches(ask_corpus: AskCorpus) -> None:
    with ask_corpus.database.session() as session:
        answer = ask(
            session, "quantum chromodynamics lattice gauge xylophone", settings=ask_corpus.settings, offline=True
        )
    assert not answer.citations
    assert not answer.found
    assert "did not find" in answer.answer
