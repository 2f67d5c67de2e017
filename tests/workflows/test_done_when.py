"""The issue's "done when", over the API as a new user would do it: define "Amount" and "Due date" fields
and the rule "from the inbox, text contains 관리비 → category Home/Bills, tag 관리비", drop three bills of
different layouts into the inbox, and find them filed, tagged, with their amounts and due dates suggested."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.inbox import Inbox
from tests.helpers import run_worker_until_idle
from tests.workflows.conftest import load

BILLS = {
    "apartment.md": (
        "# 2026년 11월분 관리비 고지서\n\n래미안 아파트 101동 1203호\n\n| 항목 | 금액 |\n|---|---|\n"
        "| 일반관리비 | 52,000원 |\n| 수도료 | 18,300원 |\n| 난방비 | 41,200원 |\n\n"
        "납부하실 금액: 111,500원\n납부기한: 2026년 12월 25일\n",
        ({"amount": "111500", "currency": "KRW"}, "2026-12-25"),
    ),
    "officetel.txt": (
        "오피스텔 관리비 안내\n\n고객번호 2231-0931\n발행일 2026. 11. 28.\n"
        "청구금액 ₩87,400\n납기일 2026. 12. 10.\n문의: 관리사무소\n",
        ({"amount": "87400", "currency": "KRW"}, "2026-12-10"),
    ),
    "shared-house.md": (
        "# Shared house — November 관리비\n\nIssued 30 November 2026.\n\nCleaning 20,000원, internet 15,000원.\n"
        "Total amount due: 35,000원\nPlease pay by 15 December 2026.\n",
        ({"amount": "35000", "currency": "KRW"}, "2026-12-15"),
    ),
}


def test_a_new_user_files_three_bills_with_amounts_and_due_dates_suggested(
    api: TestClient, database: Database, settings: Settings, tmp_path: Path
) -> None:
    for body in (
        {"name": "Amount", "type": "money", "default_currency": "KRW", "extraction_hint": "the total amount to pay"},
        {"name": "Due date", "type": "date", "extraction_hint": "the due date"},
    ):
        created = api.post("/api/fields", json=body)
        assert created.status_code == 201, created.text
    rule = api.post(
        "/api/workflows",
        json={
            "name": "관리비",
            "trigger": "processed",
            "conditions": [{"type": "source", "sources": ["inbox"]}, {"type": "text_contains", "text": "관리비"}],
            "actions": [{"type": "set_category", "path": "Home/Bills"}, {"type": "add_tags", "tags": ["관리비"]}],
        },
    )
    assert rule.status_code == 201, rule.text

    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, (text, _) in BILLS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "letter.md").write_text("# Dear friend\n\nThe garden is lovely this spring.\n", encoding="utf-8")
    inbox = Inbox.open(settings.model_copy(update={"inbox_dir": folder}), database)
    inbox.scan()  # first sight: a file is taken once it is stable
    assert sorted(outcome for _, outcome in inbox.scan()) == ["added"] * 4
    run_worker_until_idle(database, settings, timeout=300)

    with database.session() as session:
        ids = {name: doc_id for name, doc_id in session.execute(sa.text("SELECT original_name, id FROM documents"))}
    suggested = api.get("/api/library/field-suggestions", params={"limit": 50}).json()["items"]
    by_doc: dict[int, dict[str, object]] = {}
    for s in suggested:
        by_doc.setdefault(s["document_id"], {})[s["field_slug"]] = s["value"]
    for name, (_, (amount, due)) in BILLS.items():
        document, path = load(database, ids[name])
        assert path == "Home/Bills" and "관리비" in document.tags, name
        assert by_doc.get(ids[name]) == {"amount": amount, "due_date": due}, name
    assert load(database, ids["letter.md"])[1] is None
    listed = api.get("/api/documents", params={"category": "Home/Bills", "tag": "관리비"}).json()
    assert sorted(d["id"] for d in listed["items"]) == sorted(ids[name] for name in BILLS)
