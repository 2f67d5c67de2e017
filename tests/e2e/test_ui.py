"""The web UI in Chromium against a real api, worker and database: log in, create categories, upload a PDF
from the corpus, follow it through the stages on the dashboard (pausing and resuming a stage), find it by
search, accept its library suggestion, open it by deep link, add and fetch a local news feed, log out.
Screenshots of each page go to test-artifacts/screenshots/; the browser console must stay free of errors."""

from __future__ import annotations

import base64
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect, sync_playwright

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.pipeline import registry
from tests.e2e.ui_stack import ADMIN_PASSWORD, ADMIN_USER, REPO, STATIC_INDEX, FeedServer, Stack, stack_env
from tests.helpers import wait_for

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PIPELINE_TIMEOUT = 120  # seconds for the PDF to pass every stage on 2 cores
PAUSED = "embed"

DROP_FILE_JS = """({name, data}) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type: 'application/pdf'}));
  const zone = document.querySelector('section[aria-label="Upload documents"]');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
  }
}"""
LAG_TABLE_JS = """() => Object.fromEntries(
  [...document.querySelectorAll('[data-testid=queue-lag] tbody tr')].map((tr) => [
    tr.dataset.stage,
    Object.fromEntries(
      [...tr.querySelectorAll('td[data-col]')].map((td) => [td.dataset.col, Number(td.dataset.value)])),
  ]))"""


def pdf_stages() -> set[str]:
    """Every stage a PDF goes through, from the registry."""
    seen: set[str] = set()
    todo = list(registry.entry_stages("pdf"))
    while todo:
        stage = todo.pop()
        if stage not in seen:
            seen.add(stage)
            todo.extend(registry.successors_for(stage, "pdf"))
    return seen


@pytest.fixture
def stack(database: Database, settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    if not STATIC_INDEX.is_file():
        pytest.fail(
            f"the web UI is not built ({STATIC_INDEX} is missing): run `npm ci && npm run build` in frontend/ first"
        )
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/apt-test.txt)")
    korean = subprocess.run(["fc-list", ":lang=ko", "family"], capture_output=True, text=True, check=False).stdout
    if not korean.strip():
        pytest.fail("no Korean font is installed (Korean shows as boxes): install fonts-nanum (scripts/apt-test.txt)")
    stack = Stack(stack_env(database.url, settings.data_dir), logs=tmp_path)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


