"""Notes: CRUD with authors, who may see and change them, and search finding documents by their notes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from docmill.api.services import notes
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.permissions.access import Viewer
from docmill.search import search
from tests.permissions.conftest import People, make_shared_document
from tests.search.conftest import IndexedCorpus


def test_notes_crud_authors_and_permissions(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    doc = make_shared_document(settings, database, people).document
    url = f"/api/documents/{doc}/notes"
    first = client.post(url, json={"body": "Paid on **3 March**"}, headers=people.owner.headers)
    assert first.status_code == 201, first.text
    note = first.json()
    assert note["author"] == "olivia" and note["mine"] is True and note["body"] == "Paid on **3 March**"
    # a viewer (view share) may read and add notes of their own
    second = client.post(url, json={"body": "checked by victor"}, headers=people.viewer.headers)
    assert second.status_code == 201
    listed = client.get(url, headers=people.viewer.headers).json()
    assert [(n["author"], n["mine"]) for n in listed] == [("olivia", False), ("victor", True)]
    # only the author (or an admin) changes or deletes a note
    refused = client.patch(f"/api/notes/{note['id']}", json={"body": "hijack"}, headers=people.viewer.headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_your_note"
    assert refused.json()["error"]["hint"]
    changed = client.patch(f"/api/notes/{note['id']}", json={"body": "Paid on 4 March"}, headers=people.owner.headers)
    assert changed.status_code == 200 and changed.json()["body"] == "Paid on 4 March"
    assert client.delete(f"/api/notes/{second.json()['id']}", headers=people.admin.headers).status_code == 204
    # a stranger sees neither the document nor its notes, and cannot tell a note exists
    assert client.get(url, headers=people.stranger.headers).status_code == 404
    assert client.post(url, json={"body": "x"}, headers=people.stranger.headers).status_code == 404
    hidden = client.patch(f"/api/notes/{note['id']}", json={"body": "x"}, headers=people.stranger.headers)
    assert hidden.status_code == 404
    # bad input: empty or too long
    assert client.post(url, json={"body": "   "}, headers=people.owner.headers).json()["error"]["code"] == "note_empty"
    too_long = client.post(url, json={"body": "x" * 20_001}, headers=people.owner.headers)
    assert too_long.status_code == 422
    assert [n["body"] for n in client.get(url, headers=people.owner.headers).json()] == ["Paid on 4 March"]


def test_search_finds_documents_by_their_notes(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    doc = make_shared_document(settings, database, people, words="quarterly report").document
    other = make_shared_document(settings, database, people, words="unrelated").document
    added = client.post(
        f"/api/documents/{doc}/notes",
        json={"body": "remember the zanzibarwidget renewal"},
        headers=people.viewer.headers,
    )
    assert added.status_code == 201
    params = {"q": "zanzibarwidget", "mode": "fulltext"}
    for who in (people.owner, people.viewer, people.admin):
        hits = client.get("/api/search", params=params, headers=who.headers).json()["hits"]
        assert [h["document_id"] for h in hits] == [doc], who.username
        assert "note" in hits[0]["matched"]
        assert "<mark>zanzibarwidget</mark>" in hits[0]["snippet"]
        assert hits[0]["note_id"] == added.json()["id"]
    # a user who cannot see the document does not find it by its note
    assert client.get("/api/search", params=params, headers=people.stranger.headers).json()["hits"] == []
    # a document matched by its words and by a note says both
    client.post(f"/api/documents/{other}/notes", json={"body": "unrelated indeed"}, headers=people.owner.headers)
    both = client.get("/api/search", params={"q": "unrelated", "mode": "fulltext"}, headers=people.owner.headers)
    hit = next(h for h in both.json()["hits"] if h["document_id"] == other)
    assert set(hit["matched"]) == {"fulltext", "note"}
    # a deleted note no longer finds its document
    client.delete(f"/api/notes/{added.json()['id']}", headers=people.viewer.headers)
    assert client.get("/api/search", params=params, headers=people.owner.headers).json()["hits"] == []


def test_hybrid_search_fuses_notes_with_words_and_meaning(indexed_corpus: IndexedCorpus) -> None:
    """With the embedding model up, a query a note matches is fused from three lists: words, meaning, notes."""
    corpus = indexed_corpus
    bread, budget = corpus.ids["en_sourdough"], corpus.ids["ko_budget"]
    with corpus.database.transaction() as session:
        note = notes.add_note(session, Viewer.system(), budget, "ask the baker about the sourdough invoice")
    try:
        with corpus.database.session() as session:
            results = search(session, "sourdough", settings=corpus.settings, mode="hybrid")
        assert results.model is not None and not results.no_match
        by_id = {h.document_id: h for h in results.hits}
        assert {"fulltext", "vector"} <= set(by_id[bread].matched) and by_id[bread].note_id is None
        assert by_id[budget].matched == ["note"] and by_id[budget].note_id == note.id
        assert "<mark>sourdough</mark>" in by_id[budget].snippet
        assert results.hits[0].document_id == bread  # found three ways beats found by a note only
    finally:
        with corpus.database.transaction() as session:
            notes.delete_note(session, Viewer.system(), note.id)
