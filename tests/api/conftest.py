"""Fixtures for the api tests: the app on the test database, users, tokens, and real documents in the queue."""

from __future__ import annotations

import functools
import hashlib
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nh3
import pypdfium2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image

from docmill.api.app import create_app
from docmill.auth.passwords import hash_password
from docmill.auth.tokens import create_token
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Category, Document, LibrarySuggestion, User
from docmill.pipeline import queue
from tests.samples import Samples

PASSWORD = "correct horse battery"
WORKER = "api-test-worker"


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@dataclass
class Account:
    id: int
    username: str
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@functools.cache
def password_hash() -> str:
    """One real argon2 hash of PASSWORD for the whole run (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


def make_account(database: Database, username: str = "alice", *, admin: bool = True) -> Account:
    with database.transaction() as session:
        user = User(username=username, password_hash=password_hash(), is_admin=admin)
        session.add(user)
        session.flush()
        token = create_token(session, user, "tests").token
        return Account(user.id, username, PASSWORD, token)


@pytest.fixture
def account(database: Database) -> Account:
    return make_account(database)


@pytest.fixture
def api(client: TestClient, account: Account) -> TestClient:
    """A client that sends the account's API token."""
    client.headers.update(account.headers)
    return client


PDF_MARKDOWN = "# Quarterly Report on Lighthouse Maintenance\n\nThe northern lighthouse lamp was replaced.\n"


@dataclass
class Seeded:
    pdf: int  # extract and markdown done; thumbnail processing; preview, classify… pending
    image: int  # extract done; thumbnail, markdown, preview pending
    audio: int  # extract done, stt pending, transcript stored
    html: int  # extract done; sanitized HTML preview stored
    broken: int  # extract failed for good
    category: str
    files: dict[int, Path]


def _add_document(
    settings: Settings, database: Database, source: Path, name: str, kind: str, media_type: str, **fields
) -> int:
    data = source.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    relative = f"{sha[:2]}/{sha}{source.suffix}"
    target = settings.files_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    with database.transaction() as session:
        doc = Document(
            sha256=sha,
            original_name=name,
            media_type=media_type,
            kind=kind,
            size_bytes=len(data),
            storage_path=relative,
            source="upload",
            **fields,
        )
        session.add(doc)
        session.flush()
        queue.enqueue_entry(session, doc.id, kind)
        return doc.id


def _derived(settings: Settings, sha: str, name: str) -> Path:
    path = settings.data_dir / "derived" / sha[:2] / sha / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def seeded(settings: Settings, database: Database, samples: Samples) -> Seeded:
    """Five generated documents (tests/samples), entered through the queue and moved along by the queue's own
    functions."""
    pdf = _add_document(
        settings, database, samples / "pdf/report.pdf", "test.pdf", "pdf", "application/pdf", title="Test PDF"
    )
    image = _add_document(settings, database, samples / "jpg/photo.jpg", "test.jpg", "image", "image/jpeg")
    audio = _add_document(
        settings, database, samples / "mp3/counting.mp3", "test.mp3", "audio", "audio/mpeg", title="Counting"
    )
    html = _add_document(settings, database, samples / "html/page.html", "test_blog.html", "html", "text/html")
    broken = _add_document(
        settings,
        database,
        samples / "pdf/scan.pdf",
        "RECEIPT-2024-TXN-98765_retail_purchase.pdf",
        "pdf",
        "application/pdf",
    )
    with database.connect() as conn:
        jobs = {j.document_id: j for j in queue.claim(conn, "extract", 10, WORKER, 60)}
        queue.complete(conn, [jobs[d] for d in (pdf, image, audio, html)], WORKER)
        queue.fail(conn, jobs[broken], WORKER, "cannot read the PDF: broken cross-reference table", permanent=True)
        markdown_jobs = queue.claim(conn, "markdown", 10, WORKER, 60)
        queue.complete(conn, [j for j in markdown_jobs if j.document_id == pdf], WORKER)
        queue.release(conn, [j.id for j in markdown_jobs if j.document_id != pdf], WORKER)
        queue.complete(conn, queue.claim(conn, "index", 10, WORKER, 60), WORKER)  # the pdf's: chains the AI stages
        thumbs = queue.claim(conn, "thumbnail", 10, WORKER, 600)
        queue.release(conn, [j.id for j in thumbs if j.document_id != pdf], WORKER)  # the pdf's stays processing
        conn.commit()

    with database.transaction() as session:
        category = Category(path="Reference/Manuals")
        session.add(category)
        session.flush()
        docs = {d.id: d for d in session.query(Document).all()}
        d = docs[pdf]
        d.markdown = PDF_MARKDOWN
        d.category_id = category.id
        d.tags = ["manual", "english"]
        d.page_count = 3
        pdfdoc = pypdfium2.PdfDocument(settings.files_dir / d.storage_path)
        thumb = _derived(settings, d.sha256, "thumbnail.png")
        pdfdoc[0].render(scale=0.3).to_pil().save(thumb)
        pdfdoc.close()
        d.thumbnail_path = str(thumb.relative_to(settings.data_dir))
        preview = _derived(settings, d.sha256, "preview.pdf")
        shutil.copyfile(settings.files_dir / d.storage_path, preview)
        d.preview_path, d.preview_media_type = str(preview), "application/pdf"
        session.add(LibrarySuggestion(document_id=pdf, suggested_path="Reference/Manuals", reason="a manual"))

        d = docs[image]
        with Image.open(settings.files_dir / d.storage_path) as img:
            img.thumbnail((256, 256))
            thumb = _derived(settings, d.sha256, "thumbnail.webp")
            img.save(thumb, "WEBP")
        d.thumbnail_path = str(thumb.relative_to(settings.data_dir / "derived"))

        docs[audio].transcript = {
            "segments": [{"start": 0.0, "end": 4.2, "text": "One, two, three, four, five."}],
            "text": "One, two, three, four, five.",
            "language": "en",
            "language_probability": 0.99,
            "duration": 4.2,
            "model": "faster-whisper:tiny.en",
        }
        d = docs[html]
        preview = _derived(settings, d.sha256, "preview.html")
        preview.write_text(nh3.clean((settings.files_dir / d.storage_path).read_text(errors="replace")))
        d.preview_path, d.preview_media_type = str(preview), "text/html"
        files = {doc_id: settings.files_dir / doc.storage_path for doc_id, doc in docs.items()}
    return Seeded(pdf, image, audio, html, broken, "Reference/Manuals", files)
