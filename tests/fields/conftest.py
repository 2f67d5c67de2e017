"""Fixtures for the custom field tests: the app, an admin's client, a member, documents with indexed text."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa

from docmill.db.engine import Database
from docmill.models import Document
from docmill.search.tokens import tsvector_literal
from tests.api.conftest import account, api, app, client  # noqa: F401

MakeDoc = Callable[..., int]


@pytest.fixture
def text_document(database: Database) -> MakeDoc:
    """A text document owned by `owner_id` whose words are one indexed chunk (found by full-text search)."""

    def _make(owner_id: int, words: str, title: str | None = None) -> int:
        token = uuid.uuid4().hex
        with database.transaction() as session:
            doc = Document(
                sha256=hashlib.sha256(token.encode()).hexdigest(),
                original_name=f"{token[:8]}.txt",
                title=title or f"Doc {token[:6]}",
                media_type="text/plain",
                kind="text",
                size_bytes=len(words),
                source="upload",
                owner_id=owner_id,
                markdown=words,
            )
            session.add(doc)
            session.flush()
            session.execute(
                sa.text(
                    "INSERT INTO chunks (document_id, ordinal, text, tsv, model) "
                    "VALUES (:d, 0, :text, CAST(:tsv AS tsvector), 'none')"
                ),
                {"d": doc.id, "text": words, "tsv": tsvector_literal([(doc.title, "A"), (words, "D")])},
            )
            return doc.id

    return _make
