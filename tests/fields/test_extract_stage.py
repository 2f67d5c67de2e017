"""The classify stage fills empty hinted fields as suggestions, offline and with an LLM (a local
OpenAI-compatible server): stored, replaced on a rerun, never a rejected value again, skipped for a field that
has a value; an invalid LLM answer fails the row naming why; a backend that is down makes the row wait."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields import service, suggestions
from docmill.fields.service import FieldDefinition
from docmill.fields.types import FieldType
from docmill.models import FieldSuggestion
from tests.ai.llm_server import Reply, fake_llm_server
from tests.ai.test_stages import enqueue, llm_settings, queue_row
from tests.helpers import run_worker_until_idle

BILL = (
    "# 3월분 관리비 고지서\n\n발행일: 2026년 3월 2일\n일반관리비 52,000원\n수도료 18,300원\n"
    "납부하실 금액 70,300원\n납부기한: 2026년 3월 25일\n"
)


@pytest.fixture
def fields(database: Database) -> dict[str, int]:
    with database.transaction() as session:
        made = [
            service.create_field(
                session, FieldDefinition(name="Amount", type=FieldType.MONEY, extraction_hint="the total amount to pay")
            ),
            service.create_field(
                session, FieldDefinition(name="Due date", type=FieldType.DATE, extraction_hint="the due date")
            ),
            service.create_field(session, FieldDefinition(name="Note", type=FieldType.TEXT)),  # not hinted
        ]
        return {f.slug: f.id for f in made}


def pending(database: Database, doc_id: int) -> dict[str, Any]:
    with database.session() as session:
        views, _ = suggestions.list_pending(session, document_ids=[doc_id])
        return {v.field_slug: v for v in views}


def classify(database: Database, settings: Settings, doc_id: int) -> None:
    enqueue(database, [doc_id], "classify")
    run_worker_until_idle(database, settings, stages=["classify"], timeout=240)


def test_offline_suggestions_rerun_reject_and_filled_fields(
    database: Database, settings: Settings, make_document: Callable[..., int], fields: dict[str, int]
) -> None:
    doc_id = make_document(kind="text", title="관리비", markdown=BILL)
    classify(database, settings, doc_id)
    found = pending(database, doc_id)
    assert set(found) == {"amount", "due_date"}, "only hinted fields, and the text field without a hint is left"
    assert found["amount"].value == {"amount": "70300", "currency": "KRW"}
    assert found["due_date"].value == "2026-03-25" and "납부기한" in (found["due_date"].evidence or "")
    assert found["amount"].method == "offline" and 0 < (found["amount"].confidence or 0) <= 1
    note = queue_row(database, doc_id, "classify").note or ""
    assert note.endswith("; fields: amount, due_date"), note

    classify(database, settings, doc_id)  # a rerun replaces, never adds
    with database.session() as session:
        rows = session.scalars(sa.select(FieldSuggestion).where(FieldSuggestion.document_id == doc_id)).all()
        assert len(rows) == 2 and {r.status for r in rows} == {"pending"}

    with database.transaction() as session:
        suggestions.reject(session, pending(database, doc_id)["due_date"].id)
        service.set_values(session, doc_id, {"amount": "70000 KRW"})  # the user set it meanwhile
    classify(database, settings, doc_id)
    assert pending(database, doc_id) == {}, "the rejected date is not suggested again; a filled field is skipped"
    assert (queue_row(database, doc_id, "classify").note or "").endswith("; fields: none found")


def test_accept_edit_and_apply(
    database: Database, settings: Settings, make_document: Callable[..., int], fields: dict[str, int]
) -> None:
    doc_id = make_document(kind="text", markdown=BILL)
    other_id = make_document(kind="text", markdown=BILL)
    classify(database, settings, doc_id)
    classify(database, settings, other_id)
    found = pending(database, doc_id)
    with database.transaction() as session:
        decision = suggestions.accept(session, found["amount"].id)
        assert [c.new for c in decision.changes] == [{"amount": "70300", "currency": "KRW"}]
        with pytest.raises(service.FieldValueError) as bad:
            suggestions.accept(session, found["due_date"].id, value="next week")
        assert bad.value.field == "due_date" and "YYYY-MM-DD" in bad.value.accepted
    with database.transaction() as session:
        edited = suggestions.accept(session, found["due_date"].id, value="2026-03-26")
        assert edited.suggestion.status == "accepted" and edited.suggestion.value == "2026-03-26"
        with pytest.raises(suggestions.FieldSuggestionDecided):
            suggestions.reject(session, found["due_date"].id)
        values = {v.slug: (v.value, v.source) for v in service.document_values(session, doc_id)}
    assert values == {
        "amount": ({"amount": "70300", "currency": "KRW"}, "extraction"),
        "due_date": ("2026-03-26", "user"),
    }

    with database.transaction() as session:  # the workflow hook: accepted without asking
        changes = suggestions.apply_suggestions(session, other_id, ["due_date"])
        assert [(c.slug, c.new) for c in changes] == [("due_date", "2026-03-25")]
        assert suggestions.apply_suggestions(session, other_id, ["due_date"]) == [], "idempotent"
        values = {v.slug: v.source for v in service.document_values(session, other_id)}
    assert values == {"due_date": "workflow"} and set(pending(database, other_id)) == {"amount"}


CLASSIFICATION = {
    "category": "",
    "is_new_category": False,
    "confidence": 0.5,
    "tags": [],
    "summary": "관리비 고지서.",
    "reason": "",
}
VALID_FIELDS = {
    "amount": {
        "value": {"amount": "70300", "currency": "KRW"},
        "confidence": 0.93,
        "evidence": "납부하실 금액 70,300원",
    },
    "due_date": {"value": "2026-03-25", "confidence": 0.9, "evidence": "납부기한: 2026년 3월 25일"},
}


def llm_reply(fields_answer: str) -> Callable[[dict[str, Any]], Reply]:
    def reply(body: dict[str, Any]) -> Reply:
        name = body.get("response_format", {}).get("json_schema", {}).get("name")
        if name == "fields":
            return Reply(content=fields_answer)
        return Reply(content=json.dumps(CLASSIFICATION))

    return reply


def test_llm_schema_valid_answer_becomes_suggestions(
    database: Database, settings: Settings, make_document: Callable[..., int], fields: dict[str, int]
) -> None:
    doc_id = make_document(kind="text", markdown=BILL)
    with fake_llm_server(llm_reply("<think>the total is 70,300</think>" + json.dumps(VALID_FIELDS))) as fake:
        classify(database, llm_settings(settings, fake.url), doc_id)
        request = next(r for r in fake.requests if r["response_format"]["json_schema"]["name"] == "fields")
    schema = request["response_format"]["json_schema"]["schema"]
    assert sorted(schema["required"]) == ["amount", "due_date"] and schema["additionalProperties"] is False
    found = pending(database, doc_id)
    assert found["amount"].value == {"amount": "70300", "currency": "KRW"}
    assert found["due_date"].value == "2026-03-25" and found["due_date"].confidence == 0.9
    assert found["amount"].method == "llm test-model" and found["amount"].evidence == "납부하실 금액 70,300원"


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (
            {"amount": None, "due_date": {"value": "next Tuesday", "confidence": 0.4, "evidence": "x"}},
            "'next Tuesday' is not a date",
        ),
        ({"amount": None, "due_date": None, "total": None}, "unknown field(s) 'total'"),
        ("Here you go: " + json.dumps({"amount": None, "due_date": None}), "there is text around the JSON object"),
        ({"amount": {"value": 70300, "confidence": 0.8, "evidence": "x"}}, "missing field(s) 'due_date'"),
    ],
    ids=["wrong-type", "extra-field", "prose", "missing-field"],
)
def test_llm_invalid_answers_fail_the_row_saying_why(
    database: Database,
    settings: Settings,
    make_document: Callable[..., int],
    fields: dict[str, int],
    answer: object,
    why: str,
) -> None:
    doc_id = make_document(kind="text", markdown=BILL)
    text = answer if isinstance(answer, str) else json.dumps(answer)
    with fake_llm_server(llm_reply(text)) as fake:
        classify(database, llm_settings(settings, fake.url), doc_id)
    row = queue_row(database, doc_id, "classify")
    assert row.status == "failed" and row.attempts == 1, "a Permanent failure: no retries burn"
    assert why in (row.error or "") and "test-model" in (row.error or ""), row.error
    assert pending(database, doc_id) == {}


def test_llm_down_keeps_the_row_waiting(
    database: Database, settings: Settings, make_document: Callable[..., int], fields: dict[str, int]
) -> None:
    doc_id = make_document(kind="text", markdown=BILL)

    def reply(body: dict[str, Any]) -> Reply:
        name = body.get("response_format", {}).get("json_schema", {}).get("name")
        return Reply(status=503) if name == "fields" else Reply(content=json.dumps(CLASSIFICATION))

    with fake_llm_server(reply) as fake:
        classify(database, llm_settings(settings, fake.url), doc_id)
    row = queue_row(database, doc_id, "classify")
    assert (row.status, row.attempts) == ("pending", 0) and row.waits >= 1 and "HTTP 503" in (row.error or "")
    assert pending(database, doc_id) == {}
