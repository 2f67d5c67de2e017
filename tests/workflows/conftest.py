"""Fixtures for the workflow tests: rules created through the service, documents with text."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Category, Document, WorkflowRun
from docmill.workflows import service
from docmill.workflows.types import RuleSpec
from tests.api.conftest import account, api, app, client  # noqa: F401 (the api fixtures)

MakeRule = Callable[..., int]
MakeDoc = Callable[..., int]


@pytest.fixture(autouse=True)
def _no_background_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    """The api's workflow runner stays off here: the tests deliver webhooks and run schedules themselves."""
    monkeypatch.setenv("DOCMILL_WORKFLOW_INTERVAL", "0")


@pytest.fixture
def make_rule(database: Database, settings: Settings) -> MakeRule:
    def _make(**spec: Any) -> int:
        spec.setdefault("name", f"rule {uuid.uuid4().hex[:6]}")
        with database.transaction() as session:
            return service.create_rule(session, settings, RuleSpec.model_validate(spec), created_by=None).rule.id

    return _make


@pytest.fixture
def doc(database: Database) -> MakeDoc:
    """A document row with text (no file)."""

    def _make(markdown: str = "", *, name: str = "note.txt", **fields: Any) -> int:
        token = uuid.uuid4().hex
        values: dict[str, Any] = {
            "sha256": hashlib.sha256(token.encode()).hexdigest(),
            "original_name": name,
            "media_type": "text/plain",
            "kind": "text",
            "size_bytes": len(markdown),
            "source": "upload",
            "markdown": markdown,
        }
        values.update(fields)
        with database.transaction() as session:
            document = Document(**values)
            session.add(document)
            session.flush()
            return document.id

    return _make


def load(database: Database, doc_id: int) -> tuple[Document, str | None]:
    """The document and its category path."""
    with database.session() as session:
        document = session.get(Document, doc_id)
        assert document is not None
        path = session.scalar(sa.select(Category.path).where(Category.id == document.category_id))
        session.expunge(document)
        return document, path


def runs(database: Database, doc_id: int) -> list[WorkflowRun]:
    with database.session() as session:
        rows = list(
            session.scalars(
                sa.select(WorkflowRun).where(WorkflowRun.document_id == doc_id).order_by(WorkflowRun.id)
            ).all()
        )
        session.expunge_all()
        return rows
