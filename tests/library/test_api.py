"""The library and categories API over HTTP (FastAPI's test client against the real app and database)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from docmill.db.engine import Database
from docmill.library import service


def test_suggestions_api(api: TestClient, database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    docs = [make_document(title=f"Doc {i}") for i in range(4)]
    with database.transaction() as session:
        for i, doc_id in enumerate(docs):
            service.save_pending_suggestion(
                session, doc_id, path=f"Area/{i}", category_id=None, confidence=0.4 + i / 10, reason="r"
            )
    listing = api.get("/api/library/suggestions", params={"limit": 10})
    assert listing.status_code == 200
    body = listing.json()
    assert body["total"] == 4 and {s["document_title"] for s in body["items"]} == {f"Doc {i}" for i in range(4)}
    by_doc = {s["document_id"]: s["id"] for s in body["items"]}

    accepted = api.post(f"/api/library/suggestions/{by_doc[docs[0]]}/accept")
    assert accepted.status_code == 200 and accepted.json()["decided_path"] == "Area/0"
    edited = api.post(f"/api/library/suggestions/{by_doc[docs[1]]}/accept", json={"path": "Edited / Path"})
    assert edited.json()["decided_path"] == "Edited/Path" and edited.json()["status"] == "accepted"
    rejected = api.post(f"/api/library/suggestions/{by_doc[docs[2]]}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"

    again = api.post(f"/api/library/suggestions/{by_doc[docs[2]]}/accept")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert api.post("/api/library/suggestions/99999/reject").status_code == 404
    bad_path = api.post(f"/api/library/suggestions/{by_doc[docs[3]]}/accept", json={"path": " / "})
    assert bad_path.status_code == 422 and bad_path.json()["error"]["hint"]

    bulk = api.post(
        "/api/library/suggestions/bulk", json={"ids": [by_doc[docs[3]], by_doc[docs[0]]], "action": "reject"}
    )
    assert bulk.status_code == 200
    assert (bulk.json()["succeeded"], bulk.json()["failed"]) == (1, 1)
    assert api.get("/api/library/suggestions").json()["total"] == 0
    assert api.get("/api/library/suggestions", params={"status": "rejected"}).json()["total"] == 2

    tree = api.get("/api/categories").json()
    paths = {n["path"]: n for n in tree["categories"]}
    assert paths["Area"]["total"] == 1 and paths["Edited"]["children"][0]["count"] == 1
    assert tree["uncategorized"] == 2


def test_categories_api(api: TestClient, make_document) -> None:  # type: ignore[no-untyped-def]
    created = api.post("/api/categories", json={"path": "Finance/Tax", "description": "taxes"})
    assert created.status_code == 201
    category = created.json()
    assert (category["path"], category["name"], category["description"]) == ("Finance/Tax", "Tax", "taxes")
    assert api.post("/api/categories", json={"path": "finance/tax"}).status_code == 409

    updated = api.patch(f"/api/categories/{category['id']}", json={"description": "tax returns"})
    assert updated.status_code == 200 and updated.json()["description"] == "tax returns"
    assert api.patch("/api/categories/99999", json={"description": "x"}).status_code == 404

    make_document(category_id=category["id"])
    busy = api.delete(f"/api/categories/{category['id']}")
    assert busy.status_code == 409 and "holds 1 document" in busy.json()["error"]["message"]
    tree = api.get("/api/categories").json()
    assert tree["categories"][0]["total"] == 1

    empty = api.post("/api/categories", json={"path": "Empty"}).json()
    assert api.delete(f"/api/categories/{empty['id']}").status_code == 204
    assert api.delete(f"/api/categories/{empty['id']}").status_code == 404
