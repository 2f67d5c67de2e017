"""Generated bills, invoices, statements and letters in Korean and English, with the amount and due date each
one asks for, for the extraction tests and bench/field_extraction.py.

Each document has distractors: an issue date, a period of use, a previous month's figures, line items,
subtotals and tax, so picking the first or the largest value is not enough. `variants(n)` makes more of each
layout with other numbers (seeded), for the bench.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from docmill.fields.types import FieldSpec, FieldType

AMOUNT = FieldSpec(1, "amount", "Amount", FieldType.MONEY, extraction_hint="the total amount to pay")
DUE = FieldSpec(2, "due_date", "Due date", FieldType.DATE, extraction_hint="the due date")
SPECS = [AMOUNT, DUE]

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Bill:
    name: str
    script: str  # "ko" | "en"
    lines: list[str]
    amount: str  # canonical decimal string
    currency: str
    due: str  # YYYY-MM-DD

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def won(n: int) -> str:
    return f"{n:,}"


def _ko_date(d: date) -> str:
    return f"{d.year}년 {d.month}월 {d.day}일"


def _dot(d: date) -> str:
    return f"{d.year}. {d.month}. {d.day}."


def _en_long(d: date) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def _us_long(d: date) -> str:
    return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"


def management_fee(rng: random.Random, i: int) -> Bill:
    issue = date(2026, rng.randint(1, 11), rng.randint(1, 10))
    due = issue + timedelta(days=rng.randint(14, 25))
    general, cleaning, elec, water = (rng.randint(3, 9) * 10_000 + rng.randint(0, 9) * 1000 for _ in range(4))
    total = general + cleaning + elec + water
    return Bill(
        f"관리비 고지서 {i}",
        "ko",
        [
            f"{issue.month}월분 아파트 관리비 고지서",
            "행복아파트 관리사무소 101동 1203호",
            f"발행일: {_ko_date(issue)}",
            f"일반관리비 {won(general)}원",
            f"청소비 {won(cleaning)}원",
            f"세대전기료 {won(elec)}원",
            f"수도료 {won(water)}원",
            f"전월 납부액 {won(total - 3210)}원",
            f"납부하실 금액 {won(total)}원",
            f"납부기한: {_ko_date(due)}",
            "납기 후 연체료 2%가 가산됩니다.",
        ],
        str(total),
        "KRW",
        due.isoformat(),
    )


def electricity(rng: random.Random, i: int) -> Bill:
    start = date(2026, rng.randint(1, 10), 1)
    end = start + timedelta(days=29)
    due = end + timedelta(days=rng.randint(15, 25))
    base, usage = rng.randint(1, 7) * 1000 + 600, rng.randint(20, 90) * 1000 + rng.randint(0, 9) * 100
    vat = (base + usage) // 10
    fund = rng.randint(1, 3) * 1000
    total = base + usage + vat + fund
    return Bill(
        f"전기요금 청구서 {i}",
        "ko",
        [
            "전기요금 청구서",
            f"사용기간 {_dot(start)} ~ {_dot(end)}",
            f"사용량 {rng.randint(200, 600)}kWh",
            f"기본요금 {won(base)}원",
            f"전력량요금 {won(usage)}원",
            f"부가가치세 {won(vat)}원",
            f"전력기금 {won(fund)}원",
            f"청구금액 {won(total)}원",
            f"납기일 {_dot(due)}",
        ],
        str(total),
        "KRW",
        due.isoformat(),
    )


def card_statement(rng: random.Random, i: int) -> Bill:
    month = rng.randint(1, 11)
    pay = date(2026, month + 1, rng.choice([1, 5, 10, 14, 15, 25]))
    items = [rng.randint(5, 300) * 100 for _ in range(4)]
    total = sum(items)
    return Bill(
        f"카드 명세서 {i}",
        "ko",
        [
            f"{month}월 신용카드 이용대금 명세서",
            f"이용기간 2026.{month:02d}.01 ~ 2026.{month:02d}.28",
            f"스타벅스 {won(items[0])}원",
            f"이마트 {won(items[1])}원",
            f"교통 {won(items[2])}원",
            f"온라인쇼핑 {won(items[3])}원",
            f"결제하실 금액 ₩{won(total)}",
            f"결제일 {pay.isoformat()}",
            f"다음 달 예정 금액 {won(rng.randint(100, 900) * 1000)}원",
        ],
        str(total),
        "KRW",
        pay.isoformat(),
    )


def gas_bill(rng: random.Random, i: int) -> Bill:
    due = date(2026, rng.randint(1, 12), rng.randint(10, 28))
    issue = due - timedelta(days=20)
    total = rng.randint(20, 150) * 1000 + rng.randint(1, 9) * 10
    return Bill(
        f"도시가스 요금 {i}",
        "ko",
        [
            "도시가스 요금 안내",
            f"고지일 {issue.isoformat()}",
            f"당월 요금 {won(total - 1200)}원 / 계량기 교체비 1,200원",
            f"총 납부액 금 {won(total)}원",
            f"{_ko_date(due)}까지 납부해 주십시오.",
        ],
        str(total),
        "KRW",
        due.isoformat(),
    )


def ko_letter(rng: random.Random, i: int) -> Bill:
    due = date(2026, rng.randint(2, 12), rng.randint(1, 28))
    sent = due - timedelta(days=rng.randint(20, 40))
    amount = rng.randint(1, 30) * 10_000
    return Bill(
        f"등록금 안내문 {i}",
        "ko",
        [
            "학부모님께",
            f"{_ko_date(sent)} 작성",
            "안녕하십니까. 다음 학기 방과후 수업 수강료를 안내드립니다.",
            f"수강료는 KRW {won(amount)}이며 교재비는 별도입니다.",
            f"납부 마감일은 {_dot(due)}이니 기한 내에 납부 바랍니다.",
            "감사합니다. 행복초등학교장",
        ],
        str(amount),
        "KRW",
        due.isoformat(),
    )


def en_invoice(rng: random.Random, i: int) -> Bill:
    issue = date(2026, rng.randint(1, 11), rng.randint(1, 28))
    due = issue + timedelta(days=30)
    items = [rng.randint(10, 900) + rng.randint(0, 99) / 100 for _ in range(3)]
    subtotal = round(sum(items), 2)
    tax = round(subtotal * 0.2, 2)
    total = round(subtotal + tax, 2)
    return Bill(
        f"invoice {i}",
        "en",
        [
            f"INVOICE No. 2026-{rng.randint(100, 999)}",
            "Northwind Stationery Ltd, 14 Quarry Lane, Leeds",
            f"Invoice date: {_en_long(issue)}",
            f"Recycled paper (12 boxes)   ${items[0]:,.2f}",
            f"Desk lamps (4)              ${items[1]:,.2f}",
            f"Delivery                    ${items[2]:,.2f}",
            f"Subtotal                    ${subtotal:,.2f}",
            f"VAT 20%                     ${tax:,.2f}",
            f"Total due                   ${total:,.2f}",
            f"Payment due: {_en_long(due)}",
        ],
        f"{total:.2f}".rstrip("0").rstrip("."),
        "USD",
        due.isoformat(),
    )


def us_bill(rng: random.Random, i: int) -> Bill:
    due = date(2026, rng.randint(1, 12), rng.randint(1, 28))
    statement = due - timedelta(days=21)
    previous = rng.randint(40, 200) + 0.5
    total = round(rng.randint(40, 300) + rng.randint(1, 99) / 100, 2)
    return Bill(
        f"utility bill {i}",
        "en",
        [
            "City Water & Power — Monthly Statement",
            f"Statement date {_us_long(statement)}",
            f"Previous balance ${previous:,.2f}",
            f"Payment received - thank you ${previous:,.2f}",
            f"New charges ${total:,.2f}",
            f"Amount due ${total:,.2f}",
            f"Please pay by {_us_long(due)} to avoid a late fee of $5.00.",
        ],
        f"{total:.2f}".rstrip("0").rstrip("."),
        "USD",
        due.isoformat(),
    )


def eu_invoice(rng: random.Random, i: int) -> Bill:
    issue = date(2026, rng.randint(1, 11), rng.randint(1, 28))
    due = issue + timedelta(days=14)
    net = rng.randint(50, 4000)
    cents = rng.randint(0, 99)
    vat = round((net + cents / 100) * 0.19, 2)
    total = round(net + cents / 100 + vat, 2)
    euro = f"{total:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return Bill(
        f"eu invoice {i}",
        "en",
        [
            "Rechnung / Invoice R-2026-" + str(rng.randint(1000, 9999)),
            f"Date: {issue.day:02d}/{issue.month:02d}/{issue.year}",
            f"Consulting services          €{net},{cents:02d}",
            f"VAT 19%                      €{vat:.2f}".replace(".", ","),
            f"Total amount                 €{euro}",
            f"Due date: {due.day:02d}/{due.month:02d}/{due.year}",
        ],
        f"{total:.2f}".rstrip("0").rstrip("."),
        "EUR",
        due.isoformat(),
    )


def en_letter(rng: random.Random, i: int) -> Bill:
    due = date(2026, rng.randint(2, 12), rng.randint(1, 28))
    sent = due - timedelta(days=rng.randint(10, 30))
    fee = rng.randint(1, 20) * 50
    return Bill(
        f"letter {i}",
        "en",
        [
            f"{_us_long(sent)}",
            "Dear Ms. Thompson,",
            "Thank you for renewing the maintenance contract for the building on Harbour Street.",
            f"The renewal fee of ${fee:,}.00 is payable by bank transfer.",
            f"Please return the signed copy and the payment no later than {_en_long(due)}.",
            "Yours sincerely, Jonathan Whitfield",
        ],
        str(fee),
        "USD",
        due.isoformat(),
    )


def table_invoice(rng: random.Random, i: int) -> Bill:
    issue = date(2026, rng.randint(1, 11), rng.randint(1, 28))
    due = issue + timedelta(days=rng.randint(7, 30))
    supply = rng.randint(10, 500) * 10_000
    vat = supply // 10
    return Bill(
        f"세금계산서 {i}",
        "ko",
        [
            "견적서 겸 청구서",
            "| 항목 | 금액 |",
            "|---|---|",
            f"| 공급가액 | {won(supply)}원 |",
            f"| 부가세 | {won(vat)}원 |",
            f"| 합계 | {won(supply + vat)}원 |",
            f"| 작성일자 | {issue.isoformat()} |",
            f"| 입금기한 | {issue.isoformat()} ~ {due.isoformat()} |",
            f"입금 마감: {due.year}년 {due.month}월 {due.day}일",
        ],
        str(supply + vat),
        "KRW",
        due.isoformat(),
    )


LAYOUTS: list[Callable[[random.Random, int], Bill]] = [
    management_fee,
    electricity,
    card_statement,
    gas_bill,
    ko_letter,
    en_invoice,
    us_bill,
    eu_invoice,
    en_letter,
    table_invoice,
]


def bills(per_layout: int = 3, seed: int = 19) -> list[Bill]:
    """`per_layout` documents of every layout (30 by default: 15 Korean, 15 English)."""
    rng = random.Random(seed)
    return [layout(rng, i) for i in range(per_layout) for layout in LAYOUTS]
