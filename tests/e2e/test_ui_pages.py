"""Every page of the web UI in Chromium, in English and Korean, on a desktop and a 390×844 phone, against a
real api over seeded rows: no console error or failed request, no serious or critical axe-core violation,
`<html lang>` follows the language, and a screenshot of each into test-artifacts/screenshots/pages/.
Then the defects a new user hit, each checked where it showed: a feed added with an interval, the
duplicate feed's message, the Text tab of a document without text, recent failures named by title,
Restore in the trash, the phone's document tabs, the kind label of a thumbnail, the 404 page's ways back,
the charts filled from the server's history on open, and the language switch remembered per user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser as PwBrowser
from playwright.sync_api import ConsoleMessage, Page, Request, expect, sync_playwright

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from docmill.search.tokens import tsvector_literal
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.ui_stack import ADMIN_PASSWORD, ADMIN_USER, REPO, STATIC_INDEX, FeedServer, Stack, stack_env

AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "test-artifacts" / "screenshots" / "pages"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}"""
HEADINGS = {
    "en": {
        "/": "Dashboard",
        "/documents": "Documents",
        "/search": "Search",
        "/library": "Library",
        "/feeds": "Sources",
        "/settings": "Settings",
        "/admin": "Administration",
        "/admin/users": "Users and groups",
        "/admin/audit": "Audit log",
        "/admin/fields": "Custom fields",
    },
    "ko": {
        "/": "대시보드",
        "/documents": "문서",
        "/search": "검색",
        "/library": "라이브러리",
        "/feeds": "소스",
        "/settings": "설정",
        "/admin": "관리",
        "/admin/users": "사용자와 그룹",
        "/admin/audit": "감사 로그",
        "/admin/fields": "사용자 정의 필드",
    },
}


ENCRYPTED = "the PDF is encrypted with a password — remove the password and upload it again"


@dataclass
class Seeded:
    sheet: int  # a spreadsheet with a long kind name and no thumbnail
    scan: int  # a PDF whose Markdown is empty (no text layer, OCR found nothing)
    failed: int  # a document whose markdown stage failed
    binned: int  # in the trash
    recording: int  # audio with a transcript and a failed stage: four tabs, the longest labels


def _document(session, **fields) -> int:
    token = fields.pop("token")
    doc = Document(
        sha256=f"{token:0>64}"[-64:],
        media_type=fields.pop("media_type", "application/pdf"),
        size_bytes=1234,
        source="upload",
        **fields,
    )
    session.add(doc)
    session.flush()
    return doc.id


def seed(database: Database) -> Seeded:
    now = datetime.now(UTC)
    with database.transaction() as session:
        sheet = _document(
            session,
            token="a1",
            kind="spreadsheet",
            title="Budget 2025 예산",
            original_name="budget.xlsx",
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            markdown="| a | b |\n|---|---|\n| 1 | 2 |",
        )
        scan = _document(
            session,
            token="b2",
            kind="pdf",
            title="Scanned letter",
            original_name="scan.pdf",
            markdown="",
            markdown_note="no text layer",
            page_count=2,
        )
        failed = _document(session, token="c3", kind="pdf", title="Quarterly report", original_name="q.pdf")
        binned = _document(
            session,
            token="d4",
            kind="text",
            title="Old notes",
            original_name="notes.txt",
            media_type="text/plain",
            deleted_at=now,
        )
        recording = _document(
            session,
            token="e5",
            kind="audio",
            title="Team meeting",
            original_name="meeting.mp3",
            media_type="audio/mpeg",
            markdown="Hello team.",
            transcript={"text": "Hello team.", "segments": [], "language": "en", "duration": 3.0},
        )
        rows = [(d, stage, "completed", None) for d in (sheet, scan) for stage in ("extract", "markdown")]
        rows += [(recording, "extract", "completed", None), (recording, "summarize", "failed", "the LLM timed out")]
        rows += [(failed, "extract", "completed", None), (failed, "markdown", "failed", ENCRYPTED)]
        for doc_id, stage, status, error in rows:  # direct SQL is fine for seeding a test
            session.execute(
                sa.text(
                    "INSERT INTO processing_queue"
                    " (document_id, stage, status, attempts, error, started_at, finished_at) "
                    "VALUES (:d, CAST(:s AS process_stage), CAST(:st AS queue_status), 1, :e, now(), now())"
                ),
                {"d": doc_id, "s": stage, "st": status, "e": error},
            )
    return Seeded(sheet, scan, failed, binned, recording)


