"""Hostile and broken input, built here: each ends as a failed row with a readable reason or a completed
row with a warning; the good documents beside them are processed normally and the worker keeps going."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from docmill.ingest.service import IngestResult, ingest_path
from tests.helpers import run_worker_until_idle
from tests.samples import Samples, documents
from tests.stages.conftest import Env, document_rows, queue_rows

CONTENT_STAGES = ["extract", "markdown", "thumbnail", "preview"]
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n' for i in range(1, 10)
    )
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def png_bomb(width: int = 40_000, height: int = 40_000) -> bytes:
    """A valid PNG header declaring 1.6 gigapixels, with a tiny compressed body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * (width // 8)
    body = zlib.compress(row * 64, 9)
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def zip_bomb() -> bytes:
    """A zip whose one member inflates 64 MiB of zeros from about 64 KiB (ratio ~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, zf.open("zeros.txt", "w") as m:
        block = b"\x00" * (1 << 20)
        for _ in range(64):
            m.write(block)
    return buffer.getvalue()


def docx_with(document_xml: str) -> bytes:
    """The generated report.docx (tests/samples) with its main part replaced."""
    out = io.BytesIO()
    source = io.BytesIO(documents.docx_bytes())
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = document_xml.encode() if item.filename == "word/document.xml" else src.read(item)
            dst.writestr(item, data)
    return out.getvalue()


DOCX_BODY = (
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>"
)


def hostile_files(samples: Samples) -> dict[str, bytes]:
    pdf = (samples / "pdf/report.pdf").read_bytes()
    return {
        "bomb.png": png_bomb(),
        "bomb.zip": zip_bomb(),
        "laughs.docx": docx_with(BILLION_LAUGHS + DOCX_BODY.format("&lol9;").replace('<?xml version="1.0"?>', "")),
        "xxe.docx": docx_with(XXE + DOCX_BODY.format("&xxe;")),
        "laughs.svg": (BILLION_LAUGHS + '<svg xmlns="http://www.w3.org/2000/svg"><text>&lol9;</text></svg>').encode(),
        "xxe.svg": (XXE + '<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>').encode(),
        "truncated.pdf": pdf[: len(pdf) * 2 // 3],
        "corrupt.pdf": b"%PDF-1.7\n" + os.urandom(20_000),
        "random.pdf": b"\x8f\x01" + os.urandom(30_000),
        "huge-line.txt": b"lorem ipsum " * (50 * 1024 * 1024 // 12),
        "empty.pdf": b"",
        "bad-utf8.txt": "Grüße aus Köln, naïve café text. ".encode() * 20 + b"\xff\xfe\xc3(" + b" more text\n",
    }


@dataclass
class Run:
    env: Env
    ingested: dict[str, IngestResult]
    control: dict[str, IngestResult]
    documents: dict[int, dict]
    queue: dict[tuple[int, str], dict]

    def rows(self, name: str) -> dict[str, dict]:
        return self.rows_of(self.ingested[name].document_id)

    def rows_of(self, doc_id: int | None) -> dict[str, dict]:
        """This document's rows for the content stages (later stages are not run here)."""
        return {stage: row for (d, stage), row in self.queue.items() if d == doc_id and stage in CONTENT_STAGES}


@pytest.fixture(scope="module")
def run(module_env: Env, samples: Samples, tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("hostile")
    ingested = {}
    for name, data in hostile_files(samples).items():
        (folder / name).write_bytes(data)
        ingested[name] = ingest_path(module_env.database, folder / name, settings=module_env.settings)
    control = {
        rel: ingest_path(module_env.database, samples / rel, settings=module_env.settings)
        for rel in ("pdf/report.pdf", "jpg/photo.jpg", "html/page.html")
    }
    worker = run_worker_until_idle(module_env.database, module_env.settings, stages=CONTENT_STAGES, timeout=240)
    assert worker.processed > 0
    return Run(module_env, ingested, control, document_rows(module_env.database), queue_rows(module_env.database))


def _ended_well(run: Run, name: str) -> tuple[list[dict], list[str]]:
    """Rows that failed (each with a reason) and the document's warnings; nothing left pending or running."""
    rows = run.rows(name)
    assert rows, f"{name}: no queue rows"
    for stage, row in rows.items():
        assert row["status"] in ("completed", "failed"), f"{name} {stage}: {row}"
    failed = [row for row in rows.values() if row["status"] == "failed"]
    for row in failed:
        assert row["error"] and len(row["error"]) > 15, f"{name}: unreadable reason {row['error']!r}"
        assert "Traceback" not in row["error"]
    warnings = run.documents[run.ingested[name].document_id]["warnings"]
    assert failed or warnings, f"{name}: neither a failed row nor a warning"
    return failed, warnings


@pytest.mark.parametrize(
    "name,reason",
    [
        ("bomb.png", "megapixels"),
        ("bomb.zip", "zip bomb"),
        ("laughs.docx", "DTD or entities"),
        ("xxe.docx", "DTD or entities"),
        ("laughs.svg", "declares entities"),
        ("xxe.svg", "declares entities"),
        ("corrupt.pdf", "cannot be opened"),
        ("empty.pdf", "the file is empty (0 bytes)"),
    ],
)
def test_refused_with_a_reason(run: Run, name: str, reason: str) -> None:
    assert run.ingested[name].status == "added"
    failed, _ = _ended_well(run, name)
    extract = run.rows(name)["extract"]
    assert extract["status"] == "failed" and reason in extract["error"], extract
    assert extract["attempts"] == 1, "a permanent failure is not retried"
    assert len(failed) == 1 and set(run.rows(name)) == {"extract"}, "nothing runs after a refused file"


def test_xxe_never_leaks_local_files(run: Run) -> None:
    for document in run.documents.values():
        assert "root:x:" not in (document["markdown"] or "")


def test_truncated_pdf_completes_with_a_warning(run: Run) -> None:
    failed, warnings = _ended_well(run, "truncated.pdf")
    if not failed:
        assert any("truncated" in w for w in warnings), warnings


def test_random_bytes_named_pdf_stay_unknown(run: Run) -> None:
    document = run.documents[run.ingested["random.pdf"].document_id]
    assert document["kind"] == "unknown" and document["media_type"] == "application/octet-stream"
    failed, warnings = _ended_well(run, "random.pdf")
    assert not failed and any("although the name ends in .pdf" in w for w in warnings)
    assert document["markdown"] == "" and "unsupported format" in document["markdown_note"]


def test_huge_single_line_text_is_cut_with_a_warning(run: Run) -> None:
    failed, warnings = _ended_well(run, "huge-line.txt")
    assert not failed
    document = run.documents[run.ingested["huge-line.txt"].document_id]
    assert 1_000_000 < len(document["markdown"]) <= 5_000_001
    assert any("markdown: " in w for w in warnings), warnings


def test_invalid_utf8_is_decoded_with_a_warning(run: Run) -> None:
    failed, warnings = _ended_well(run, "bad-utf8.txt")
    assert not failed
    document = run.documents[run.ingested["bad-utf8.txt"].document_id]
    assert "Grüße aus Köln" in document["markdown"] and "more text" in document["markdown"]
    assert any("invalid byte sequence" in w for w in warnings), warnings


def test_path_tricks_in_the_name_are_neutralised(module_env: Env, tmp_path: Path) -> None:
    source = tmp_path / "plain.txt"
    source.write_text("a perfectly ordinary note about tricky names\n")
    result = ingest_path(
        module_env.database, source, original_name="../../etc/\x00pass\x00wd.txt", settings=module_env.settings
    )
    assert result.status == "added" and result.original_name == "passwd.txt"
    documents = document_rows(module_env.database)
    stored = documents[result.document_id]
    assert stored["original_name"] == "passwd.txt"
    assert stored["storage_path"] == f"{stored['sha256'][:2]}/{stored['sha256']}"
    assert not (module_env.settings.data_dir.parent / "etc").exists()


def test_good_documents_beside_them_are_processed(run: Run) -> None:
    for rel, result in run.control.items():
        rows = run.rows_of(result.document_id)
        assert rows and all(r["status"] == "completed" for r in rows.values()), (rel, rows)
        assert run.documents[result.document_id]["markdown"], rel
