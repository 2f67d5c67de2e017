"""Fixtures for the permission tests: an admin, an owner, people a document is shared with, a stranger."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Category, CustomField, Document, DocumentShare, FieldSuggestion, LibrarySuggestion
from docmill.search.tokens import tsvector_literal
from tests.api.conftest import Account, make_account


@dataclass
class People:
    admin: Account
    owner: Account
    viewer: Account
    editor: Account
    stranger: Account
    spare: Account


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app()


@pytest.fixture
def client(app: FastAPI):
    with TestClient(app, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def people(database: Database) -> People:
    return People(
        admin=make_account(database, "root", admin=True),
        owner=make_account(database, "olivia", admin=False),
        viewer=make_account(database, "victor", admin=False),
        editor=make_account(database, "edith", admin=False),
        stranger=make_account(database, "sam", admin=False),
        spare=make_account(database, "spare", admin=False),
    )


@dataclass
class Shared:
    document: int
    suggestion: int
    share: int  # a share with `spare`
    field_suggestion: int  # a pending suggestion for its "matrix_due" field


def make_shared_document(
    settings: Settings, database: Database, people: People, *, title: str | None = None, words: str = ""
) -> Shared:
    """A text document owned by `owner`, shared with `viewer` (view), `editor` (edit) and `spare` (view),
    with its file on disk, Markdown, one indexed chunk and a pending library suggestion."""
    token = uuid.uuid4().hex
    body = f"Notes {token}. {words}".encode()
    sha = hashlib.sha256(body).hexdigest()
    relative = f"{sha[:2]}/{sha}.txt"
    path = settings.files_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    with database.transaction() as session:
        doc = Document(
            sha256=sha,
            original_name=f"{token[:8]}.txt",
            title=title or f"Private {token[:8]}",
            media_type="text/plain",
            kind="text",
            size_bytes=len(body),
            storage_path=relative,
            source="upload",
            owner_id=people.owner.id,
            markdown=body.decode(),
        )
        session.add(doc)
        session.flush()
        session.add(DocumentShare(document_id=doc.id, user_id=people.viewer.id, permission="view"))
        session.add(DocumentShare(document_id=doc.id, user_id=people.editor.id, permission="edit"))
        spare = DocumentShare(document_id=doc.id, user_id=people.spare.id, permission="view")
        session.add(spare)
        suggestion = LibrarySuggestion(document_id=doc.id, suggested_path=f"Private/{token[:6]}", reason="test")
        session.add(suggestion)
        session.execute(
            sa.text(
                "INSERT INTO chunks (document_id, ordinal, text, tsv, model) "
                "VALUES (:d, 0, :text, CAST(:tsv AS tsvector), 'none')"
            ),
            {"d": doc.id, "text": body.decode(), "tsv": tsvector_literal([(doc.title, "A"), (body.decode(), "D")])},
        )
        category = session.query(Category).filter_by(path="Private").one_or_none() or Category(path="Private")
        session.add(category)
        session.flush()
        doc.category_id = category.id
        field = session.query(CustomField).filter_by(slug="matrix_due").one_or_none() or CustomField(
            slug="matrix_due", name="Matrix due", type="date", extraction_hint="the due date"
        )
        session.add(field)
        session.flush()
        field_suggestion = FieldSuggestion(document_id=doc.id, field_id=field.id, value="2026-03-14", method="offline")
        session.add(field_suggestion)
        session.flush()
        return Shared(doc.id, suggestion.id, spare.id, field_suggestion.id)
