"""Custom fields in Chromium against a real api: an admin defines "Amount" (money) and "Due date" (date)
fields, sets them on a document in its Fields panel (a value the field does not take is named in the page),
and the documents list filters by amount and shows the amount as a column."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser as PwBrowser
from playwright.sync_api import expect, sync_playwright

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_ui_pages import login
from tests.e2e.ui_stack import STATIC_INDEX, Stack, stack_env


@pytest.fixture
def stack(database: Database, settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    for needed, hint in (
        (STATIC_INDEX, "run `npm ci && npm run build` in frontend/"),
        (Path(CHROMIUM), "install Debian's chromium package"),
    ):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: {hint}")
    stack = Stack(stack_env(database.url, settings.data_dir), logs=tmp_path, worker=False)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def chromium() -> Iterator[PwBrowser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def seed(database: Database) -> list[int]:
    ids = []
    with database.transaction() as session:
        for i, title in enumerate(("관리비 3월", "관리비 4월", "Letter")):
            doc = Document(
                sha256=f"{i + 1:0>64}",
                media_type="text/plain",
                kind="text",
                title=title,
                original_name=f"doc{i}.txt",
                size_bytes=10,
                source="upload",
                markdown=title,
            )
            session.add(doc)
            session.flush()
            ids.append(doc.id)
    return ids


def test_define_fields_set_them_and_filter_the_list(stack: Stack, database: Database, chromium: PwBrowser) -> None:
    march, april, letter = seed(database)
    base = stack.base_url
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    try:
        login(page, base)

        page.goto(base + "/admin/fields")
        form = page.locator("[data-testid=field-add]")
        form.locator("input[name=field-name]").fill("Amount")
        form.locator("select[name=field-type]").select_option("money")
        form.locator("input[name=field-currency]").fill("KRW")
        form.locator("input[name=field-hint]").fill("the total amount to pay")
        form.locator("button[type=submit]").click()
        expect(page.locator("tr[data-slug=amount]")).to_contain_text("KRW")
        form.locator("input[name=field-name]").fill("Due date")
        form.locator("select[name=field-type]").select_option("date")
        form.locator("button[type=submit]").click()
        expect(page.locator("tr[data-slug=due_date]")).to_contain_text("Date")

        # a value the field does not take: the panel names the field and what it accepts
        page.goto(f"{base}/documents/{march}")
        panel = page.locator("[data-testid=fields-panel]")
        panel.locator("input[name=amount]").fill("lots")
        panel.locator("button[type=submit]").click()
        expect(panel.locator("[data-field=amount] [role=alert]")).to_contain_text("“Amount” cannot take this value")
        expect(panel.locator("[data-field=amount] [role=alert]")).to_contain_text("three-letter currency")

        panel.locator("input[name=amount]").fill("250000")
        panel.locator("input[name=due_date]").fill("2026-03-14")
        panel.locator("button[type=submit]").click()
        expect(page.get_by_text("Fields saved")).to_be_visible()
        page.reload()
        expect(panel.locator("input[name=amount]")).to_have_value("250000")
        expect(panel.locator("input[name=amount-currency]")).to_have_value("KRW")
        expect(panel.locator("input[name=due_date]")).to_have_value("2026-03-14")

        page.goto(f"{base}/documents/{april}")
        panel.locator("input[name=amount]").fill("30000")
        panel.locator("button[type=submit]").click()
        expect(page.get_by_text("Fields saved")).to_be_visible()

        # the list: filter by amount, show it as a column, sort by it
        page.goto(base + "/documents")
        listed = page.locator("[data-testid=document-list] > li")
        expect(listed).to_have_count(3)
        filters = page.locator("[data-testid=field-filters]")
        filters.locator("select[name=filter-field]").select_option("amount")
        filters.locator("select[name=filter-op]").select_option(">")
        filters.locator("input[name=filter-value]").fill("100000")
        filters.locator("button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"field=amount%3E100000"))
        expect(listed).to_have_count(1)
        expect(listed.first).to_contain_text("관리비 3월")
        filters.locator("input[name=column-amount]").check()
        expect(listed.first.locator("[data-field=amount]")).to_contain_text("250,000 KRW")
        filters.get_by_role("button", name=re.compile("Remove the filter")).click()
        expect(listed).to_have_count(3)
        page.locator("select").filter(has_text="Amount ↓").select_option("-field:amount")
        expect(listed.first).to_contain_text("관리비 3월")
        expect(listed.nth(1)).to_contain_text("관리비 4월")
        expect(listed.nth(2)).to_contain_text("Letter")
        assert letter
    finally:
        context.close()
