"""The fields core: what each type accepts, definitions, and setting a document's values in the database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docmill.db.engine import Database
from docmill.fields import service
from docmill.fields.service import FieldDefinition, FieldDefinitionError, FieldExists
from docmill.fields.types import FieldSpec, FieldType, FieldValueError, parse_value
from docmill.models import DocumentFieldValue

MONEY = FieldSpec(1, "amount", "Amount", FieldType.MONEY, default_currency="KRW")


@pytest.mark.parametrize(
    ("spec", "raw", "value"),
    [
        (MONEY, "125,000", {"amount": "125000", "currency": "KRW"}),
        (MONEY, {"amount": 12.5, "currency": "usd"}, {"amount": "12.5", "currency": "USD"}),
        (MONEY, "99.90 EUR", {"amount": "99.9", "currency": "EUR"}),
        (FieldSpec(2, "due", "Due", FieldType.DATE), " 2026-03-14 ", "2026-03-14"),
        (FieldSpec(3, "n", "N", FieldType.INTEGER), "1,200", 1200),
        (FieldSpec(4, "rate", "Rate", FieldType.DECIMAL), 0.125, "0.125"),
        (FieldSpec(5, "paid", "Paid", FieldType.BOOLEAN), False, False),
        (FieldSpec(6, "state", "State", FieldType.SELECT, options=("open", "paid")), "paid", "paid"),
        (FieldSpec(7, "site", "Site", FieldType.URL), "https://example.com/a", "https://example.com/a"),
        (FieldSpec(8, "policy", "Policy", FieldType.TEXT, pattern=r"[A-Z]{2}-\d{4}"), "AB-1234", "AB-1234"),
        (FieldSpec(9, "link", "Link", FieldType.DOCUMENT_LINK), "17", 17),
    ],
)
def test_accepted_values_become_canonical(spec: FieldSpec, raw: object, value: object) -> None:
    assert parse_value(spec, raw).value == value


@pytest.mark.parametrize(
    ("spec", "raw", "accepted"),
    [
        (FieldSpec(2, "due", "Due date", FieldType.DATE), "tomorrow-ish", "YYYY-MM-DD"),
        (FieldSpec(2, "due", "Due date", FieldType.DATE), "2026-02-30", "YYYY-MM-DD"),
        (FieldSpec(6, "state", "State", FieldType.SELECT, options=("open", "paid")), "late", "one of: open, paid"),
        (FieldSpec(3, "n", "N", FieldType.INTEGER), 1.5, "whole number"),
        (FieldSpec(5, "paid", "Paid", FieldType.BOOLEAN), "yes", "true or false"),
        (FieldSpec(7, "site", "Site", FieldType.URL), "javascript:alert(1)", "http(s)"),
        (FieldSpec(10, "cost", "Cost", FieldType.MONEY), "12", "currency"),
        (FieldSpec(8, "policy", "Policy", FieldType.TEXT, pattern=r"[A-Z]{2}-\d{4}"), "ab-1", "matching"),
        (FieldSpec(4, "rate", "Rate", FieldType.DECIMAL), "NaN", "number"),
    ],
)
def test_rejected_values_name_the_field_and_the_accepted_forms(spec: FieldSpec, raw: object, accepted: str) -> None:
    with pytest.raises(FieldValueError) as caught:
        parse_value(spec, raw)
    assert caught.value.field == spec.slug
    assert spec.name in caught.value.message and accepted in (caught.value.hint or "")


def test_definitions_and_values_round_trip(database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    doc = make_document(title="Bill")
    with database.transaction() as session:
        amount = service.create_field(
            session, FieldDefinition(name="Amount", type=FieldType.MONEY, default_currency="krw")
        )
        service.create_field(
            session, FieldDefinition(name="Due date", type=FieldType.DATE, extraction_hint="the due date")
        )
        assert amount.slug == "amount" and amount.default_currency == "KRW"
        with pytest.raises(FieldExists):
            service.create_field(session, FieldDefinition(name="amount", type=FieldType.TEXT))
        with pytest.raises(FieldDefinitionError):
            service.create_field(session, FieldDefinition(name="State", type=FieldType.SELECT))
        with pytest.raises(FieldDefinitionError):
            service.update_field(session, "amount", FieldDefinition(type=FieldType.TEXT))

    with database.transaction() as session:
        changes = service.set_values(session, doc, {"amount": "125,000", "due_date": "2026-03-14"}, source="user")
        assert [(c.slug, c.old, c.new) for c in changes] == [
            ("amount", None, {"amount": "125000", "currency": "KRW"}),
            ("due_date", None, "2026-03-14"),
        ]
    with database.transaction() as session:
        assert service.set_values(session, doc, {"amount": {"amount": 125000, "currency": "KRW"}}) == []
        row = session.get(DocumentFieldValue, (doc, amount.id))
        assert row is not None and row.num == Decimal("125000") and row.txt == "KRW"
        cleared = service.set_values(session, doc, {"due_date": None})
        assert [(c.slug, c.new) for c in cleared] == [("due_date", None)]
        assert [v.slug for v in service.document_values(session, doc)] == ["amount"]

    with database.transaction() as session:
        service.delete_field(session, "amount")
    with database.transaction() as session:
        assert service.document_values(session, doc) == []
