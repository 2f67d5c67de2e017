"""Suggestions follow the library: new, renamed or moved categories re-queue classify for documents without
a placement; "run missing" on classify means "documents without a current suggestion"."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.library import service
from docmill.models import Category, LibrarySuggestion
from docmill.pipeline import operations, queue
from tests.helpers import run_worker_until_idle

RECIPE = "# Bibimbap\n\nMix warm rice with sautéed vegetables, gochujang and a fried egg. Serve in a hot stone bowl."
TRIP = "# Jeju trip\n\nThree days on Jeju island: the coastal road, Hallasan at dawn and the ferry to Udo."


def classified(database: Database, make_document, markdown: str, **fields: object) -> int:  # type: ignore[no-untyped-def]
    """A document whose index and classify rows completed (classify found no categories then)."""
    doc = make_document(kind="text", markdown=markdown, **fields)
    with database.connect() as conn:
        for stage in ("index", "classify"):
            queue.enqueue_stage(conn, doc, stage)
            queue.complete(conn, queue.claim(conn, stage, 10, "w", 30), "w")
        conn.commit()
    return doc


def classify_queued(database: Database) -> set[int]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT document_id FROM processing_queue WHERE stage = 'classify' AND status = 'pending'"
        ).fetchall()
    return {r[0] for r in rows}


def pending(database: Database, doc: int) -> LibrarySuggestion | None:
    with database.session() as session:
        return session.scalars(
            sa.select(LibrarySuggestion).where(
                LibrarySuggestion.document_id == doc, LibrarySuggestion.status == "pending"
            )
        ).first()


def test_creating_a_category_brings_suggestions_for_unfiled_documents(
    database: Database, settings: Settings, make_document
) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        travel = service.create_category(session, "Travel", "trips and itineraries")
    unfiled = classified(database, make_document, RECIPE)
    filed = classified(database, make_document, TRIP, category_id=travel.id)
    not_reached = make_document(kind="text", markdown=RECIPE)  # still before index: nothing to re-run
    with database.connect() as conn:
        assert operations.run_missing(conn, "classify") == 1, "the unfiled one has no current suggestion"
        conn.rollback()

    with database.transaction() as session:
        service.create_category(session, "Home/Recipes", "cooking and recipes")
    assert classify_queued(database) == {unfiled}, "filed and not-yet-indexed documents are left alone"
    run_worker_until_idle(database, settings, stages=["classify"], timeout=240)
    suggestion = pending(database, unfiled)
    assert suggestion is not None and suggestion.suggested_path == "Home/Recipes"
    assert pending(database, filed) is None and not_reached
    with database.connect() as conn:
        assert operations.run_missing(conn, "classify") == 0, "every unplaced document has a suggestion now"

    # an accepted placement is left alone by later library changes
    with database.transaction() as session:
        service.accept_suggestion(session, suggestion.id)
        service.create_category(session, "Work")
    assert classify_queued(database) == set()


def test_renaming_or_moving_a_category_moves_its_branch_and_requeues(
    api: TestClient, database: Database, make_document
) -> None:  # type: ignore[no-untyped-def]
    parent = api.post("/api/categories", json={"path": "Food", "description": "recipes"}).json()
    api.post("/api/categories", json={"path": "Food/Korean"})
    unfiled = classified(database, make_document, RECIPE)
    with database.connect() as conn:  # the category creations above queued it; let it finish first
        queue.complete(conn, queue.claim(conn, "classify", 10, "w", 30), "w")
        conn.commit()
    assert classify_queued(database) == set()

    moved = api.patch(f"/api/categories/{parent['id']}", json={"path": "Home/Cooking"})
    assert moved.status_code == 200 and moved.json()["path"] == "Home/Cooking"
    assert moved.json()["description"] == "recipes", "a path change keeps the description"
    assert moved.json()["requeued"] == 1, "the answer says how many unfiled documents get new suggestions"
    with database.session() as session:
        assert sorted(session.scalars(sa.select(Category.path))) == ["Home/Cooking", "Home/Cooking/Korean"]
    assert classify_queued(database) == {unfiled}

    korean = next(c for c in api.get("/api/categories").json()["categories"][0]["children"][0]["children"])
    taken = api.patch(f"/api/categories/{korean['id']}", json={"path": "home/cooking"})
    assert taken.status_code == 409 and "exists already" in taken.json()["error"]["message"]
    inside = api.patch(f"/api/categories/{parent['id']}", json={"path": "Home/Cooking/Korean/Deeper"})
    assert inside.status_code in (409, 422)
