"""The Rules page in Chromium: define a rule with the builders, dry-run it (the preview names what it would
change and nothing is written), save it (the secret shown once), in a page without console errors or
serious accessibility violations."""

from __future__ import annotations

import sqlalchemy as sa
from playwright.sync_api import expect, sync_playwright

from docmill.db.engine import Database
from docmill.models import WorkflowRule
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_ui_pages import AXE, AXE_RUN, Watched, login, stack  # noqa: F401 (the stack fixture)
from tests.e2e.ui_stack import Stack
from tests.workflows.conftest import MakeDoc, load


def test_define_and_dry_run_a_rule(stack: Stack, database: Database, doc: MakeDoc) -> None:  # noqa: F811
    bill = doc("# 3월 관리비 고지서\n\n합계 182,300원", title="March bill", source="inbox")
    doc("# Dear friend", title="A letter", source="inbox")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # bypass_csp: only so that axe-core can be injected; the app itself runs under its policy
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", bypass_csp=True)
            page = context.new_page()
            watched = Watched(page)
            login(page, stack.base_url)
            page.goto(stack.base_url + "/admin/workflows")
            expect(page.locator("h1")).to_have_text("Workflow rules")
            page.locator("input[name=name]").fill("Utility bills")
            page.locator("select[name=trigger]").select_option("processed")
            conditions = page.locator("[data-testid=workflow-conditions]")
            conditions.get_by_label("Condition", exact=True).first.select_option("text_contains")
            conditions.get_by_label("Value", exact=True).first.fill("관리비")
            actions = page.locator("[data-testid=workflow-actions]")
            actions.get_by_label("Action", exact=True).first.select_option("set_category")
            actions.get_by_label("Value", exact=True).first.fill("Home/Bills")
            actions.get_by_role("button", name="Add an action").click()
            actions.get_by_label("Action", exact=True).nth(1).select_option("add_tags")
            actions.get_by_label("Value", exact=True).nth(1).fill("관리비")

            page.get_by_role("button", name="Dry-run").click()
            preview = page.locator("[data-testid=workflow-preview]")
            expect(preview).to_contain_text("1 of 2 documents match")
            expect(preview.locator("li")).to_have_count(1)
            expect(preview.locator("li")).to_contain_text("March bill")
            expect(preview.locator("li")).to_contain_text("set category Home/Bills; added tag 관리비")
            assert load(database, bill)[1] is None  # a dry-run writes nothing

            page.get_by_role("button", name="Save").click()
            expect(page.locator("[data-testid=workflow-secret]")).to_contain_text("shown only once")
            expect(page.locator("[data-testid=workflow-rules]")).to_contain_text("Utility bills")
            page.wait_for_load_state("networkidle")
            page.add_script_tag(path=str(AXE))
            assert page.evaluate(AXE_RUN) == []
            assert watched.take() == []
        finally:
            browser.close()
    with database.session() as session:
        rule = session.scalars(sa.select(WorkflowRule)).one()
        assert rule.conditions == [{"type": "text_contains", "text": "관리비"}]
        assert rule.actions == [
            {"type": "set_category", "path": "Home/Bills"},
            {"type": "add_tags", "tags": ["관리비"]},
        ]