@pytest.fixture
def stack(database: Database, settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    for needed, hint in (
        (STATIC_INDEX, "run `npm ci && npm run build` in frontend/"),
        (AXE, "run `npm ci` in frontend/"),
        (Path(CHROMIUM), "install Debian's chromium package"),
    ):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: {hint}")
    env = stack_env(database.url, settings.data_dir)
    env["DOCMILL_DASHBOARD_SAMPLE_INTERVAL"] = "1"  # samples within the test's first seconds
    stack = Stack(env, logs=tmp_path, worker=False)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


class Watched:
    """A page whose console errors and failed requests are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status} {r.url}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":  # cancelled by the test navigating on, not a failure
            return
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def take(self) -> list[str]:
        out, self.problems = self.problems, []
        return out


def login(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.locator("input[name=username]").fill(ADMIN_USER)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=queue-lag]")).to_be_visible()


def check_page(watched: Watched, base: str, path: str, name: str, locale: str, size: str) -> None:
    page = watched.page
    page.goto(base + path)
    heading = HEADINGS[locale].get(path)
    if heading:
        expect(page.locator("h1").first).to_have_text(heading)
    else:
        expect(page.locator("h1").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == locale
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(AXE_RUN)
    assert not violations, f"{path} ({locale}, {size}):\n" + "\n".join(violations)
    page.screenshot(path=str(SHOTS / f"{locale}-{size}-{name}.png"), full_page=True)
    problems = [p for p in watched.take() if not (path.startswith("/nope") and "404" in p)]
    assert not problems, f"{path} ({locale}, {size}):\n" + "\n".join(problems)


@pytest.fixture
def chromium() -> Iterator[PwBrowser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_every_page_in_both_languages_and_sizes(stack: Stack, database: Database, chromium: PwBrowser) -> None:
    seeded = seed(database)
    expect.set_options(timeout=20_000)
    pages = [
        ("/", "dashboard"),
        ("/documents", "documents"),
        (f"/documents/{seeded.sheet}", "document"),
        (f"/documents/{seeded.scan}", "document-no-text"),
        ("/documents?deleted=true", "trash"),
        ("/search", "search"),
        ("/library", "library"),
        ("/feeds", "sources"),
        ("/settings", "settings"),
        ("/admin", "admin"),
        ("/admin/users", "admin-users"),
        ("/admin/audit", "audit"),
        ("/admin/fields", "admin-fields"),
        (f"/documents/{seeded.sheet}?tab=details", "share-controls"),
        ("/search?q=xyzzyplugh", "search-no-match"),
        ("/nope/nothing-here", "not-found"),
    ]
    for locale, accept in (("en", "en-US"), ("ko", "ko-KR")):
        for size, viewport in SIZES.items():
            # bypass_csp: only so that axe-core can be injected; the app itself runs under its policy
            context = chromium.new_context(viewport=viewport, locale=accept, bypass_csp=True)
            context.set_default_timeout(20_000)
            try:
                watched = Watched(context.new_page())
                check_page(watched, stack.base_url, "/login", "login", locale, size)  # before any session
                login(watched.page, stack.base_url)
                if locale == "en" and size == "desktop":
                    add_people(watched.page, stack.base_url)  # so the users page and the share picker have rows
                watched.take()
                for path, name in pages:
                    if name == "share-controls":  # the sharing region of a document, loaded, with its picker
                        open_sharing(watched.page, stack.base_url + path, locale)
                    check_page(watched, stack.base_url, path, name, locale, size)
                    if name == "search-no-match":
                        expect(watched.page.get_by_test_id("search-no-match")).to_contain_text(NO_MATCH[locale])
                if size == "phone":
                    check_phone_tabs(watched.page, stack.base_url, seeded)
            finally:
                context.close()


NO_MATCH = {"en": "No match.", "ko": "일치하는 문서가 없습니다."}
SHARING = {
    "en": ("Sharing", "Share with", "Not shared with anyone."),
    "ko": ("공유", "공유 대상", "아무와도 공유하지 않았습니다."),
}
MEMBER, MEMBER_PASSWORD, GROUP = "mia", "mia's long password", "family"


def csrf(page: Page, base: str) -> dict[str, str]:
    return {"X-CSRF-Token": page.request.get(f"{base}/api/session/me").json()["csrf_token"]}


def add_people(page: Page, base: str) -> None:
    headers = csrf(page, base)
    body = {"username": MEMBER, "password": MEMBER_PASSWORD, "role": "member"}
    for url, data in ((f"{base}/api/users", body), (f"{base}/api/groups", {"name": GROUP, "members": [MEMBER]})):
        answer = page.request.post(url, data=data, headers=headers)
        assert answer.status == 201, answer.text()


def open_sharing(page: Page, url: str, locale: str) -> None:
    """The sharing region on a document's Details tab, in the page's language, its picker listing the member."""
    title, share_with, nobody = SHARING[locale]
    page.goto(url)
    sharing = page.get_by_role("region", name=title)
    expect(sharing).to_contain_text(nobody)
    expect(sharing.get_by_label(share_with).locator(f"option[value='user:{MEMBER}']")).to_be_attached()


def check_phone_tabs(page: Page, base: str, seeded: Seeded) -> None:
    """On a phone every document tab is whole on the screen (the fourth was cut to "Deta")."""
    page.goto(f"{base}/documents/{seeded.recording}")
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(4)
    width = page.viewport_size["width"]
    for i in range(tabs.count()):
        box = tabs.nth(i).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (tabs.nth(i).inner_text(), box)
        assert tabs.nth(i).evaluate("el => el.scrollWidth <= el.clientWidth")


def test_the_defects_a_new_user_hit(stack: Stack, database: Database, chromium: PwBrowser) -> None:
    seeded = seed(database)
    expect.set_options(timeout=20_000)
    context = chromium.new_context(viewport=SIZES["desktop"], locale="en-US")
    context.set_default_timeout(20_000)
    page = context.new_page()
    watched = Watched(page)
    base = stack.base_url
    try:
        login(page, base)

        # charts from the server's history the moment the dashboard opens (the api samples every second here)
        page.wait_for_timeout(2500)
        page.goto(base + "/")
        charts = page.get_by_test_id("charts")
        expect(charts).not_to_have_attribute("data-points", "0")
        page.locator("[data-window='3h']").click()
        expect(charts).not_to_have_attribute("data-points", "0")

        # recent failures are named by their document's title
        failures = page.locator("#failures-heading + ul")
        expect(failures).to_contain_text("Quarterly report")
        expect(failures).not_to_contain_text(f"Document {seeded.failed}")

        # the thumbnail placeholder's kind label stays on one line
        page.goto(base + "/documents")
        label = page.locator(f"li.doc:has(a[href='/documents/{seeded.sheet}']) .placeholder")
        expect(label).to_have_text("SHEET")
        assert label.evaluate("el => el.scrollWidth <= el.clientWidth && el.getClientRects().length === 1")

        # the Text tab of a document without text says so, and why, instead of spinning
        page.goto(f"{base}/documents/{seeded.scan}")
        expect(page.get_by_test_id("no-text")).to_contain_text("no text layer")
        expect(page.get_by_text("Loading the text…")).to_have_count(0)
        page.goto(f"{base}/documents/{seeded.failed}")
        expect(page.get_by_test_id("no-text")).to_contain_text("the markdown stage failed")
        expect(page.get_by_test_id("no-text")).to_contain_text("encrypted")
        expect(page.get_by_test_id("no-text").get_by_role("button", name="Retry failed stages")).to_be_visible()

        # Restore in the trash
        page.goto(base + "/documents?deleted=true")
        page.get_by_role("button", name=re.compile("^Restore")).click()
        expect(page.locator(".toasts")).to_contain_text("Old notes restored.")
        expect(page.get_by_text("The trash is empty.")).to_be_visible()
        with database.session() as session:
            assert session.scalar(sa.select(Document.deleted_at).where(Document.id == seeded.binned)) is None

        # a feed with an interval is added; the same feed again says so without sending a web user to the CLI
        with FeedServer() as feed:
            page.goto(base + "/feeds")
            page.get_by_label("Feed address").fill(feed.url)
            page.get_by_label(re.compile("Every … minutes")).fill("15")
            page.get_by_role("button", name="Add feed").click()
            card = page.locator("[data-testid=feeds] li")
            expect(card).to_have_count(1)
            expect(card).to_contain_text("every 15 min")
            page.get_by_label("Feed address").fill(feed.url)
            page.get_by_role("button", name="Add feed").click()
            toast = page.locator(".toast.error")
            expect(toast).to_contain_text("already subscribed")
            expect(toast).not_to_contain_text("docmill feeds")
            assert [p for p in watched.take() if "409" not in p] == []

        # the 404 page offers ways back
        page.goto(base + "/settings/nothing-here")
        expect(page.get_by_test_id("error-page")).to_be_visible()
        page.get_by_role("link", name="Go to the dashboard").click()
        expect(page.locator("h1")).to_have_text("Dashboard")
        assert [p for p in watched.take() if "404" not in p] == []

        # the language: switched in the header, <html lang> follows, remembered for the user in a new browser
        page.get_by_test_id("language-switch").select_option("ko")
        expect(page.locator("h1")).to_have_text("대시보드")
        assert page.evaluate("document.documentElement.lang") == "ko"
        other = chromium.new_context(viewport=SIZES["desktop"], locale="en-US")
        try:
            fresh = other.new_page()
            fresh.goto(base + "/login")
            fresh.locator("input[name=username]").fill(ADMIN_USER)
            fresh.locator("input[name=password]").fill(ADMIN_PASSWORD)
            fresh.locator("button[type=submit]").click()
            expect(fresh.locator("h1")).to_have_text("대시보드")
            assert fresh.evaluate("document.documentElement.lang") == "ko"
        finally:
            other.close()
        assert watched.take() == []
    finally:
        context.close()


def test_account_tokens_and_moving_a_category(stack: Stack, database: Database, chromium: PwBrowser) -> None:
    """perms' account features live in /settings (revoking one's tokens with a new password, on by default;
    tokens that expire), /account leads there, /admin links to users and the audit log, and an admin renames
    a category in the library; in Korean, with no console error."""
    expect.set_options(timeout=20_000)
    context = chromium.new_context(viewport=SIZES["desktop"], locale="ko-KR")
    context.set_default_timeout(20_000)
    page = context.new_page()
    watched = Watched(page)
    base = stack.base_url
    try:
        login(page, base)

        page.goto(base + "/account")
        expect(page).to_have_url(re.compile(r"/settings$"))
        expect(page.locator("h1")).to_have_text("설정")
        expect(page.get_by_test_id("revoke-tokens")).to_be_checked()
        page.get_by_label("토큰 이름").fill("backup script")
        page.get_by_test_id("token-days").fill("30")
        page.get_by_role("button", name="토큰 만들기").click()
        expect(page.get_by_test_id("new-token")).to_be_visible()
        row = page.get_by_role("row", name=re.compile("backup script"))
        expect(row).to_be_visible()
        expect(row.locator("td").nth(3)).not_to_have_text("없음")  # an expiry date, not "never"

        page.goto(base + "/admin")
        expect(page.get_by_test_id("users-placeholder")).to_have_count(0)
        page.get_by_role("link", name="사용자와 그룹 관리").click()
        expect(page.locator("h1")).to_have_text("사용자와 그룹")
        page.goto(base + "/admin")
        page.get_by_role("link", name="감사 로그 열기").click()
        expect(page.locator("h1")).to_have_text("감사 로그")
        expect(page.get_by_role("cell", name="로그인", exact=True).first).to_be_visible()  # the action, translated

        answer = page.request.post(f"{base}/api/categories", data={"path": "Finance/Bills"}, headers=csrf(page, base))
        assert answer.status == 201, answer.text()
        page.goto(base + "/library")
        page.get_by_role("button", name="이름 바꾸기/이동 Finance/Bills").click()
        form = page.get_by_test_id("move-category")
        form.get_by_label("Finance/Bills의 새 경로").fill("Finance/Invoices")
        form.get_by_role("button", name="이동").click()
        expect(page.locator(".toasts")).to_contain_text("“Finance/Bills”이(가) 이제 “Finance/Invoices”입니다.")
        expect(page.get_by_role("link", name="Invoices", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="Bills", exact=True)).to_have_count(0)
        assert watched.take() == []
    finally:
        context.close()


def test_search_says_what_is_not_yet_embedded(stack: Stack, database: Database, chromium: PwBrowser) -> None:
    """A hit whose document still waits for its vectors is marked as found by words only, in both languages."""
    seeded = seed(database)
    text = "Hello team, the budget meeting moves to Friday."
    with database.transaction() as session:  # indexed for words, its embed row still pending: direct SQL seeds it
        session.execute(
            sa.text(
                "INSERT INTO chunks (document_id, ordinal, heading, text, tsv, embedding, model) "
                "VALUES (:d, 0, NULL, :t, CAST(:tsv AS tsvector), NULL, 'fulltext')"
            ),
            {"d": seeded.recording, "t": text, "tsv": tsvector_literal([("Team meeting", "A"), (text, "D")])},
        )
        session.execute(
            sa.text(
                "INSERT INTO processing_queue (document_id, stage, status, attempts) "
                "VALUES (:d, CAST('embed' AS process_stage), CAST('pending' AS queue_status), 0)"
            ),
            {"d": seeded.recording},
        )
    expect.set_options(timeout=20_000)
    for accept, badge in (("en-US", "not yet embedded"), ("ko-KR", "아직 임베딩 전")):
        context = chromium.new_context(viewport=SIZES["desktop"], locale=accept)
        context.set_default_timeout(20_000)
        page = context.new_page()
        watched = Watched(page)
        try:
            login(page, stack.base_url)
            page.goto(stack.base_url + "/search?q=Friday&mode=fulltext")
            hits = page.get_by_test_id("search-results").locator("li")
            expect(hits).to_have_count(1)
            expect(hits.first).to_contain_text("Team meeting")
            expect(hits.first.get_by_test_id("not-embedded")).to_contain_text(badge)
            expect(page.get_by_test_id("search-no-match")).to_have_count(0)
            assert watched.take() == []
        finally:
            context.close()
