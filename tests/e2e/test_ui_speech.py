"""A Korean voice memo in the web UI: Chromium against a real api, worker, STT service (tiny.en) and database.

The user uploads espeak-ng Korean speech, opens the document and reads that the English-only model cannot
read it and what to do; asking for Korean is refused with the fix (the service reads English only), asking
for English queues the recording again. The screenshot goes to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from docmill.config import Settings
from docmill.db.engine import Database
from tests.e2e.ui_stack import ADMIN_PASSWORD, ADMIN_USER, REPO, STATIC_INDEX, Stack, stack_env
from tests.stt.conftest import KOREAN, SttProcess

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


def korean_memo(folder: Path) -> Path:
    raw, out = folder / "raw.wav", folder / "korean-memo.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "150", "-w", str(raw), KOREAN], check=True, timeout=60)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(raw), "-ac", "1", "-ar", "16000", str(out)],
        check=True,
        timeout=60,
    )
    return out


@pytest.fixture
def speech_stack(database: Database, settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing; install it (scripts/apt-test.txt lists it)")
    if not STATIC_INDEX.is_file() or not Path(CHROMIUM).exists():
        pytest.fail("build the web UI (npm run build in frontend/) and install Debian's chromium first")
    stt = SttProcess(tmp_path / "stt.log", env={"STT_PRELOAD": "1"}).start()
    env = stack_env(database.url, settings.data_dir)
    env["DOCMILL_STT_URL"] = stt.url
    stack = Stack(env, logs=tmp_path)
    try:
        stt.wait_ready()
        stack.start()
        yield stack
    finally:
        stack.stop()
        stt.stop()


def test_a_korean_voice_memo_is_explained_and_can_be_transcribed_again(speech_stack: Stack, tmp_path: Path) -> None:
    memo = korean_memo(tmp_path)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            expect.set_options(timeout=30_000)

            page.goto(speech_stack.base_url + "/login")
            page.locator("input[name=username]").fill(ADMIN_USER)
            page.locator("input[name=password]").fill(ADMIN_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

            page.goto(speech_stack.base_url + "/documents")
            page.locator("[data-testid=upload-input]").set_input_files(str(memo))
            item = page.locator("[data-testid=upload-item]")
            expect(item).to_have_attribute("data-status", "added")
            item.get_by_role("link", name=memo.name).click()
            expect(page).to_have_url(re.compile(r"/documents/\d+$"))

            card = page.locator("[data-testid=recording-language]")
            expect(card).to_contain_text("does not look like English", timeout=120_000)
            expect(card).to_contain_text("not used for summaries, tags or search")
            expect(card.locator(".badge", has_text="not English")).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "speech-01-korean-memo.png"), full_page=True)

            card.get_by_label("Language").select_option("ko")
            card.get_by_role("button", name="Transcribe again").click()
            expect(page.locator(".toasts")).to_contain_text("reads English only")
            expect(page.locator(".toasts")).to_contain_text("multilingual-stt")

            card.get_by_label("Language").select_option("en")
            card.get_by_role("button", name="Transcribe again").click()
            expect(page.locator(".toasts")).to_contain_text("Transcribing again as English")
            page.screenshot(path=str(SCREENSHOTS / "speech-02-transcribe-again.png"), full_page=True)
        finally:
            chromium.close()
    speech_stack.check_alive()
    unexpected = [e for e in errors if "409" not in e]  # the refused language is the one error response
    assert not unexpected, unexpected
