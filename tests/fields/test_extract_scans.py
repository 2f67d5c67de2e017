"""Extraction from scans: generated Korean and English bills, invoices and letters rendered to images (Nanum
Gothic / DejaVu Sans, slightly skewed and blurred), ingested, read by the real OCR pipeline (the markdown
stage) and classified; the amount and due date suggested must be right for >= 90% of them."""

from __future__ import annotations

from pathlib import Path

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields import service, suggestions
from docmill.fields.service import FieldDefinition
from docmill.fields.types import FieldType
from docmill.ingest.service import ingest_path
from docmill.models import Document
from tests.fields.bills import bills
from tests.fields.test_extract import score
from tests.helpers import run_worker_until_idle
from tests.ocr import scans

A4 = (int(8.27 * scans.DPI), int(11.69 * scans.DPI))
STAGES = ["extract", "markdown", "index", "classify"]


def test_scanned_bills_amount_and_due_date(database: Database, settings: Settings, tmp_path: Path) -> None:
    with database.transaction() as session:
        for name, type_, hint in (
            ("Amount", FieldType.MONEY, "the total amount to pay"),
            ("Due date", FieldType.DATE, "the due date"),
        ):
            service.create_field(session, FieldDefinition(name=name, type=type_, extraction_hint=hint))
    documents = bills(per_layout=1, seed=7) + bills(per_layout=1, seed=8)  # 20: every layout twice
    ids = []
    for i, bill in enumerate(documents):
        scan = scans.degrade(
            scans.page(bill.lines, bill.script, size=A4, font_px=40), skew_deg=(-1) ** i * 1.0, blur=0.4
        )
        result = ingest_path(database, scans.save_png(scan, tmp_path / f"bill-{i}.png"), settings=settings)
        assert result.document_id is not None, result
        ids.append(result.document_id)
    run_worker_until_idle(database, settings, stages=STAGES, timeout=900)

    found, texts = [], {}
    with database.session() as session:
        pending, _ = suggestions.list_pending(session, document_ids=ids, limit=500)
        for doc_id in ids:
            found.append({s.field_slug: s.value for s in pending if s.document_id == doc_id})
            doc = session.get(Document, doc_id)
            texts[doc_id] = (doc.markdown or "") if doc else ""
    assert all(texts.values()), "every scan was read by OCR"
    accuracy, table = score(documents, found)
    read = "\n\n".join(f"--- {b.name}\n{texts[i]}" for b, i in zip(documents, ids, strict=True))
    assert accuracy >= 0.9, f"amount and due date right for {accuracy:.0%} of the scans\n{table}\n{read}"
