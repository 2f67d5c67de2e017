"""The library review inbox in Chromium: a document's extracted field values beside its placement suggestion
are accepted as suggested, a document with only field values is listed too, an edited value that the field
does not accept is refused naming the field, a corrected one is saved, and one is rejected."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields import service, suggestions
from docmill.fields.extract import Extracted
from docmill.fields.service import FieldDefinition
from docmill.fields.types import FieldType
from docmill.library import service as library
from docmill.models import Document
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_ui_pages import Watched, login
from tests.e2e.ui_stack import STATIC_INDEX, Stack, stack_env


@pytest.fixture
def stack(database: Database, settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    if not STATIC_INDEX.exists():
        pytest.fail(f"{STATIC_INDEX} is missing: run `npm ci && npm run build` in frontend/")
    running = Stack(stack_env(database.url, settings.data_dir), logs=tmp_path, worker=False)
    try:
        running.start()
        yield running
    finally:
        running.stop()


def seed(database: Database) -> tuple[int, int]:
    def document(session, title: str) -> int:  # type: ignore[no-untyped-def]
        doc = Document(
            sha256=hashlib.sha256(title.encode()).hexdigest(),
            original_name=f"{title}.pdf",
            title=title,
            media_type="application/pdf",
            kind="pdf",
            size_bytes=1000,
            source="upload",
        )
        session.add(doc)
        session.flush()
        return doc.id

    with database.transaction() as session:
        amount = service.create_field(
            session, FieldDefinition(name="Amount", type=FieldType.MONEY, extraction_hint="the total amount to pay")
        )
        due = service.create_field(
            session, FieldDefinition(name="Due date", type=FieldType.DATE, extraction_hint="the due date")
        )
        specs = [service.spec_of(amount), service.spec_of(due)]
        placed = document(session, "관리비 3월")
        alone = document(session, "Water bill")
        library.save_pending_suggestion(
            session, placed, path="Home/Bills", category_id=None, confidence=0.81, reason="a bill"
        )
        for doc_id, total, day in ((placed, "70300 KRW", "2026-03-25"), (alone, "48.2 USD", "2026-04-02")):
            proposals = [
                Extracted("amount", total, 0.9, f"납부하실 금액 {total}"),
                Extracted("due_date", day, 0.8, f"Due date {day}"),
            ]
            suggestions.save_suggestions(session, doc_id, specs, proposals, method="offline")
    return placed, alone


def test_accept_edit_and_reject_field_suggestions(stack: Stack, database: Database) -> None:
    placed, alone = seed(database)
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
        watched = Watched(page)
        try:
            login(page, stack.base_url)
            page.goto(stack.base_url + "/library")
            beside = page.locator(f"li.suggestion[data-document='{placed}']")
            expect(beside.get_by_label("Amount value")).to_have_value("70300 KRW")
            expect(beside).to_contain_text("Read from: “납부하실 금액 70300 KRW”")
            beside.get_by_role("button", name="Accept Amount").click()
            expect(page.locator(".toasts")).to_contain_text("Amount of 관리비 3월 set to 70300 KRW.")
            expect(beside.get_by_label("Amount value")).to_have_count(0)

            only = page.get_by_test_id("field-only").locator(f"li[data-document='{alone}']")
            expect(only.get_by_role("link", name="Water bill")).to_be_visible()
            due = only.get_by_label("Due date value")
            due.fill("next week")
            only.get_by_role("button", name="Save Due date").click()
            expect(page.locator(".toasts")).to_contain_text(re.compile(r"Due date.*YYYY-MM-DD"))
            due.fill("2026-04-03")
            only.get_by_role("button", name="Save Due date").click()
            expect(page.locator(".toasts")).to_contain_text("Due date of Water bill set to 2026-04-03.")
            only.get_by_role("button", name="Reject Amount").click()
            expect(page.get_by_test_id("field-only")).to_have_count(0)
            problems = [p for p in watched.take() if "422" not in p]  # the refused edit, on purpose
            assert problems == []
        finally:
            browser.close()
    with database.session() as session:
        assert {v.slug: v.value for v in service.document_values(session, placed)} == {
            "amount": {"amount": "70300", "currency": "KRW"}
        }
        assert {v.slug: (v.value, v.source) for v in service.document_values(session, alone)} == {
            "due_date": ("2026-04-03", "user")
        }
        assert [v.field_slug for v in suggestions.list_pending(session)[0]] == ["due_date"]
