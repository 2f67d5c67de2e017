"""A DOCX's page count on the document is the count of its preview's pages: Word stores the page count of
its last save in docProps/app.xml, which LibreOffice's layout (the preview the reader sees) can differ from."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from docmill.convert import libreoffice, previews
from docmill.convert.formats import ooxml
from docmill.convert.types import Options, Preview, PreviewJob, Source
from docmill.stages.preview import PreviewStage

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/app.xml"
 ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
<Relationship Id="rId2" Target="docProps/app.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"/>
</Relationships>"""
APP = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">
<Pages>{pages}</Pages><Words>12</Words></Properties>"""


def write_docx(path: Path, *, pages: int, stored_pages: int) -> None:
    """A DOCX of `pages` pages (hard page breaks) whose app.xml claims `stored_pages`."""
    paragraphs = []
    for n in range(1, pages + 1):
        brk = '<w:r><w:br w:type="page"/></w:r>' if n < pages else ""
        paragraphs.append(f"<w:p><w:r><w:t>Page {n} of the report.</w:t></w:r>{brk}</w:p>")
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}">'
        f"<w:body>{''.join(paragraphs)}</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("word/document.xml", body)
        z.writestr("docProps/app.xml", APP.format(pages=stored_pages))


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_preview_stage_takes_the_page_count_of_the_preview(tmp_path: Path) -> None:
    soffice = libreoffice.find_soffice(None)
    if soffice is None:
        pytest.fail("LibreOffice is not installed: install libreoffice-writer-nogui (scripts/apt-test.txt)")
    path = tmp_path / "report.docx"
    write_docx(path, pages=3, stored_pages=2)
    source = Source(str(path), "docx", DOCX, "report.docx", Options(soffice))
    assert ooxml.metadata(source).fields["page_count"] == 2  # what Word's statistics claim

    preview = previews.office_pdf(PreviewJob(source, str(tmp_path / "derived"), "derived", None))
    assert preview.media_type == "application/pdf"
    assert preview.page_count == 3

    document = SimpleNamespace(page_count=2, warnings=[])
    PreviewStage().store(None, None, document, preview)  # type: ignore[arg-type]
    assert document.page_count == 3


def test_a_preview_without_pages_keeps_the_documents_count() -> None:
    document = SimpleNamespace(page_count=5, warnings=[])
    PreviewStage().store(None, None, document, Preview("x/preview.html", "text/html"))  # type: ignore[arg-type]
    assert document.page_count == 5
