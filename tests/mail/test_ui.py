"""The mailbox UI in Chromium against a real api and worker and the real Dovecot: on the Sources page a new
user adds their mailbox (tested at once), gives it the rule "from billing@ → attachments only, move to
Archive", fetches it now, and finds the bill as a document, once; errors show on the account."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from docmill.collector.mail import service
from docmill.config import Settings
from docmill.db.engine import Database
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, Browser
from tests.e2e.ui_stack import ADMIN_PASSWORD, ADMIN_USER, STATIC_INDEX, Stack, stack_env
from tests.mail import samples
from tests.mail.imap_server import DovecotServer, MailUser
from tests.mail.test_poll import documents, fill, folder_uids


@pytest.fixture
def browser(database: Database, settings: Settings, tmp_path: Path) -> Iterator[tuple[Stack, Browser]]:
    if not STATIC_INDEX.is_file():
        pytest.fail(f"the web UI is not built ({STATIC_INDEX} is missing): run `npm ci && npm run build` in frontend/")
    stack = Stack(stack_env(database.url, settings.data_dir), logs=tmp_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        stack.start()
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
                context.set_default_timeout(20_000)
                yield stack, Browser(context.new_page(), stack.base_url)
            finally:
                chromium.close()
    finally:
        stack.stop()


def test_a_new_user_adds_a_mailbox_and_a_bills_rule_in_the_browser(
    browser: tuple[Stack, Browser],
    database: Database,
    imap_server: DovecotServer,
    mail_user: MailUser,
    tmp_path: Path,
) -> None:
    stack, ui = browser
    page = ui.page
    expect.set_options(timeout=20_000)
    fill(imap_server, mail_user, samples.message(subject="seed", sender="x@x"), folder="Archive")
    fill(
        imap_server,
        mail_user,
        samples.message(attachments=[("bill-2026-11.pdf", samples.text_pdf("Bill November"), "application/pdf")]),
        samples.message(subject="Lunch?", sender="Friend <friend@example.net>"),
    )

    ui.go("/login")
    page.locator("input[name=username]").fill(ADMIN_USER)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    page.get_by_role("link", name="Sources").click()
    expect(page.get_by_role("heading", name="Sources", exact=True)).to_be_visible()
    expect(page.get_by_text("No mailboxes yet.")).to_be_visible()
    page.get_by_role("button", name="Add mailbox").click()
    form = page.locator("[data-testid=mail-add]")
    form.get_by_label("Name", exact=True).fill("home")
    form.get_by_label("IMAP server").fill("127.0.0.1")
    form.get_by_label("Port").fill(str(imap_server.tls_port))
    form.get_by_label("User").fill(mail_user.username)
    form.get_by_label("Password").fill(mail_user.password)
    form.get_by_label("Custom CA certificate").fill(imap_server.ca_pem)
    form.get_by_role("button", name="Add mailbox").click()
    card = page.locator("[data-testid=mail-accounts] li").first
    expect(card.locator("[data-testid=mail-test]")).to_contain_text("Connection ok")
    expect(card).to_contain_text("Add a rule")

    card.get_by_role("link", name="home").click()
    expect(page.get_by_role("heading", name="home")).to_be_visible()
    rule = page.locator("[data-testid=mail-rule-add]")
    rule.get_by_label("Name", exact=True).fill("bills")
    rule.get_by_label("From contains").fill("billing@")
    rule.get_by_label("Then").select_option("move")
    rule.get_by_label("To folder").fill("Archive")
    rule.get_by_label("Tags").fill("bill")
    rule.get_by_role("button", name="Add rule").click()
    expect(page.locator("[data-testid=mail-rules]")).to_contain_text(
        "from billing@ → attachments only, then move it to Archive"
    )
    ui.shot("mail-01-mailbox-rules")

    page.get_by_role("link", name="← Sources").click()
    card = page.locator("[data-testid=mail-accounts] li").first
    card.get_by_role("button", name="Fetch now").click()
    expect(page.locator(".toasts")).to_contain_text("1 message ingested, 1 new document.")
    expect(card.locator(".status .badge").first).to_have_text("ok")
    expect(card.locator("[data-testid=mail-progress]")).to_contain_text("last poll: 1 message ingested, 1 new document")
    ui.shot("mail-02-sources")

    card.get_by_role("link", name="home").click()
    table = page.locator("[data-testid=mail-messages]")
    expect(table).to_contain_text("Your invoice")
    table.get_by_role("link", name="bill-2026-11.pdf").click()
    expect(page).to_have_url(re.compile(r"/documents/\d+"))
    expect(page.get_by_text("bill-2026-11.pdf").first).to_be_visible()
    assert [d["original_name"] for d in documents(database)] == ["bill-2026-11.pdf"]
    assert len(folder_uids(imap_server, mail_user, "Archive")) == 2
    assert len(folder_uids(imap_server, mail_user, "INBOX")) == 1

    # a wrong password shows as the account's error, with what to do
    with database.transaction() as session:
        service.update_account(session, _settings(stack), "home", service.AccountInput(password="wrong"))
    ui.go("/feeds")
    card = page.locator("[data-testid=mail-accounts] li").first
    card.get_by_role("button", name="Test").click()
    expect(card.locator("[data-testid=mail-test]")).to_contain_text("refused the login")
    expect(card.locator("[data-testid=mail-test]")).to_contain_text("app password")
    card.get_by_role("button", name="Fetch now").click()
    expect(card.locator("pre.problem")).to_contain_text("[mail_auth]")
    ui.shot("mail-03-error")
    stack.check_alive()
    assert not ui.errors, "the browser console shows errors:\n" + "\n".join(ui.errors)


def _settings(stack: Stack) -> Settings:
    """Settings of the stack's processes (same data dir, so the same mail key)."""
    return Settings(database_url=stack.env["DOCMILL_DATABASE_URL"], data_dir=Path(stack.env["DOCMILL_DATA_DIR"]))
