"""Library service: suggestions accepted (as suggested or edited), rejected, in bulk; categories and counts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from docmill.db.engine import Database
from docmill.library import service
from docmill.models import Category, Document, LibrarySuggestion


def suggest(database: Database, doc_id: int, path: str, category_id: int | None = None) -> int:
    with database.transaction() as session:
        service.save_pending_suggestion(
            session, doc_id, path=path, category_id=category_id, confidence=0.5, reason="test"
        )
    with database.session() as session:
        return session.scalars(
            sa.select(LibrarySuggestion.id).where(
                LibrarySuggestion.document_id == doc_id, LibrarySuggestion.status == "pending"
            )
        ).one()


def test_normalize_path() -> None:
    assert service.normalize_path(" Finance / Invoices/ ") == "Finance/Invoices"
    assert service.normalize_path("a\\b//c") == "a/b/c"
    for bad in ("", " / ", "/".join("x" * 11), "x" * 101, "a/\x01b"):
        with pytest.raises(service.InvalidPathError):
            service.normalize_path(bad)


def test_one_pending_suggestion_per_document_replaced_on_rerun(database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    doc_id = make_document()
    first = suggest(database, doc_id, "A")
    second = suggest(database, doc_id, "B")
    assert first == second
    with database.session() as session:
        items, total = service.list_suggestions(session)
    assert total == 1 and items[0].suggested_path == "B" and items[0].original_name


def test_accept_as_suggested_and_edited(database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        existing = service.create_category(session, "Finance/Invoices", "bills")
        existing_id = existing.id
    a, b = make_document(), make_document()
    sa_id = suggest(database, a, "Finance/Invoices", existing_id)
    sb_id = suggest(database, b, "Finance/Invoices", existing_id)
    with database.transaction() as session:
        view = service.accept_suggestion(session, sa_id)
        assert view.status == "accepted" and view.decided_path == "Finance/Invoices" and view.decided_at
        edited = service.accept_suggestion(session, sb_id, " finance / receipts ")
        assert edited.decided_path == "finance/receipts"
    with database.session() as session:
        assert session.get(Document, a).category_id == existing_id  # type: ignore[union-attr]
        receipts = service.find_category(session, "Finance/Receipts")
        assert receipts is not None and session.get(Document, b).category_id == receipts.id  # type: ignore[union-attr]
        assert service.category_counts(session) == {"Finance/Invoices": 1, "finance/receipts": 1}
        with pytest.raises(service.ConflictError):
            service.accept_suggestion(session, sa_id)
        with pytest.raises(service.NotFoundError):
            service.reject_suggestion(session, 999_999)


def test_accepting_an_existing_path_in_other_case_reuses_the_category(database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        category_id = service.create_category(session, "Travel").id
    doc_id = make_document()
    suggestion_id = suggest(database, doc_id, "travel")
    with database.transaction() as session:
        assert service.accept_suggestion(session, suggestion_id).decided_path == "Travel"
        assert session.scalar(sa.select(sa.func.count()).select_from(Category)) == 1
    with database.session() as session:
        assert session.get(Document, doc_id).category_id == category_id  # type: ignore[union-attr]


def test_reject_is_remembered_and_bulk(database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    docs = [make_document() for _ in range(3)]
    ids = [suggest(database, d, f"Cat/{i}") for i, d in enumerate(docs)]
    with database.transaction() as session:
        service.reject_suggestion(session, ids[0])
        assert service.rejected_paths(session, docs[0]) == ["Cat/0"]
    with database.transaction() as session:
        outcomes = service.bulk_decide(session, [ids[0], ids[1], ids[2], 424242], "accept")
    assert [(o.id, o.ok) for o in outcomes] == [(ids[0], False), (ids[1], True), (ids[2], True), (424242, False)]
    assert "already rejected" in (outcomes[0].error or "")
    with database.session() as session:
        assert service.pending_count(session) == 0
        accepted, total = service.list_suggestions(session, status="accepted")
        assert total == 2 and {v.decided_path for v in accepted} == {"Cat/1", "Cat/2"}


def test_category_tree_counts_and_delete(database: Database, make_document) -> None:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        invoices = service.create_category(session, "Finance/Invoices")
        tax = service.create_category(session, "Finance/Tax", "  year-end   settlement ")
        travel = service.create_category(session, "Travel")
        with pytest.raises(service.ConflictError):
            service.create_category(session, "finance/tax")
        ids = (invoices.id, tax.id, travel.id)
    for category_id in (ids[0], ids[0], ids[1]):
        make_document(category_id=category_id)
    make_document()  # unfiled
    with database.transaction() as session:
        roots, unfiled = service.category_tree(session)
        assert unfiled == 1
        assert [(n.path, n.id, n.count, n.total) for n in roots] == [("Finance", None, 0, 3), ("Travel", ids[2], 0, 0)]
        finance = roots[0]
        assert [(c.name, c.count, c.description) for c in finance.children] == [
            ("Invoices", 2, None),
            ("Tax", 1, "year-end settlement"),
        ]
        with pytest.raises(service.ConflictError, match="holds 2 documents"):
            service.delete_category(session, ids[0])
        service.update_category(session, ids[2], description="trips")
        service.delete_category(session, ids[2])
        with pytest.raises(service.NotFoundError):
            service.delete_category(session, ids[2])
        parent = service.create_category(session, "Finance")
        with pytest.raises(service.ConflictError, match="subcategories"):
            service.delete_category(session, parent.id)
