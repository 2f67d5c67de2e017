"""Field value suggestions over HTTP: the inbox list (only documents the caller may see), accepting as is or
edited (a bad value is a 422 naming the field and what it accepts), rejecting, and deciding twice (409)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from docmill.db.engine import Database
from docmill.fields import service, suggestions
from docmill.fields.extract import Extracted
from docmill.fields.service import FieldDefinition
from docmill.fields.types import FieldType
from docmill.models import DocumentShare
from tests.api.conftest import Account, make_account


def seed(database: Database, make_document: Callable[..., int], owner: Account, member: Account) -> list[int]:
    with database.transaction() as session:
        amount = service.create_field(
            session, FieldDefinition(name="Amount", type=FieldType.MONEY, extraction_hint="the total")
        )
        due = service.create_field(
            session, FieldDefinition(name="Due date", type=FieldType.DATE, extraction_hint="due")
        )
        fields = [service.spec_of(amount), service.spec_of(due)]
    docs = [make_document(title=f"Bill {i}", owner_id=owner.id) for i in range(3)]
    with database.transaction() as session:
        session.add(DocumentShare(document_id=docs[0], user_id=member.id, permission="view"))
        for i, doc_id in enumerate(docs):
            proposals = [
                Extracted("amount", f"{(i + 1) * 1000} KRW", 0.8, f"합계 {(i + 1) * 1000}원"),
                Extracted("due_date", f"2026-03-1{i}", 0.7, f"납부기한 2026-03-1{i}"),
            ]
            suggestions.save_suggestions(session, doc_id, fields, proposals, method="offline")
    return docs


def test_field_suggestions_api(
    api: TestClient, client: TestClient, database: Database, account: Account, make_document: Callable[..., int]
) -> None:
    member = make_account(database, "mina", admin=False)
    docs = seed(database, make_document, account, member)

    listing = api.get("/api/library/field-suggestions").json()
    assert listing["total"] == 6
    item = next(s for s in listing["items"] if s["document_id"] == docs[0] and s["field_slug"] == "amount")
    assert item["value"] == {"amount": "1000", "currency": "KRW"} and item["field_type"] == "money"
    assert item["document_title"] == "Bill 0" and item["evidence"] == "합계 1000원" and item["confidence"] == 0.8
    only = api.get("/api/library/field-suggestions", params={"document_id": [docs[1]]}).json()
    assert {s["document_id"] for s in only["items"]} == {docs[1]} and only["total"] == 2

    seen = client.get("/api/library/field-suggestions", headers=member.headers).json()
    assert {s["document_id"] for s in seen["items"]} == {docs[0]}, "a member sees only what is shared with them"
    refused = client.post(f"/api/library/field-suggestions/{item['id']}/accept", headers=member.headers)
    assert refused.status_code == 403, "view access may not decide"
    hidden = next(s for s in listing["items"] if s["document_id"] == docs[1])
    assert (
        client.post(f"/api/library/field-suggestions/{hidden['id']}/reject", headers=member.headers).status_code == 404
    )

    accepted = api.post(f"/api/library/field-suggestions/{item['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    due = next(s for s in listing["items"] if s["document_id"] == docs[0] and s["field_slug"] == "due_date")
    bad = api.post(f"/api/library/field-suggestions/{due['id']}/accept", json={"value": "tomorrow-ish"})
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert "due_date" in error["message"] and "YYYY-MM-DD" in error["hint"], error
    edited = api.post(f"/api/library/field-suggestions/{due['id']}/accept", json={"value": "2026-04-01"})
    assert edited.status_code == 200 and edited.json()["value"] == "2026-04-01"
    with database.session() as session:
        values = {v.slug: v.value for v in service.document_values(session, docs[0])}
    assert values == {"amount": {"amount": "1000", "currency": "KRW"}, "due_date": "2026-04-01"}

    rejected = api.post(f"/api/library/field-suggestions/{hidden['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = api.post(f"/api/library/field-suggestions/{hidden['id']}/accept")
    assert again.status_code == 409 and again.json()["error"]["code"] == "suggestion_decided"
    assert api.post("/api/library/field-suggestions/999999/reject").status_code == 404
    assert api.get("/api/library/field-suggestions").json()["total"] == 3
