"""The offline extractor: each date and amount form, totals over line items, patterns and options, and the
amount and due date of 30 generated Korean and English bills, invoices and letters (>= 90% right)."""

from __future__ import annotations

import pytest

from docmill.fields.extract import extract_fields
from docmill.fields.types import FieldSpec, FieldType
from tests.fields.bills import AMOUNT, DUE, SPECS, Bill, bills

ISSUE = FieldSpec(3, "issued", "Issued", FieldType.DATE, extraction_hint="the issue date")


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("납부기한 2026년 3월 14일", "2026-03-14"),
        ("납기일: 2026. 3. 14.", "2026-03-14"),
        ("Due date: 14 March 2026", "2026-03-14"),
        ("Please pay by March 14, 2026.", "2026-03-14"),
        ("due 2026-03-14", "2026-03-14"),
        ("Due: 14/03/2026", "2026-03-14"),
        ("Due: 03/14/2026", "2026-03-14"),  # a month above 12 can only be US order
        ("Deadline: 4th Apr 2026", "2026-04-04"),
        ("2026년 5월 2일까지 보내 주세요. 작성 2026년 4월 1일", "2026-05-02"),
        ("입금기한 2026-02-18 ~ 2026-02-26", "2026-02-26"),  # a period's end is the deadline
    ],
)
def test_date_forms(text: str, due: str) -> None:
    found = extract_fields(text, [DUE])
    assert found["due_date"].value == due, found


def test_the_date_nearest_the_hint_wins() -> None:
    text = "발행일 2026-02-01\n사용기간 2026.01.01 ~ 2026.01.31\n납부기한 2026-02-25"
    found = extract_fields(text, [DUE, ISSUE])
    assert found["due_date"].value == "2026-02-25" and "납부기한" in found["due_date"].evidence
    assert found["issued"].value == "2026-02-01"
    assert 0 < found["issued"].confidence <= 1


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("합계 125,000원", "125000", "KRW"),
        ("청구금액 ₩125,000", "125000", "KRW"),
        ("Total $1,234.56", "1234.56", "USD"),
        ("Total €99,90", "99.9", "EUR"),
        ("Total €99.90", "99.9", "EUR"),
        ("Total €1.234,56", "1234.56", "EUR"),
        ("총액 금 125,000원", "125000", "KRW"),
        ("납부금액 KRW 125,000", "125000", "KRW"),
        ("Amount due: 48.20 EUR", "48.2", "EUR"),
        ("결제하실 금액 W83,800", "83800", "KRW"),  # ₩ as OCR reads it
        ("| 합계 | 2.860,000원 |", "2860000", "KRW"),  # an OCR'd comma as a dot: won have no minor unit
    ],
)
def test_amount_forms(text: str, amount: str, currency: str) -> None:
    assert extract_fields(text, [AMOUNT])["amount"].value == {"amount": amount, "currency": currency}


def test_a_total_line_wins_over_line_items_subtotal_and_tax() -> None:
    text = "Widget $900.00\nSubtotal $1,000.00\nTax $100.00\nTotal $1,100.00\nShipping $5.00"
    found = extract_fields(text, [AMOUNT])["amount"]
    assert found.value == {"amount": "1100", "currency": "USD"} and "Total" in found.evidence
    ko = "소계 100,000원\n부가세 10,000원\n합계 110,000원"
    assert extract_fields(ko, [AMOUNT])["amount"].value == {"amount": "110000", "currency": "KRW"}


def test_a_field_in_a_currency_takes_bare_numbers_of_it() -> None:
    spec = FieldSpec(4, "total", "Total", FieldType.MONEY, default_currency="GBP", extraction_hint="the total")
    found = extract_fields("12 boxes 96.00\nDelivery 12.50\nTotal due within 30 days 248.50", [spec])
    assert found["total"].value == {"amount": "248.5", "currency": "GBP"}


def test_patterns_options_and_what_is_not_extracted() -> None:
    policy = FieldSpec(5, "policy", "Policy", FieldType.TEXT, pattern=r"[A-Z]{2}-\d{6}")
    state = FieldSpec(6, "state", "State", FieldType.SELECT, options=("paid", "open"), extraction_hint="payment state")
    flag = FieldSpec(7, "urgent", "Urgent", FieldType.BOOLEAN, extraction_hint="is it urgent")
    plain = FieldSpec(8, "note", "Note", FieldType.TEXT)  # no hint, no pattern: never extracted
    text = "보험증권번호 KB-004417 (갱신 전 KB-00441)\nStatus: paid\nurgent!"
    found = extract_fields(text, [policy, state, flag, plain])
    assert found["policy"].value == "KB-004417"
    assert found["state"].value == "paid"
    assert set(found) == {"policy", "state"}
    assert extract_fields("no numbers here", SPECS) == {}


def _table(rows: list[tuple[Bill, object, object]]) -> str:
    lines = [f"{'document':24} {'want amount':>14} {'got amount':>24} {'want due':>11} {'got due':>11}"]
    for bill, amount, due in rows:
        want = f"{bill.amount} {bill.currency}"
        lines.append(f"{bill.name:24} {want:>14} {amount!s:>24} {bill.due:>11} {due!s:>11}")
    return "\n".join(lines)


def score(documents: list[Bill], found: list[dict[str, object]]) -> tuple[float, str]:
    """The share of documents with both amount and due date right, and the per-document table."""
    rows, right = [], 0
    for bill, values in zip(documents, found, strict=True):
        amount, due = values.get("amount"), values.get("due_date")
        if amount == {"amount": bill.amount, "currency": bill.currency} and due == bill.due:
            right += 1
        rows.append((bill, amount, due))
    return right / len(documents), _table(rows)


def test_generated_bills_amount_and_due_date() -> None:
    documents = bills()
    assert len(documents) >= 20 and {b.script for b in documents} == {"ko", "en"}
    found = [{k: v.value for k, v in extract_fields(b.text, SPECS).items()} for b in documents]
    accuracy, table = score(documents, found)
    assert accuracy >= 0.9, f"amount and due date right for {accuracy:.0%}\n{table}"
