"""Saved views: CRUD, counts for each viewer through the documents list's own filter, dashboard pins."""

from __future__ import annotations

from fastapi.testclient import TestClient

from docmill.config import Settings
from docmill.db.engine import Database
from tests.permissions.conftest import People, make_shared_document
from tests.workspace.conftest import insert_documents


def test_views_crud_and_counts_per_viewer(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    shared = make_shared_document(settings, database, people).document  # owner's, in "Private", shared with victor
    insert_documents(database, people.owner.id, 4, prefix="own")  # owner's only
    client.patch(f"/api/documents/{shared}", json={"tags": ["invoice"]}, headers=people.owner.headers)
    query = {"category": "Private", "sort": "-created_at", "columns": ["title", "owner"]}
    made = client.post(
        "/api/views", json={"name": "Private files", "query": query, "pinned": True}, headers=people.owner.headers
    )
    assert made.status_code == 201, made.text
    view = made.json()
    assert view["query"] == query and view["pinned"] is True and view["count"] == 1
    everything = client.post("/api/views", json={"name": "All", "query": {}}, headers=people.owner.headers).json()
    assert everything["count"] == 5 and everything["pinned"] is False
    # the same query counts what each viewer may see
    theirs = client.post("/api/views", json={"name": "All", "query": {}}, headers=people.viewer.headers).json()
    assert theirs["count"] == 1
    assert (
        client.post("/api/views", json={"name": "All", "query": {}}, headers=people.stranger.headers).json()["count"]
        == 0
    )
    # the count agrees with the list
    listed = client.get("/api/documents", params={"category": "Private"}, headers=people.owner.headers).json()
    assert listed["total"] == 1
    assert client.get(f"/api/views/{view['id']}/count", headers=people.owner.headers).json() == {
        "id": view["id"],
        "count": 1,
    }
    # names are per user and unique
    dup = client.post("/api/views", json={"name": "All"}, headers=people.owner.headers)
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "view_exists"
    # a query the list would not accept is refused, naming the parameter
    bad = client.post("/api/views", json={"name": "Bad", "query": {"colour": "red"}}, headers=people.owner.headers)
    assert bad.status_code == 422 and "colour" in bad.json()["error"]["message"]
    bad_sort = client.post(
        "/api/views", json={"name": "Bad", "query": {"sort": "sideways"}}, headers=people.owner.headers
    )
    assert bad_sort.status_code == 422 and "sort" in bad_sort.json()["error"]["message"]
    # pinned views, for the dashboard
    pinned = client.get("/api/views", params={"pinned": True}, headers=people.owner.headers).json()
    assert [(v["name"], v["count"]) for v in pinned] == [("Private files", 1)]
    changed = client.patch(
        f"/api/views/{everything['id']}",
        json={"pinned": True, "query": {"tag": ["invoice"]}},
        headers=people.owner.headers,
    )
    assert changed.status_code == 200 and changed.json()["count"] == 1
    assert len(client.get("/api/views", params={"pinned": True}, headers=people.owner.headers).json()) == 2
    # another user's view is not theirs to see, change or delete
    assert client.get(f"/api/views/{view['id']}", headers=people.viewer.headers).status_code == 404
    assert (
        client.patch(f"/api/views/{view['id']}", json={"name": "x"}, headers=people.viewer.headers).status_code == 404
    )
    assert client.delete(f"/api/views/{view['id']}", headers=people.viewer.headers).status_code == 404
    assert client.delete(f"/api/views/{view['id']}", headers=people.owner.headers).status_code == 204
    assert [v["name"] for v in client.get("/api/views", headers=people.owner.headers).json()] == ["All"]


def test_renaming_onto_another_view_is_a_conflict(client: TestClient, people: People) -> None:
    h = people.owner.headers
    first = client.post("/api/views", json={"name": "One"}, headers=h).json()
    client.post("/api/views", json={"name": "Two"}, headers=h)
    clash = client.patch(f"/api/views/{first['id']}", json={"name": "Two"}, headers=h)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "view_exists"
    assert client.patch(f"/api/views/{first['id']}", json={"name": " Uno "}, headers=h).json()["name"] == "Uno"
