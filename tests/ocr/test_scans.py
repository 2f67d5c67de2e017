"""Scans and photos made here, through the real pipeline (ingest → extract → markdown → preview, thumbnail,
embed) with a real worker and its sandboxed converter process: character error rates, turned and skewed
pages, a mixed PDF, the searchable copy, the API, search by a word printed only on a scan, and re-reading
with other languages. One worker run serves the module."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.cli.main import app as cli
from tests.api.conftest import make_account
from tests.helpers import run_worker_until_idle
from tests.ocr import scans
from tests.ocr.conftest import OcrEnv, make_env
from tests.stages.conftest import document_rows, page_rows, queue_rows

if TYPE_CHECKING:
    from tests.pg import TestServer

STAGES = ["extract", "markdown", "thumbnail", "preview", "index", "embed"]
MAX_CER = {"en": 0.05, "ko": 0.15}
MIXED_TEXT = ["Minutes of the board meeting", "The text layer of this page is born digital.", "Item 7: budget 2025"]


@dataclass
class Case:
    name: str
    pages: list[scans.Scan]

    @property
    def script(self) -> str:
        return "ko" if any(p.script == "ko" for p in self.pages) else "en"

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)


def cases() -> dict[str, Case]:
    letter = scans.page(scans.ENGLISH_LETTER, "en")
    invoice = scans.page(scans.ENGLISH_INVOICE, "en")
    receipt = scans.page(scans.KOREAN_RECEIPT, "ko")
    notice = scans.page(scans.KOREAN_NOTICE, "ko")
    made = [
        Case("letter.png", [scans.degrade(letter, blur=0.6, noise=0.002)]),
        Case("receipt_photo.jpg", [scans.degrade(receipt, photo=True, blur=0.8, skew_deg=1.5)]),
        Case("invoice_turned.png", [scans.degrade(invoice, quarter_turns=1)]),
        Case(
            "notice.tiff",
            [
                scans.degrade(notice, blur=0.6, noise=0.002, skew_deg=-2.0),
                scans.degrade(invoice, skew_deg=3.0, blur=0.5),
            ],
        ),
        Case("scan.pdf", [scans.degrade(notice, quarter_turns=2), scans.degrade(letter, skew_deg=-2.0, blur=0.8)]),
    ]
    return {c.name: c for c in made}


@dataclass
class Run:
    env: OcrEnv
    cases: dict[str, Case]
    ids: dict[str, int]
    documents: dict[int, dict]
    queue: dict[tuple[int, str], dict]

    def doc(self, name: str) -> dict:
        return self.documents[self.ids[name]]

    def pages(self, name: str) -> list[dict]:
        return page_rows(self.env.database, self.ids[name])

    def refresh(self) -> None:
        self.documents = document_rows(self.env.database)
        self.queue = queue_rows(self.env.database)


def _write(env: OcrEnv, made: dict[str, Case]) -> dict[str, int]:
    ids = {}
    for name, case in made.items():
        path = env.files / name
        if name.endswith(".png"):
            scans.save_png(case.pages[0], path)
        elif name.endswith(".jpg"):
            scans.save_jpeg(case.pages[0], path)
        elif name.endswith(".tiff"):
            scans.save_tiff(case.pages, path)
        else:
            scans.image_pdf(case.pages, path)
        ids[name] = env.ingest(path)
    ids["mixed.pdf"] = env.ingest(
        scans.mixed_pdf(MIXED_TEXT, scans.page(scans.ENGLISH_INVOICE), env.files / "mixed.pdf")
    )
    smudge = scans.degrade(scans.page(scans.ENGLISH_LETTER, font_px=14), blur=1.8, noise=0.01)
    ids["smudge.png"] = env.ingest(scans.save_png(smudge, env.files / "smudge.png"))
    return ids


@pytest.fixture(scope="module")
def run(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with make_env(pg_server, tmp_path_factory) as env:
        made = cases()
        ids = _write(env, made)
        run_worker_until_idle(env.database, env.settings, stages=STAGES, timeout=600)
        result = Run(env, made, ids, {}, {})
        result.refresh()
        yield result


@pytest.mark.parametrize("name", sorted(cases()))
def test_character_error_rate(run: Run, name: str) -> None:
    case, doc = run.cases[name], run.doc(name)
    assert run.queue[(run.ids[name], "markdown")]["status"] == "completed", run.queue[(run.ids[name], "markdown")]
    cer = scans.char_error_rate(doc["markdown"], case.text, case.script)
    assert cer <= MAX_CER[case.script], (name, cer, doc["markdown"])
    pages = run.pages(name)
    assert [p["source"] for p in pages] == ["ocr"] * len(case.pages), pages
    assert all(p["languages"] == "kor+eng" and p["confidence"] >= 60 for p in pages), pages


def test_detected_language_is_stored(run: Run) -> None:
    assert run.doc("receipt_photo.jpg")["language"] == "ko"
    assert run.doc("letter.png")["language"] == "en"


def test_turned_and_skewed_pages_are_read_upright(run: Run) -> None:
    assert [p["rotation"] for p in run.pages("invoice_turned.png")] in ([90], [270])
    assert [p["rotation"] for p in run.pages("scan.pdf")] == [180, 0]
    assert "Northwind Stationery" in run.doc("invoice_turned.png")["markdown"]
    assert "Jonathan Whitfield" in run.doc("scan.pdf")["markdown"]


def test_mixed_pdf_keeps_its_text_layer_and_reads_the_scan(run: Run) -> None:
    doc = run.doc("mixed.pdf")
    layer, scanned = doc["markdown"].split("\n\n", 1)
    assert layer == "\n".join(MIXED_TEXT)  # the born-digital page exactly as its text layer says
    assert scans.char_error_rate(scanned, "\n".join(scans.ENGLISH_INVOICE)) <= MAX_CER["en"]
    assert [p["source"] for p in run.pages("mixed.pdf")] == ["layer", "ocr"]
    copy = run.env.settings.data_dir / doc["searchable_pdf_path"]
    pdf = pdfium.PdfDocument(str(copy))
    try:
        first, second = (pdf[i].get_textpage().get_text_bounded() for i in range(2))
    finally:
        pdf.close()
    assert first.replace("\r\n", "\n").strip() == "\n".join(MIXED_TEXT)  # no second layer over the digital page
    assert "Northwind Stationery" in second


def test_searchable_copy_and_untouched_original(run: Run) -> None:
    doc = run.doc("scan.pdf")
    original = run.env.settings.files_dir / doc["storage_path"]
    assert hashlib.sha256(original.read_bytes()).hexdigest() == doc["sha256"]
    copy = run.env.settings.data_dir / doc["searchable_pdf_path"]
    pdf = pdfium.PdfDocument(str(copy))
    try:
        assert len(pdf) == 2
        text = pdf[1].get_textpage().get_text_bounded()
        # the layer lies over the words: the word's box on the page holds its text
        search = pdf[1].get_textpage().search("Whitfield")
        assert search.get_next() is not None
    finally:
        pdf.close()
    assert "Harbour Street" in text
    assert run.doc("letter.png")["searchable_pdf_path"] is None  # images are not PDFs: no copy


def test_low_confidence_is_flagged(run: Run) -> None:
    pages = run.pages("smudge.png")
    assert pages[0]["source"] == "ocr" and pages[0]["confidence"] < 60, pages


def test_api_detail_downloads_and_preview(run: Run) -> None:
    with run.env.active():
        account = make_account(run.env.database, "ocr-reader")
        with TestClient(create_app()) as client:
            client.headers.update(account.headers)
            detail = client.get(f"/api/documents/{run.ids['scan.pdf']}").json()
            assert detail["has_searchable_pdf"] is True
            assert [p["source"] for p in detail["pages"]] == ["ocr", "ocr"]
            assert detail["ocr"]["languages"] == "kor+eng" and detail["ocr"]["pages_read"] == 2
            assert detail["ocr"]["low_confidence_pages"] == [] and detail["ocr"]["threshold"] == 60.0
            download = client.get(f"/api/documents/{run.ids['scan.pdf']}/searchable-pdf")
            assert download.status_code == 200 and download.headers["content-type"] == "application/pdf"
            assert 'filename="scan.searchable.pdf"' in download.headers["content-disposition"]
            preview = client.get(f"/api/documents/{run.ids['scan.pdf']}/preview")
            assert preview.content == download.content  # the searchable copy is the preview
            smudge = client.get(f"/api/documents/{run.ids['smudge.png']}").json()
            assert smudge["ocr"]["low_confidence_pages"] == [1] and smudge["pages"][0]["low_confidence"] is True
            missing = client.get(f"/api/documents/{run.ids['letter.png']}/searchable-pdf")
            assert missing.status_code == 404 and missing.json()["error"]["code"] == "no_searchable_pdf"
            assert missing.json()["error"]["hint"]


def test_words_printed_only_on_scans_are_found(run: Run) -> None:
    with run.env.active():
        result = CliRunner().invoke(cli, ["search", "Whitfield", "--json", "--mode", "fulltext"])
        assert result.exit_code == 0, result.output
        hits = [h["document_id"] for h in json.loads(result.output.strip().splitlines()[-1])["hits"]]
        assert run.ids["letter.png"] in hits and run.ids["scan.pdf"] in hits
        account = make_account(run.env.database, "ocr-searcher")
        with TestClient(create_app()) as client:
            client.headers.update(account.headers)
            body = client.get("/api/search", params={"q": "행복마트", "mode": "fulltext"}).json()
            assert body["hits"][0]["document_id"] == run.ids["receipt_photo.jpg"], body
            body = client.get("/api/search", params={"q": "Northwind Stationery"}).json()
            assert run.ids["invoice_turned.png"] in [h["document_id"] for h in body["hits"]], body


def test_reprocess_from_markdown_reads_again_with_other_languages(run: Run) -> None:
    document = run.ids["letter.png"]
    with run.env.active(ocr_languages="eng"):
        result = CliRunner().invoke(cli, ["reprocess", str(document), "--from", "markdown"])
        assert result.exit_code == 0 and "markdown" in result.output, result.output
    settings = run.env.settings.model_copy(update={"ocr_languages": "eng"})
    run_worker_until_idle(run.env.database, settings, stages=["markdown"], timeout=300)
    pages = page_rows(run.env.database, document)
    assert [p["languages"] for p in pages] == ["eng"]
    run.refresh()
    assert scans.char_error_rate(run.doc("letter.png")["markdown"], run.cases["letter.png"].text) <= MAX_CER["en"]
