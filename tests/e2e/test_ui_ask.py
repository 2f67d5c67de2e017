"""The Ask page in Chromium: ask, watch the answer stream in, click a citation, land on the highlighted passage;
then the same question offline (no LLM), answered by quoting the document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from docmill.config import Settings
from docmill.db.engine import Database
from tests.ai.llm_server import FakeLLM, Reply, fake_llm_server
from tests.ask.ask_data import DOCS
from tests.ask.test_llm import passage_of
from tests.e2e.test_ui import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.test_ui_pages import login
from tests.e2e.ui_stack import STATIC_INDEX, Stack, stack_env
from tests.helpers import run_worker_until_idle
from tests.search.conftest import add_document

KEYS = ("en_plumber", "ko_boiler", "en_internet", "en_dentist")


@pytest.fixture
def archive(database: Database, settings: Settings) -> dict[str, int]:
    ids = {key: add_document(database, f"ui-{key}", *DOCS[key]) for key in KEYS}
    run_worker_until_idle(database, settings, stages=["embed"], timeout=240)
    return ids


@pytest.fixture
def fake() -> Iterator[FakeLLM]:
    with fake_llm_server() as server:
        yield server


def _stack(database: Database, settings: Settings, tmp_path: Path, name: str, **extra: str) -> Stack:
    if not STATIC_INDEX.exists() or not Path(CHROMIUM).exists():
        pytest.fail("build the UI (npm run build in frontend/) and install Debian's chromium package")
    env = stack_env(database.url, settings.data_dir) | extra
    logs = tmp_path / name
    logs.mkdir()
    return Stack(env, logs=logs, worker=False)


def test_ask_streams_and_a_citation_opens_the_highlighted_passage(
    database: Database, settings: Settings, tmp_path: Path, archive: dict[str, int], fake: FakeLLM
) -> None:
    fake.reply = lambda body: (
        Reply(content="NOT FOUND")
        if "tools" not in body
        else Reply(stream=["The plumber ", "charged ", "$240 ", f"[{passage_of(body, '$240')}]."], stream_delay_s=0.4)
    )
    stack = _stack(database, settings, tmp_path, "llm", DOCMILL_LLM_URL=fake.url, DOCMILL_LLM_MODEL="test-model")
    stack.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            login(page, stack.base_url)
            page.locator("nav a[href='/ask']").click()
            expect(page.locator("h1")).to_have_text("Ask")
            page.locator("#ask-input").fill("what did the plumber charge?")
            page.locator("form.ask button[type=submit]").click()
            answer = page.locator("[data-testid=ask-answer]").first
            expect(answer).to_contain_text("The plumber")  # the first chunks, while the rest is still coming
            streaming = answer.inner_text()
            expect(answer).to_contain_text("$240")
            assert "$240" not in streaming, f"the answer arrived all at once: {streaming!r}"
            citation = page.locator("[data-testid=ask-citation]").first
            expect(citation).to_have_text("Plumbing repair invoice")
            citation.click()
            mark = page.locator("[data-testid=ask-passage] mark#quote")
            expect(mark).to_contain_text("$240")
            expect(mark).to_be_in_viewport()
            page.go_back()
            expect(page.locator("h1")).to_have_text("Ask")
            browser.close()
    finally:
        stack.stop()


def test_ask_offline_quotes_the_document(
    database: Database, settings: Settings, tmp_path: Path, archive: dict[str, int]
) -> None:
    stack = _stack(database, settings, tmp_path, "offline")
    stack.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            login(page, stack.base_url)
            page.goto(stack.base_url + "/ask")
            page.locator("#ask-input").fill("보일러 점검은 언제 받았지?")
            page.locator("form.ask button[type=submit]").click()
            expect(page.locator("[data-testid=ask-answer]").first).to_contain_text("10월 15일")
            expect(page.get_by_text("Quoted from your documents (offline answer)")).to_be_visible()
            page.locator("[data-testid=ask-citation]").first.click()
            expect(page.locator("[data-testid=ask-passage] mark#quote")).to_contain_text("10월 15일")
            page.goto(stack.base_url + "/ask")
            expect(page.locator(".threads button.link").first).to_have_text("보일러 점검은 언제 받았지?")
            browser.close()
    finally:
        stack.stop()
