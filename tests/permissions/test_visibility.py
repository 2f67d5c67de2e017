"""Lists, search, the dashboard, categories and suggestions show only what the caller may see."""

from __future__ import annotations

from fastapi.testclient import TestClient

from docmill.config import Settings
from docmill.db.engine import Database
from tests.api.conftest import Account
from tests.permissions.conftest import People, make_shared_document

SECRET = "Zanzibar budget"


def _seen(client: TestClient, who: Account) -> dict[str, object]:
    h = who.headers
    documents = client.get("/api/documents", headers=h).json()
    search = client.get("/api/search", params={"q": "zanzibar", "mode": "fulltext"}, headers=h).json()
    dashboard = client.get("/api/dashboard", headers=h).json()
    suggestions = client.get("/api/library/suggestions", headers=h).json()
    field_suggestions = client.get("/api/library/field-suggestions", headers=h).json()
    tree = client.get("/api/categories", headers=h).json()
    return {
        "documents": documents["total"],
        "titles": [d["title"] for d in documents["items"]] + [hit["title"] for hit in search["hits"]],
        "search": search["total"],
        "dashboard_documents": dashboard["document_count"],
        "dashboard_private": dashboard["category_counts"].get("Private", 0),
        "dashboard_suggestions": dashboard["library_pending_suggestions"],
        "suggestions": suggestions["total"],
        "field_suggestions": field_suggestions["total"],
        "dashboard_field_suggestions": dashboard["library_pending_field_suggestions"],
        "category_total": sum(c["total"] for c in tree["categories"]) + tree["uncategorized"],
    }


def test_a_stranger_sees_nothing_of_a_private_document(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    make_shared_document(settings, database, people, title=SECRET, words="zanzibar")
    nothing = {
        "documents": 0,
        "titles": [],
        "search": 0,
        "dashboard_documents": 0,
        "dashboard_private": 0,
        "dashboard_suggestions": 0,
        "suggestions": 0,
        "field_suggestions": 0,
        "dashboard_field_suggestions": 0,
        "category_total": 0,
    }
    assert _seen(client, people.stranger) == nothing
    one = {
        "documents": 1,
        "titles": [SECRET, SECRET],
        "search": 1,
        "dashboard_documents": 1,
        "dashboard_private": 1,
        "dashboard_suggestions": 1,
        "suggestions": 1,
        "field_suggestions": 1,
        "dashboard_field_suggestions": 1,
        "category_total": 1,
    }
    for who in (people.owner, people.viewer, people.editor, people.admin):
        assert _seen(client, who) == one, who.username


def test_visible_to_all_and_group_shares(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    shared = make_shared_document(settings, database, people, title=SECRET, words="zanzibar")
    admin = people.admin.headers
    group = client.post("/api/groups", json={"name": "family", "members": ["sam"]}, headers=admin).json()
    assert group["members"] == ["sam"]
    owner = people.owner.headers
    r = client.post(f"/api/documents/{shared.document}/shares", json={"group": "family"}, headers=owner)
    assert r.status_code == 200, r.text
    assert _seen(client, people.stranger)["search"] == 1
    assert client.get(f"/api/documents/{shared.document}", headers=people.stranger.headers).json()["access"] == "view"
    share_id = next(s["id"] for s in r.json()["shares"] if s["group"] == "family")
    client.delete(f"/api/documents/{shared.document}/shares/{share_id}", headers=owner)
    assert _seen(client, people.stranger)["documents"] == 0
    r = client.put(f"/api/documents/{shared.document}/visibility", json={"visible_to_all": True}, headers=owner)
    assert r.json()["visible_to_all"] is True
    assert _seen(client, people.stranger)["titles"] == [SECRET, SECRET]
    # visible to all is view only
    r = client.patch(f"/api/documents/{shared.document}", json={"title": "mine now"}, headers=people.stranger.headers)
    assert r.status_code == 403


def test_an_upload_belongs_to_the_uploader(client: TestClient, people: People) -> None:
    r = client.post(
        "/api/documents", files={"file": ("a.txt", b"olivia's own words", "text/plain")}, headers=people.owner.headers
    )
    assert r.status_code == 201, r.text
    doc = r.json()["document_id"]
    detail = client.get(f"/api/documents/{doc}", headers=people.owner.headers).json()
    assert (detail["owner"], detail["access"]) == ("olivia", "owner")
    assert client.get(f"/api/documents/{doc}", headers=people.stranger.headers).status_code == 404
    # the same content from someone who could not see it: they get a view share, and nothing of its name
    r = client.post(
        "/api/documents",
        files={"file": ("b.txt", b"olivia's own words", "text/plain")},
        headers=people.stranger.headers,
    )
    assert (r.status_code, r.json()["status"]) == (200, "duplicate")
    assert "a.txt" not in (r.json()["note"] or "")
    assert client.get(f"/api/documents/{doc}", headers=people.stranger.headers).json()["access"] == "view"


def test_the_trash_is_its_owners(client: TestClient, settings: Settings, database: Database, people: People) -> None:
    shared = make_shared_document(settings, database, people, title=SECRET)
    client.delete(f"/api/documents/{shared.document}", headers=people.owner.headers)
    trash = {"deleted": True}
    assert client.get("/api/documents", params=trash, headers=people.owner.headers).json()["total"] == 1
    assert client.get("/api/documents", params=trash, headers=people.admin.headers).json()["total"] == 1
    assert client.get("/api/documents", params=trash, headers=people.viewer.headers).json()["total"] == 0
    assert client.post(f"/api/documents/{shared.document}/restore", headers=people.editor.headers).status_code == 403
