"""Hostile and broken scans, built here: a pixel flood, a zero-size image, a truncated multi-page TIFF and a
2000-page image PDF. Each fails its own row with a readable reason or is cut with a warning; a good scan
beside them is read, and the worker keeps going. One worker run serves the module."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
from PIL import Image, ImageDraw

from docmill.convert import dispatch, ocrpages
from docmill.convert.types import OcrOptions, Options
from tests.helpers import run_worker_until_idle
from tests.ocr import scans
from tests.ocr.conftest import OcrEnv, make_env
from tests.stages.conftest import document_rows, page_rows, queue_rows

if TYPE_CHECKING:
    from tests.pg import TestServer

STAGES = ["extract", "markdown", "thumbnail", "preview"]
MAX_PAGES = 3


def png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header declares width × height (a zero-size one is invalid by the standard)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def pixel_flood_tiff(path) -> None:  # type: ignore[no-untyped-def]
    """A real 20000×20000 bilevel TIFF (400 megapixels), CCITT G4 compressed to a few kilobytes."""
    image = Image.new("1", (20_000, 20_000), 1)
    ImageDraw.Draw(image).rectangle((100, 100, 400, 400), fill=0)
    image.save(path, "TIFF", compression="group4")


def many_page_pdf(path, pages: int = 2000) -> None:  # type: ignore[no-untyped-def]
    """An image-only PDF of `pages` small pages, each with a line of text."""
    face = scans.font("en", 20)
    images = []
    for number in range(1, pages + 1):
        image = Image.new("L", (300, 80), 255)
        ImageDraw.Draw(image).text((10, 25), f"Page number {number}", fill=0, font=face)
        images.append(image)
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=150.0)


@dataclass
class Run:
    env: OcrEnv
    ids: dict[str, int]
    documents: dict[int, dict]
    queue: dict[tuple[int, str], dict]

    def row(self, name: str, stage: str) -> dict:
        return self.queue[(self.ids[name], stage)]


@pytest.fixture(scope="module")
def run(pg_server: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with make_env(pg_server, tmp_path_factory, ocr_max_pages=MAX_PAGES) as env:
        files = env.files
        pixel_flood_tiff(files / "flood.tiff")
        (files / "zero.png").write_bytes(png_with_size(0, 0))
        pages = [scans.degrade(scans.page(lines, "en"), blur=0.5) for lines in (scans.ENGLISH_LETTER,) * 3]
        scans.save_tiff(pages, files / "full.tiff")
        data = (files / "full.tiff").read_bytes()
        (files / "truncated.tiff").write_bytes(data[: len(data) * 2 // 3])
        many_page_pdf(files / "many.pdf")
        scans.save_png(scans.page(scans.ENGLISH_INVOICE, "en"), files / "good.png")
        ids = {name: env.ingest(files / name) for name in ("flood.tiff", "zero.png", "truncated.tiff", "many.pdf")}
        ids["good.png"] = env.ingest(files / "good.png")  # after the hostile ones: the worker must get to it
        run_worker_until_idle(env.database, env.settings, stages=STAGES, timeout=600)
        yield Run(env, ids, document_rows(env.database), queue_rows(env.database))


def test_pixel_flood_fails_with_the_reason(run: Run) -> None:
    row = run.row("flood.tiff", "extract")
    assert row["status"] == "failed" and "400,000,000 pixels" in row["error"], row
    assert "over the limit of 120 megapixels" in row["error"] and "downscale it" in row["error"], row
    assert (run.ids["flood.tiff"], "markdown") not in run.queue


def test_zero_size_image_fails_with_the_reason(run: Run) -> None:
    row = run.row("zero.png", "extract")
    assert row["status"] == "failed" and "the image" in row["error"] and "—" in row["error"], row


def test_truncated_tiff_keeps_what_it_can_read(run: Run) -> None:
    markdown = run.row("truncated.tiff", "markdown")
    if markdown["status"] == "failed":  # the first page itself is cut: the reason says so
        assert "truncated or corrupt" in markdown["error"], markdown
        return
    doc = run.documents[run.ids["truncated.tiff"]]
    assert "Jonathan Whitfield" in doc["markdown"]
    sources = [p["source"] for p in page_rows(run.env.database, run.ids["truncated.tiff"])]
    assert sources[0] == "ocr" and "failed" in sources, sources
    assert any("cannot be decoded" in w for w in doc["warnings"]), doc["warnings"]


def test_a_2000_page_scan_is_cut_at_the_page_limit_with_a_warning(run: Run) -> None:
    row = run.row("many.pdf", "markdown")
    assert row["status"] == "completed", row
    doc = run.documents[run.ids["many.pdf"]]
    assert doc["page_count"] == 2000
    assert "Page number 1" in doc["markdown"] and "Page number 3" in doc["markdown"]
    assert "Page number 4" not in doc["markdown"]
    warning = f"pages {MAX_PAGES + 1}–2000 were not read by OCR (DOCMILL_OCR_MAX_PAGES is {MAX_PAGES})"
    assert any(warning in w for w in doc["warnings"]), doc["warnings"]
    sources = [p["source"] for p in page_rows(run.env.database, run.ids["many.pdf"])]
    assert sources[:MAX_PAGES] == ["ocr"] * MAX_PAGES and set(sources[MAX_PAGES:]) == {"skipped"}
    assert len(sources) == 2000


def test_the_good_scan_beside_them_is_read_and_nothing_is_left_running(run: Run) -> None:
    assert run.row("good.png", "markdown")["status"] == "completed"
    assert "Northwind Stationery" in run.documents[run.ids["good.png"]]["markdown"]
    with run.env.database.connect() as conn:
        left = conn.execute(
            "SELECT count(*) FROM processing_queue WHERE stage::text = ANY(%s) AND status IN ('pending', 'processing')",
            (STAGES,),
        ).fetchone()[0]
    assert left == 0
    for name in run.ids:  # every hostile file ended its own row: none is waiting for a retry
        assert all(
            r["status"] in ("completed", "failed")
            for (d, s), r in run.queue.items()
            if d == run.ids[name] and s in STAGES
        )


def test_ocr_stops_at_its_time_budget_and_keeps_what_it_read(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The budget runs out once the first page is read, however fast this machine reads it (no race with the clock).
    monkeypatch.setattr(ocrpages._Budget, "remaining", lambda self: 0.5 if self.pages == 0 else 0.0)
    pages = [scans.page(scans.ENGLISH_LETTER, "en"), scans.page(scans.ENGLISH_INVOICE, "en")] * 2
    path = scans.image_pdf(pages, tmp_path / "four.pdf")
    out = dispatch.convert(path, "application/pdf", options=Options(ocr=OcrOptions(time_budget_s=0.5)))
    assert "Jonathan Whitfield" in out.markdown  # page 1 was read within the budget
    assert [p.source.value for p in out.pages] == ["ocr", "skipped", "skipped", "skipped"]
    assert any("pages 2–4 were not read by OCR (OCR used its time budget of 0 s)" in w for w in out.warnings)
