"""The permission pages in a real browser: an admin adds a member and a group, shares a document with the
member, the member sees it (and not the admin pages), the audit log lists what happened — with the UI's
Content-Security-Policy in force (a violation is a console error, and fails the test)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_ui import Browser, browser, stack  # noqa: F401  (fixtures)
from tests.e2e.ui_stack import ADMIN_PASSWORD, ADMIN_USER, Stack

MEMBER, MEMBER_PASSWORD = "mia", "mia's long password"


def _login(b: Browser, user: str, password: str) -> None:
    b.go("/login")
    b.page.locator("input[name=username]").fill(user)
    b.page.locator("input[name=password]").fill(password)
    b.page.get_by_role("button", name="Log in").click()
    expect(b.page.get_by_role("link", name="Documents", exact=True)).to_be_visible()


def test_admin_shares_a_document_with_a_member(stack: Stack, browser: Browser) -> None:  # noqa: F811
    page = browser.page
    _login(browser, ADMIN_USER, ADMIN_PASSWORD)
    browser.go("/admin")  # the administration area links to users and groups and to the audit log
    page.get_by_role("link", name="Manage users and groups").click()
    expect(page.get_by_role("heading", name="Users and groups")).to_be_visible()
    page.get_by_label("User name").fill(MEMBER)
    page.get_by_label("Password", exact=True).fill(MEMBER_PASSWORD)
    page.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("cell", name=MEMBER, exact=True)).to_be_visible()
    page.get_by_label("Group name").fill("family")
    page.get_by_role("button", name="Add group").click()
    expect(page.get_by_role("group", name="family")).to_be_visible()
    browser.shot("20-admin-users")

    csrf = page.request.get(f"{stack.base_url}/api/session/me").json()["csrf_token"]
    uploaded = page.request.post(
        f"{stack.base_url}/api/documents",
        multipart={"file": {"name": "plan.txt", "mimeType": "text/plain", "buffer": b"The family holiday plan."}},
        headers={"X-CSRF-Token": csrf},
    )
    assert uploaded.status == 201, uploaded.text()
    doc = uploaded.json()["document_id"]
    browser.go(f"/documents/{doc}?tab=details")
    sharing = page.get_by_role("region", name="Sharing")
    expect(sharing).to_contain_text("Not shared with anyone")
    sharing.get_by_label("Share with").select_option(f"user:{MEMBER}")
    sharing.get_by_role("button", name="Share", exact=True).click()
    expect(sharing).to_contain_text(f"{MEMBER} — can view")
    browser.shot("21-share-controls")

    browser.go("/admin")
    page.get_by_role("link", name="Open the audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.get_by_role("cell", name="share", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute("href", re.compile(r"/api/audit/export\.csv"))
    browser.go("/library")
    expect(page.get_by_role("heading", name="New category")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    _login(browser, MEMBER, MEMBER_PASSWORD)
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
    browser.go(f"/documents/{doc}")
    expect(page.get_by_role("heading", name="plan.txt")).to_be_visible()
    browser.go(f"/documents/{doc}?tab=details")
    expect(page.get_by_role("region", name="Sharing")).not_to_contain_text("Share with")
    browser.go("/library")  # categories are an admin's: a member is not offered what the API would refuse
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="New category")).to_have_count(0)
    assert not browser.errors, browser.errors
