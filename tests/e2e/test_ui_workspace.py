"""In Chromium against a real api: select documents in the list and bulk-tag them (progress, then the result),
save the filtered list as a view pinned to the dashboard with its count, and add a Markdown note."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Browser as PwBrowser
from playwright.sync_api import expect

from docmill.db.engine import Database
from docmill.models import Document, User
from tests.e2e.test_ui_pages import SIZES, Watched, chromium, login, stack  # noqa: F401  (fixtures)
from tests.e2e.ui_stack import ADMIN_USER, Stack


def _documents(database: Database, titles: list[str]) -> list[int]:
    with database.transaction() as session:
        owner = session.scalar(sa.select(User.id).where(User.username == ADMIN_USER))
        ids = []
        for i, title in enumerate(titles):
            doc = Document(
                sha256=f"{i:02d}" + "e" * 62,
                original_name=f"{title}.txt",
                title=title,
                media_type="text/plain",
                kind="text",
                size_bytes=10,
                source="upload",
                owner_id=owner,
            )
            session.add(doc)
            session.flush()
            ids.append(doc.id)
    return ids


def test_bulk_tag_saved_view_and_note(stack: Stack, database: Database, chromium: PwBrowser) -> None:  # noqa: F811
    expect.set_options(timeout=20_000)
    context = chromium.new_context(viewport=SIZES["desktop"], locale="en-US")
    context.set_default_timeout(20_000)
    page = context.new_page()
    watched = Watched(page)
    base = stack.base_url
    try:
        login(page, base)  # the admin exists once the stack is up
        ids = _documents(database, ["Water bill", "Gas bill", "Holiday photo"])
        page.goto(base + "/documents")
        page.get_by_label("Select Water bill").check()
        page.get_by_label("Select Gas bill").check()
        bar = page.get_by_test_id("bulk-bar")
        expect(bar).to_contain_text("2 documents selected")
        bar.get_by_label("Tags (comma-separated)").fill("utilities, 2026")
        bar.get_by_role("button", name="Apply").click()
        expect(page.get_by_test_id("bulk-progress")).to_contain_text(
            re.compile(r"Done · 2 of 2 · 2 changed · 0 failed")
        )
        expect(page.locator(".toasts")).to_contain_text("Bulk edit finished: 2 changed, 0 failed.")
        with database.session() as session:
            tags = dict(session.execute(sa.select(Document.id, Document.tags).where(Document.id.in_(ids))).all())
        assert tags == {ids[0]: ["utilities", "2026"], ids[1]: ["utilities", "2026"], ids[2]: []}
        expect(page.get_by_role("link", name="#utilities")).to_have_count(2)

        page.goto(base + "/documents?tag=utilities")
        views = page.get_by_test_id("saved-views")
        views.get_by_role("button", name="Save this view").click()
        views.get_by_label("Name of the view").fill("Utilities")
        views.get_by_label("Pin to the dashboard").check()
        views.get_by_role("button", name="Save").click()
        expect(page.locator(".toasts")).to_contain_text("View “Utilities” saved.")
        page.goto(base + "/")
        pinned = page.get_by_test_id("pinned-views")
        expect(pinned.get_by_role("link")).to_have_text(re.compile(r"2\s+Utilities"))
        pinned.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/documents\?tag=utilities$"))
        expect(page.get_by_test_id("document-list").locator("li")).to_have_count(2)

        page.goto(f"{base}/documents/{ids[0]}?tab=details")
        notes = page.get_by_test_id("notes-panel")
        notes.get_by_label("Add a note (Markdown)").fill("Paid on **3 March**")
        notes.get_by_role("button", name="Add note").click()
        expect(notes.locator(".markdown strong")).to_have_text("3 March")
        expect(notes).to_contain_text(ADMIN_USER)
        assert watched.take() == []
    finally:
        context.close()
