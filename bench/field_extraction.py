"""Offline field extraction: docmill's extractor against dateparser's search_dates and price_parser, on the same
generated Korean and English bills, invoices and letters (tests/fields/bills.py), in the same run.

- Due date. docmill: `extract_fields(text, [due date field])`. dateparser: `search_dates(text, languages=
  ["ko", "en"])` finds the dates; it knows nothing of hints, so the peer takes the date on a line with a due
  keyword, else the latest date (a deadline is usually a bill's last date).
- Amount. docmill: `extract_fields(text, [money field])`. price_parser: `Price.fromstring(line)` per line; the
  peer takes the amount on a line with a total keyword (not a subtotal or tax line), else the largest.

Throughput is documents per second over the whole set (best of --passes); accuracy is the share right.

    .venv/bin/python bench/field_extraction.py [--per-layout 10] [--passes 3]

Last line of stdout: one JSON object (ratio_vs_dateparser and ratio_vs_price_parser are docmill's
documents/s over the peer's).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dateparser.search import search_dates
from price_parser import Price

from docmill.fields.extract import extract_fields
from tests.fields.bills import AMOUNT, DUE, Bill, bills

DUE_WORDS = ("납부기한", "납기", "마감", "결제일", "까지", "due", "pay by", "no later than", "deadline")
TOTAL_WORDS = ("합계", "총액", "청구금액", "납부하실", "결제하실", "총 납부액", "수강료", "total", "amount due", "fee")
NOT_TOTAL = ("소계", "subtotal", "부가", "vat", "tax")
SYMBOLS = {"$": "USD", "US$": "USD", "€": "EUR", "₩": "KRW", "원": "KRW", "KRW": "KRW", "USD": "USD", "EUR": "EUR"}


def peer_due(text: str) -> str | None:
    found = search_dates(text, languages=["ko", "en"], settings={"DATE_ORDER": "DMY"}) or []
    days = [(words, d.date()) for words, d in found if 2000 <= d.year <= 2100]
    if not days:
        return None
    for line in text.splitlines():
        if any(w in line.casefold() for w in DUE_WORDS):
            on_line = [d for words, d in days if words in line]
            if on_line:
                return max(on_line).isoformat()
    return max(d for _, d in days).isoformat()


def peer_amount(text: str) -> dict[str, str] | None:
    best: tuple[int, Decimal, str] | None = None
    for line in text.splitlines():
        price = Price.fromstring(line)
        if price.amount is None or price.amount <= 0:
            continue
        folded = line.casefold()
        rank = 1 if any(w in folded for w in TOTAL_WORDS) and not any(w in folded for w in NOT_TOTAL) else 0
        currency = SYMBOLS.get((price.currency or "").strip(), "KRW" if "원" in line else "USD")
        candidate = (rank, price.amount, currency)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        return None
    amount = format(best[1], "f")
    return {"amount": amount.rstrip("0").rstrip(".") if "." in amount else amount, "currency": best[2]}


def docmill_due(text: str) -> str | None:
    found = extract_fields(text, [DUE]).get("due_date")
    return found.value if found else None


def docmill_amount(text: str) -> dict[str, str] | None:
    found = extract_fields(text, [AMOUNT]).get("amount")
    return found.value if found else None


def measure(fn: Callable[[str], Any], documents: list[Bill], want: Callable[[Bill], Any], passes: int) -> dict:
    best = float("inf")
    answers: list[Any] = []
    for _ in range(passes):
        start = time.perf_counter()
        answers = [fn(b.text) for b in documents]
        best = min(best, time.perf_counter() - start)
    right = sum(1 for b, a in zip(documents, answers, strict=True) if a == want(b))
    return {"docs_per_s": round(len(documents) / best, 1), "accuracy": round(right / len(documents), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-layout", type=int, default=10, help="documents per layout (10 layouts)")
    parser.add_argument("--passes", type=int, default=3, help="timed passes; the best counts")
    args = parser.parse_args()
    documents = bills(per_layout=args.per_layout, seed=2026)
    search_dates("warm up 14 March 2026", languages=["ko", "en"])  # dateparser loads its language data once
    Price.fromstring("$1")

    def due(b: Bill) -> str:
        return date.fromisoformat(b.due).isoformat()

    def amount(b: Bill) -> dict[str, str]:
        return {"amount": b.amount, "currency": b.currency}

    figures = {
        "docmill_due": measure(docmill_due, documents, due, args.passes),
        "dateparser_due": measure(peer_due, documents, due, max(1, args.passes - 2)),
        "docmill_amount": measure(docmill_amount, documents, amount, args.passes),
        "price_parser_amount": measure(peer_amount, documents, amount, args.passes),
    }
    for name, row in figures.items():
        print(f"{name:22} {row['docs_per_s']:>10} docs/s   accuracy {row['accuracy']:.1%}")
    result = {
        "documents": len(documents),
        **{f"{name}_{k}": v for name, row in figures.items() for k, v in row.items()},
        "ratio_vs_dateparser": round(figures["docmill_due"]["docs_per_s"] / figures["dateparser_due"]["docs_per_s"], 1),
        "ratio_vs_price_parser": round(
            figures["docmill_amount"]["docs_per_s"] / figures["price_parser_amount"]["docs_per_s"], 2
        ),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
