"""A format added in a test — one module's worth of declarations, registered with the table — is picked up by
detection (ingest), conversion (the markdown stage), metadata (extract) and preview, through a real worker,
with no other file changed."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from docmill.config import Settings
from docmill.convert import previews, table
from docmill.convert.types import Converted, Family, Format, Metadata, Preview, PreviewJob, Probe, Source
from docmill.db.engine import Database
from docmill.ingest.service import ingest_path
from docmill.kinds import DocumentKind
from docmill.stages import extract, markdown, preview, thumbnail
from tests.helpers import run_worker_until_idle
from tests.stages.conftest import document_rows, queue_rows

# ---- the toy format module: "TOY1" files, a title line and then body lines --------------------------------

MAGIC = b"TOY1\n"


def sniff(probe: Probe) -> bool:
    return probe.head.startswith(MAGIC)


def _lines(src: Source) -> list[str]:
    return Path(src.path).read_bytes()[len(MAGIC) :].decode("utf-8").splitlines()


def to_markdown(src: Source) -> Converted:
    title, *body = _lines(src)
    return Converted(f"# {title}\n\n" + "\n\n".join(body), title)


def metadata(src: Source) -> Metadata:
    title, *body = _lines(src)
    return Metadata({"title": title, "lines": len(body)})


def to_preview(job: PreviewJob) -> Preview:
    title, *body = _lines(job.source)
    page = "<h1>" + html.escape(title) + "</h1>" + "".join(f"<p>{html.escape(line)}</p>" for line in body)
    return previews.write_html(job, page)


TOY = Family(
    "toy",
    (
        Format(
            "application/x-docmill-toy",
            DocumentKind.DOCUMENT,
            "toy",
            sniff,
            order=5,
            markdown=to_markdown,
            metadata=metadata,
            preview=to_preview,
        ),
    ),
)

# ---- the test ------------------------------------------------------------------------------------------


@pytest.fixture
def toy_format() -> Iterator[Family]:
    table.register(TOY)
    try:
        yield TOY
    finally:
        table.unregister(TOY)


def test_a_new_format_module_is_used_everywhere(
    toy_format: Family, database: Database, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "notes.toy"
    path.write_bytes(MAGIC + b"Toy title\nfirst line of the toy\nsecond line")
    assert table.detect_file(path).media_type == "application/x-docmill-toy"
    result = ingest_path(database, path, settings=settings)
    assert result.status == "added" and result.document_id is not None
    # the stages run in this process (the test's registration is not in a sandbox child)
    handlers = {"extract": extract.handler, "markdown": markdown.handler, "preview": preview.handler}
    handlers["thumbnail"] = thumbnail.handler
    run_worker_until_idle(database, settings, stages=list(handlers), handlers=handlers, timeout=120)
    doc = document_rows(database)[result.document_id]
    assert doc["kind"] == "document" and doc["media_type"] == "application/x-docmill-toy"
    assert doc["title"] == "Toy title" and doc["metadata"]["lines"] == 2
    assert doc["markdown"] == "# Toy title\n\nfirst line of the toy\n\nsecond line\n"
    assert doc["preview_media_type"] == "text/html"
    page = (settings.data_dir / doc["preview_path"]).read_text("utf-8")
    assert "<h1>Toy title</h1>" in page and "second line" in page
    rows = queue_rows(database)
    assert rows[(result.document_id, "thumbnail")]["note"] == "no thumbnail for document documents"
    # gone again once unregistered: the table is the only place that knows the format
    table.unregister(TOY)
    assert table.format_for("application/x-docmill-toy") is None
    assert table.detect_file(path).kind == DocumentKind.TEXT