class Browser:
    """One page, with its console errors collected and a screenshot helper."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console error on {self.page.url}: {message.text}")

    def go(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"

    def shot(self, name: str, *, full_page: bool = True) -> None:
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    def lag(self) -> dict[str, dict[str, float]]:
        return self.page.evaluate(LAG_TABLE_JS)


@pytest.fixture
def browser(stack: Stack) -> Iterator[Browser]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
            context.set_default_timeout(20_000)
            yield Browser(context.new_page(), stack.base_url)
        finally:
            chromium.close()


def test_ui_end_to_end(stack: Stack, browser: Browser, corpus: Path) -> None:
    page = browser.page
    expect.set_options(timeout=20_000)
    stages = pdf_stages()
    assert PAUSED in stages and "classify" in stages

    # -- log in, with the keyboard only (a first visit goes straight to the login page)
    browser.go("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("input[name=username]")).to_be_focused()
    browser.shot("01-login")
    page.keyboard.type(ADMIN_USER)
    page.keyboard.press("Tab")
    page.keyboard.type(ADMIN_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.locator("[data-testid=queue-lag] tbody tr")).to_have_count(len(registry.STAGES))

    # -- categories for the offline classifier to choose from
    browser.go("/library")
    for path, description in (
        ("Research/AI", "Machine learning and AI research papers: language models, agents, neural networks"),
        ("Finance/Invoices", "Invoices, bills, receipts and payment reminders"),
    ):
        page.get_by_label("Path").fill(path)
        page.get_by_label("Description").fill(description)
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page.locator(".toasts")).to_contain_text(f"Category {path} created")
    tree = page.locator("[data-testid=category-tree]")
    expect(tree).to_contain_text("AI")
    expect(tree).to_contain_text("Invoices")

    # -- pause one stage from the dashboard, so the document visibly waits there
    browser.go("/")
    row = page.locator(f"[data-testid=queue-lag] tr[data-stage={PAUSED}]")
    row.get_by_role("button", name=f"Pause {PAUSED}").click()
    expect(row.locator(".badge", has_text="paused")).to_be_visible()

    # -- upload the PDF through the page's file input
    browser.go("/documents")
    expect(page.get_by_text("No documents yet.")).to_be_visible()
    pdf = corpus / "pdf" / "test.pdf"
    page.locator("[data-testid=upload-input]").set_input_files(str(pdf))
    item = page.locator("[data-testid=upload-item]")
    expect(item).to_have_attribute("data-status", "added")
    href = item.get_by_role("link", name="test.pdf").get_attribute("href")
    assert href and re.fullmatch(r"/documents/\d+", href), href
    document_id = int(href.rsplit("/", 1)[1])
    expect(page.locator("[data-testid=document-list] li")).to_have_count(1)
    # dropping the same file again: the drop zone uploads it, and the API says it is a duplicate
    page.evaluate(DROP_FILE_JS, {"name": "test.pdf", "data": base64.b64encode(pdf.read_bytes()).decode()})
    expect(page.locator("[data-testid=upload-item]").nth(1)).to_have_attribute("data-status", "duplicate")
    expect(page.locator("[data-testid=document-list] li")).to_have_count(1)
    browser.shot("02-documents-uploaded")

    # -- the dashboard counts it through the stages; it waits at the paused one
    browser.go("/")
    expect(page.locator("[data-testid=queue-lag] tbody tr")).to_have_count(len(registry.STAGES))

    def waiting_at_paused_stage() -> bool:
        stack.check_alive()
        lag = browser.lag()
        others_done = all(
            lag[s]["pending"] == 0 and lag[s]["processing"] == 0 and lag[s]["done"] >= 1 for s in stages - {PAUSED}
        )
        return others_done and lag[PAUSED]["pending"] == 1

    wait_for(waiting_at_paused_stage, PIPELINE_TIMEOUT, interval=0.5, message=f"{browser.lag()}\n{stack.tail()}")
    expect(page.get_by_test_id("pending-total")).to_have_text("1")
    browser.shot("03-dashboard-waiting")

    row.get_by_role("button", name=f"Resume {PAUSED}").click()
    expect(row.locator(".badge", has_text="paused")).to_have_count(0)

    def all_done() -> bool:
        stack.check_alive()
        lag = browser.lag()
        return all(v["pending"] == 0 and v["processing"] == 0 for v in lag.values()) and all(
            lag[s]["done"] >= 1 for s in stages
        )

    wait_for(all_done, PIPELINE_TIMEOUT, interval=0.5, message=f"{browser.lag()}\n{stack.tail()}")
    assert all(v["failed"] == 0 for v in browser.lag().values()), browser.lag()
    expect(page.get_by_test_id("document-count")).to_have_text("1", timeout=30_000)  # counts refresh every 10 s
    expect(page.get_by_test_id("suggestion-count")).to_have_text("1", timeout=30_000)
    browser.shot("04-dashboard-done")

    # -- search as you type
    browser.go("/search")
    page.get_by_test_id("search-input").press_sequentially("conversable", delay=40)
    link = page.locator(f"a[href='/documents/{document_id}']")
    hit = page.locator("[data-testid=search-results] li").filter(has=link)
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text(re.compile("conversable", re.I))
    expect(page).to_have_url(re.compile(r"/search\?q=conversable$"))
    browser.shot("05-search")

    # -- accept the library suggestion
    browser.go("/library#suggestions")
    suggestion = page.locator(f"li.suggestion[data-document='{document_id}']")
    expect(suggestion.get_by_label("File under")).to_have_value("Research/AI")
    browser.shot("06-library-suggestion")
    suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.locator(".toasts")).to_contain_text("filed under Research/AI")
    expect(suggestion).to_have_count(0)
    expect(page.get_by_text("Nothing to review.")).to_be_visible()
    ai = tree.locator("li", has=page.get_by_role("link", name="AI", exact=True))
    expect(ai.locator(".count")).to_contain_text("1")
    browser.shot("07-library-accepted")

    # -- the document page, loaded by deep link
    browser.go(f"/documents/{document_id}")
    expect(page.locator("h1")).to_contain_text(re.compile(r"\S"))
    expect(page.locator(".badges .badge.info")).to_have_text("Research/AI")
    expect(page.locator("article.markdown")).to_contain_text("AutoGen")
    expect(page.get_by_role("link", name="Download original")).to_have_attribute(
        "href", f"/api/documents/{document_id}/file"
    )
    browser.shot("08-document")
    page.get_by_role("tab", name=re.compile("^Processing")).click()
    stage_rows = page.locator("[data-testid=stage-table] tbody tr")
    expect(stage_rows).to_have_count(len(stages))
    expect(stage_rows.locator("td .badge", has_text="completed")).to_have_count(len(stages))
    browser.shot("09-document-processing")

    # -- the list shows its thumbnail
    browser.go("/documents")
    thumb = page.locator("[data-testid=document-list] img.thumb")
    expect(thumb).to_have_count(1)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())

    # -- feeds: add a local one, fetch it now, see its status and its Korean article, remove it
    with FeedServer() as feed:
        browser.go("/feeds")
        expect(page.get_by_text("No feeds yet.")).to_be_visible()
        page.get_by_label("Feed address").fill(feed.url)
        page.get_by_role("button", name="Add feed").click()
        card = page.locator("[data-testid=feeds] li")
        expect(card).to_have_count(1)
        card.get_by_role("button", name="Fetch now").click()
        expect(card.locator(".result")).to_contain_text("1 new")
        expect(card.locator(".status .badge").first).to_have_text("ok")
        browser.shot("10-feeds")
    browser.go("/documents")
    expect(page.locator("[data-testid=document-list]")).to_contain_text("회의록: 다음 분기 예산 검토")
    browser.shot("11-documents-korean")
    browser.go("/feeds")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=feeds] li").get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.get_by_text("No feeds yet.")).to_be_visible()

    # -- small screens: the navigation folds into a menu
    page.set_viewport_size({"width": 390, "height": 844})
    browser.go("/")
    nav_link = page.locator("#main-nav a[href='/documents']")
    expect(nav_link).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav_link).to_be_visible()
    browser.shot("12-dashboard-mobile")
    page.set_viewport_size({"width": 1280, "height": 900})

    # -- log out: back to the login page, and the API refuses the old session
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert "docmill_session" not in cookies
    assert httpx.get(f"{stack.base_url}/api/dashboard").status_code == 401

    stack.check_alive()
    assert not browser.errors, "the browser console shows errors:\n" + "\n".join(browser.errors)


def test_deep_link_loads_the_app(stack: Stack, browser: Browser) -> None:
    """A deep link answers index.html and the app takes over: logged out, it asks to log in and returns there."""
    page = browser.page
    browser.go("/documents/12345?tab=processing")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fdocuments%2F12345"))
    page.locator("input[name=username]").fill(ADMIN_USER)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/documents/12345\?tab=processing$"))
    expect(page.get_by_role("alert")).to_contain_text("document 12345 does not exist")
    browser.shot("13-deep-link-not-found")
    # the API's 404 shows on the page; it is the only console error allowed here
    unexpected = [e for e in browser.errors if "404" not in e]
    assert not unexpected, unexpected
    try:
        api = page.request.get(f"{stack.base_url}/api/no-such-endpoint")
        assert api.status == 404 and api.headers["content-type"].startswith("application/json")
    except Error as exc:  # pragma: no cover - a transport failure, not a test result
        raise AssertionError(str(exc)) from exc
