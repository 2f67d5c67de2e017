"""classify, summarize and embed end to end: documents in the database, a real worker, the default embedding
model, and a local OpenAI-compatible server where an LLM is configured."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from docmill.ai.embeddings import get_embedder
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.library import service as library
from docmill.models import Category, Chunk, Document, LibrarySuggestion, QueueRow
from docmill.pipeline.queue import enqueue_stage
from tests.ai.classification_data import CATEGORIES, FILED, UNFILED
from tests.ai.llm_server import Reply, fake_llm_server
from tests.helpers import run_worker_until_idle

AI_STAGES = ["classify", "summarize", "embed"]


def add_categories(database: Database, categories: dict[str, str]) -> dict[str, int]:
    with database.transaction() as session:
        rows = [Category(path=path, description=description) for path, description in categories.items()]
        session.add_all(rows)
        session.flush()
        return {c.path: c.id for c in rows}


def enqueue(database: Database, doc_ids: list[int], *stages: str) -> None:
    with database.transaction() as session:
        for doc_id in doc_ids:
            for stage in stages:
                enqueue_stage(session, doc_id, stage)


def queue_row(database: Database, doc_id: int, stage: str) -> QueueRow:
    with database.session() as session:
        row = session.scalars(
            sa.select(QueueRow)
            .where(QueueRow.document_id == doc_id, sa.cast(QueueRow.stage, sa.Text) == stage)
            .order_by(QueueRow.id.desc())
        ).first()
        assert row is not None
        return row


def document(database: Database, doc_id: int) -> Document:
    with database.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        return doc


def pending_suggestion(database: Database, doc_id: int) -> LibrarySuggestion | None:
    with database.session() as session:
        return session.scalars(
            sa.select(LibrarySuggestion).where(
                LibrarySuggestion.document_id == doc_id, LibrarySuggestion.status == "pending"
            )
        ).first()


def test_offline_classification_accuracy(database: Database, settings: Settings, make_document) -> None:  # type: ignore[no-untyped-def]
    ids = add_categories(database, CATEGORIES)
    filed = [
        make_document(
            kind="text", title=title, markdown=f"# {title}\n\n{text}", category_id=ids[cat], tags=[cat.lower()]
        )
        for cat, title, text in FILED
    ]
    enqueue(database, filed, "embed")
    run_worker_until_idle(database, settings, stages=["embed"], timeout=240)

    new = [make_document(kind="text", title=title, markdown=f"# {title}\n\n{text}") for _, title, text in UNFILED]
    enqueue(database, new, "classify")
    run_worker_until_idle(database, settings, stages=["classify"], timeout=240)

    right, wrong = 0, []
    for doc_id, (label, title, _) in zip(new, UNFILED, strict=True):
        suggestion = pending_suggestion(database, doc_id)
        assert suggestion is not None, f"no suggestion for {title}: {queue_row(database, doc_id, 'classify').note}"
        assert suggestion.suggested_path in CATEGORIES, "offline classification never invents a category"
        assert suggestion.category_id == ids[suggestion.suggested_path]
        assert 0 < (suggestion.confidence or 0) <= 1 and suggestion.reason
        if suggestion.suggested_path == label:
            right += 1
        else:
            wrong.append(f"{title}: {suggestion.suggested_path} (wanted {label}, {suggestion.confidence:.2f})")
        doc = document(database, doc_id)
        assert doc.ai_summary and doc.category_id is None  # suggested, not filed
        assert doc.doc_metadata["classification"]["method"] == "offline"
    accuracy = right / len(UNFILED)
    print(f"offline classification accuracy {accuracy:.2f} over {len(UNFILED)}; wrong: {wrong}")
    assert accuracy >= 0.7, wrong


def test_embed_writes_chunks_once_and_skips_documents_without_text(
    database: Database, settings: Settings, make_document
) -> None:  # type: ignore[no-untyped-def]
    body = "\n\n".join(f"## Part {i}\n\n" + f"Paragraph {i} about invoices and 예산안 검토. " * 40 for i in range(3))
    doc_id = make_document(kind="text", title="Report", markdown=f"# Report\n\n{body}")
    empty_id = make_document(kind="image", markdown=None)
    enqueue(database, [doc_id, empty_id], "embed")
    run_worker_until_idle(database, settings, stages=["embed"], timeout=240)

    def chunks() -> list[tuple[int, int, str, str | None, int | None, bool]]:
        with database.connect() as conn:
            return conn.execute(
                "SELECT id, ordinal, model, heading, vector_dims(embedding), tsv @@ '예산'::tsquery "
                "FROM chunks WHERE document_id = %s ORDER BY ordinal",
                (doc_id,),
            ).fetchall()

    first = chunks()
    assert len(first) >= 3
    assert [c[1] for c in first] == list(range(len(first)))
    embedder = get_embedder(settings)
    assert {c[2] for c in first} == {embedder.model_name} and {c[4] for c in first} == {embedder.dim}
    assert all(c[5] for c in first), "every chunk holds the Hangul bigram tokens"
    assert {c[3] for c in first} == {"Report > Part 0", "Report > Part 1", "Report > Part 2"}
    row = queue_row(database, doc_id, "embed")
    assert row.status == "completed" and row.note and f"{len(first)} chunks" in row.note
    skipped = queue_row(database, empty_id, "embed")
    assert skipped.status == "completed" and skipped.note == "skipped: no text"

    enqueue(database, [doc_id], "embed")
    run_worker_until_idle(database, settings, stages=["embed"], timeout=240)
    second = chunks()
    assert second == first, "embed again: the same chunks, kept (nothing needed a vector)"
    assert (queue_row(database, doc_id, "embed").note or "").startswith("already embedded")
    with database.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Chunk).where(Chunk.document_id == empty_id)) == 0


def test_offline_summaries_and_skips(database: Database, settings: Settings, make_document) -> None:  # type: ignore[no-untyped-def]
    korean = (
        "# 회의 결과\n\n이번 회의에서 내년 예산을 확정했다. 예산은 올해보다 10퍼센트 늘었다. "
        "회의실 에어컨이 고장 나 있었다. 늘어난 예산은 신규 채용에 쓰기로 했다. 예산 집행은 1월에 시작한다."
    )
    ko_id = make_document(kind="text", markdown=korean)
    empty_id = make_document(kind="text", markdown="   ")
    enqueue(database, [ko_id, empty_id], "summarize", "classify")
    run_worker_until_idle(database, settings, stages=AI_STAGES, timeout=240)

    doc = document(database, ko_id)
    assert doc.summary and "예산" in doc.summary and doc.summary != korean
    assert queue_row(database, ko_id, "summarize").note == "summary by extractive"
    assert queue_row(database, ko_id, "classify").note == "no categories yet"
    assert doc.tags, "keyword tags when the library has none yet"
    for stage in ("summarize", "classify"):
        row = queue_row(database, empty_id, stage)
        assert row.status == "completed" and row.note == "skipped: no text"
    assert document(database, empty_id).summary is None


def test_rejected_path_is_not_suggested_again(database: Database, settings: Settings, make_document) -> None:  # type: ignore[no-untyped-def]
    add_categories(database, {"Home/Recipes": CATEGORIES["Home/Recipes"], "Travel": CATEGORIES["Travel"]})
    doc_id = make_document(kind="text", markdown="# Bibimbap\n\nMix rice with vegetables, gochujang and a fried egg.")
    enqueue(database, [doc_id], "classify")
    run_worker_until_idle(database, settings, stages=["classify"])
    first = pending_suggestion(database, doc_id)
    assert first is not None and first.suggested_path == "Home/Recipes"

    with database.transaction() as session:
        library.reject_suggestion(session, first.id)
    enqueue(database, [doc_id], "classify")
    run_worker_until_idle(database, settings, stages=["classify"])
    second = pending_suggestion(database, doc_id)
    assert second is not None and second.suggested_path == "Travel" and second.id != first.id

    # once the user files the document, reruns suggest nothing new
    with database.transaction() as session:
        library.accept_suggestion(session, second.id, "Home/Recipes")
    enqueue(database, [doc_id], "classify")
    run_worker_until_idle(database, settings, stages=["classify"])
    assert pending_suggestion(database, doc_id) is None
    assert "already filed" in (queue_row(database, doc_id, "classify").note or "")


def llm_settings(settings: Settings, url: str, **extra: Any) -> Settings:
    return settings.model_copy(update={"llm_url": url, "llm_model": "test-model", "llm_timeout": 10.0, **extra})


def test_llm_classify_and_summarize(database: Database, settings: Settings, make_document) -> None:  # type: ignore[no-untyped-def]
    ids = add_categories(database, {"Finance/Invoices": "bills", "Travel": "trips"})
    make_document(kind="text", markdown="old", tags=["invoice"])  # an existing tag
    doc_id = make_document(
        kind="text", markdown="# Invoice\n\nPlease pay 100 EUR.", tags=["from-user"], title="Invoice"
    )
    answer = {
        "category": "finance/invoices",
        "is_new_category": False,
        "confidence": 0.83,
        "tags": ["Invoice", "Payment Due", "invoice"],
        "summary": "A bill for 100 EUR.",
        "reason": "asks for payment",
    }

    def reply(body: dict[str, Any]) -> Reply:
        if "response_format" in body:
            return Reply(content="<think>Which category? Finance.</think>" + json.dumps(answer))
        return Reply(content="<think>The document is an invoice so I should say</think>The invoice asks for 100 EUR.")

    with fake_llm_server(reply) as fake:
        run_settings = llm_settings(settings, fake.url)
        enqueue(database, [doc_id], "classify", "summarize")
        run_worker_until_idle(database, run_settings, stages=["classify", "summarize"])

    doc = document(database, doc_id)
    assert doc.summary == "The invoice asks for 100 EUR."
    assert doc.ai_summary == "A bill for 100 EUR."
    assert doc.tags == ["from-user", "invoice", "payment-due"]
    suggestion = pending_suggestion(database, doc_id)
    assert suggestion is not None
    assert (suggestion.suggested_path, suggestion.category_id) == ("Finance/Invoices", ids["Finance/Invoices"])
    assert suggestion.confidence == 0.83 and suggestion.reason == "asks for payment"
    assert queue_row(database, doc_id, "classify").note == "suggested Finance/Invoices (0.83, llm test-model)"
    classify_request = next(r for r in fake.requests if "response_format" in r)
    assert "Travel: trips" in classify_request["messages"][1]["content"]


def test_llm_new_category_only_when_allowed(database: Database, settings: Settings, make_document) -> None:  # type: ignore[no-untyped-def]
    add_categories(database, {"Travel": "trips"})
    doc_id = make_document(kind="text", markdown="# Chair\n\nAn ergonomic office chair manual.")
    answer = {
        "category": "Office/Furniture",
        "is_new_category": True,
        "confidence": 0.7,
        "tags": [],
        "summary": "A chair manual.",
        "reason": "none fits",
    }
    with fake_llm_server(lambda _: Reply(content=json.dumps(answer))) as fake:
        enqueue(database, [doc_id], "classify")
        run_worker_until_idle(
            database, llm_settings(settings, fake.url, allow_new_categories=True), stages=["classify"]
        )
    suggestion = pending_suggestion(database, doc_id)
    assert suggestion is not None and suggestion.suggested_path == "Office/Furniture" and suggestion.category_id is None
    with database.transaction() as session:
        library.accept_suggestion(session, suggestion.id)
    with database.session() as session:
        category = library.find_category(session, "office/furniture")
        assert category is not None and document(database, doc_id).category_id == category.id


def test_llm_down_keeps_rows_waiting_without_spending_attempts(
    database: Database, settings: Settings, make_document
) -> None:  # type: ignore[no-untyped-def]
    doc_ids = [make_document(kind="text", markdown=f"# Doc {i}\n\nSome text {i}.") for i in range(2)]
    with fake_llm_server(lambda _: Reply(status=503)) as fake:
        enqueue(database, doc_ids, "classify", "summarize")
        run_worker_until_idle(database, llm_settings(settings, fake.url), stages=["classify", "summarize"])
        assert len(fake.requests) >= 4
    for doc_id in doc_ids:
        for stage in ("classify", "summarize"):
            row = queue_row(database, doc_id, stage)
            assert (row.status, row.attempts) == ("pending", 0)
            assert row.waits >= 1 and row.error and "HTTP 503" in row.error
    assert pending_suggestion(database, doc_ids[0]) is None and document(database, doc_ids[0]).summary is None
