"""Bulk edit through the API: 1,000 documents in one call with progress; rights per document; a runner that
dies leaves a job another runner finishes from where it stopped."""

from __future__ import annotations

import itertools
import time

import sqlalchemy as sa
from fastapi.testclient import TestClient

from docmill.api import bulk_runner
from docmill.api.schemas.workspace import BulkEditRequest
from docmill.api.services import bulk
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.fields import service as fields
from docmill.fields.types import FieldType
from docmill.models import BulkJob, Document, QueueRow
from docmill.permissions.access import Viewer
from tests.permissions.conftest import People, make_shared_document
from tests.workspace.conftest import insert_documents


def _wait(client: TestClient, job_id: int, headers: dict[str, str]) -> list[dict]:
    """Poll the job until it is finished (the api's own runner works it); every answer seen."""
    seen: list[dict] = []
    for _ in range(600):
        got = client.get(f"/api/bulk/{job_id}", headers=headers)
        assert got.status_code == 200, got.text
        seen.append(got.json())
        if seen[-1]["status"] in ("completed", "failed"):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"bulk job {job_id} did not finish: {seen[-1]}")


def test_bulk_tags_a_thousand_documents(client: TestClient, database: Database, people: People) -> None:
    ids = insert_documents(database, people.owner.id, 1000)
    body = {"selection": {"filter": {"q": "bulk"}}, "action": {"type": "add_tags", "tags": ["reviewed", " 2026 "]}}
    submitted = client.post("/api/bulk", json=body, headers=people.owner.headers)
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert job["total"] == 1000 and job["status"] in ("pending", "running")
    seen = _wait(client, job["id"], people.owner.headers)
    final = seen[-1]
    assert final["status"] == "completed", final
    assert (final["processed"], final["done"], final["failed"], final["errors"]) == (1000, 1000, 0, [])
    assert all(a["processed"] <= b["processed"] for a, b in itertools.pairwise(seen))
    with database.session() as session:
        tags = session.execute(sa.select(Document.tags).where(Document.id.in_(ids))).scalars().all()
        audited = session.execute(
            sa.text("SELECT count(*) FROM audit_log WHERE action = 'bulk' AND target_id = :j"), {"j": job["id"]}
        ).scalar()
    assert len(tags) == 1000 and all(t == ["reviewed", "2026"] for t in tags)
    assert audited == 2  # submitted, finished
    # the same again changes nothing and says all are done
    again = client.post("/api/bulk", json=body, headers=people.owner.headers).json()
    assert _wait(client, again["id"], people.owner.headers)[-1]["done"] == 1000


def test_members_bulk_on_documents_they_may_not_change(
    client: TestClient, settings: Settings, database: Database, people: People
) -> None:
    shared = make_shared_document(settings, database, people)  # victor: view, edith: edit
    others = insert_documents(database, people.owner.id, 3, prefix="hidden")  # not shared at all
    own = insert_documents(database, people.viewer.id, 2, prefix="mine")
    ids = [shared.document, *others, *own]
    tag = {"selection": {"ids": ids}, "action": {"type": "set_category", "category": "Finance / Bills"}}
    job = client.post("/api/bulk", json=tag, headers=people.viewer.headers).json()
    final = _wait(client, job["id"], people.viewer.headers)[-1]
    assert (final["status"], final["done"], final["failed"]) == ("completed", 2, 4)
    reasons = {e["document_id"]: e["reason"] for e in final["errors"]}
    assert "view only" in reasons[shared.document]
    assert all("not shared with you" in reasons[d] for d in others)
    # an editor may change it, but only its owner may delete it
    editor = client.post(
        "/api/bulk",
        json={"selection": {"ids": [shared.document]}, "action": {"type": "delete"}},
        headers=people.editor.headers,
    ).json()
    final = _wait(client, editor["id"], people.editor.headers)[-1]
    assert final["failed"] == 1 and "only its owner or an admin may delete" in final["errors"][0]["reason"]
    with database.session() as session:
        rows = dict(session.execute(sa.select(Document.id, Document.category_id).where(Document.id.in_(ids))).all())
        assert session.get(Document, shared.document).deleted_at is None
    assert rows[own[0]] is not None and rows[own[0]] == rows[own[1]]
    assert all(rows[d] is None for d in others)
    # someone else's job is not revealed
    assert client.get(f"/api/bulk/{job['id']}", headers=people.stranger.headers).status_code == 404


def test_bulk_reprocess_goes_through_the_queue_and_delete_through_the_trash(
    client: TestClient, database: Database, people: People
) -> None:
    ids = insert_documents(database, people.owner.id, 5, prefix="again")
    job = client.post(
        "/api/bulk",
        json={"selection": {"ids": ids}, "action": {"type": "reprocess", "from_stage": "index"}},
        headers=people.owner.headers,
    ).json()
    assert _wait(client, job["id"], people.owner.headers)[-1]["done"] == 5
    with database.session() as session:
        queued = (
            session.execute(
                sa.select(QueueRow.document_id).where(QueueRow.document_id.in_(ids), QueueRow.stage == "index")
            )
            .scalars()
            .all()
        )
    assert sorted(queued) == ids
    # not applicable: a reason per document, nothing queued
    bad = client.post(
        "/api/bulk",
        json={"selection": {"ids": ids[:1]}, "action": {"type": "reprocess", "from_stage": "stt"}},
        headers=people.owner.headers,
    ).json()
    final = _wait(client, bad["id"], people.owner.headers)[-1]
    assert final["failed"] == 1 and "does not apply" in final["errors"][0]["reason"]
    gone = client.post(
        "/api/bulk", json={"selection": {"ids": ids}, "action": {"type": "delete"}}, headers=people.owner.headers
    ).json()
    assert _wait(client, gone["id"], people.owner.headers)[-1]["done"] == 5
    trash = client.get("/api/documents", params={"deleted": True, "q": "again"}, headers=people.owner.headers).json()
    assert trash["total"] == 5


def test_bad_requests_say_what_is_wrong(client: TestClient, people: People) -> None:
    h = people.owner.headers
    empty = client.post(
        "/api/bulk",
        json={"selection": {"filter": {"q": "nothing-matches-this"}}, "action": {"type": "delete"}},
        headers=h,
    )
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_selection"
    both = client.post(
        "/api/bulk", json={"selection": {"ids": [1], "filter": {}}, "action": {"type": "delete"}}, headers=h
    )
    assert both.status_code == 422
    nobody = client.post(
        "/api/bulk", json={"selection": {"ids": [1]}, "action": {"type": "set_owner", "user": "nobody"}}, headers=h
    )
    assert nobody.status_code == 404 and "nobody" in nobody.json()["error"]["message"]
    unknown = client.post("/api/bulk", json={"selection": {"ids": [1]}, "action": {"type": "paint"}}, headers=h)
    assert unknown.status_code == 422


def test_a_dead_runners_job_is_resumed_from_where_it_stopped(database: Database, people: People) -> None:
    ids = insert_documents(database, people.owner.id, 450, prefix="resume")
    request = BulkEditRequest.model_validate(
        {"selection": {"ids": ids}, "action": {"type": "add_tags", "tags": ["resumed"]}}
    )
    with database.transaction() as session:
        # claimed by "dead" (no api runs here: only the workers below touch it)
        job_id = bulk.submit(session, bulk.Actor(people.owner.id, "olivia"), Viewer(people.owner.id, False), request).id
        session.execute(
            sa.update(BulkJob)
            .where(BulkJob.id == job_id)
            .values(status="running", locked_by="dead", locked_until=sa.func.now() + sa.text("interval '1 hour'"))
        )
    # "dead" did one chunk and died: its lease is still running, nobody else may take the job
    with database.transaction() as session:
        assert bulk.run_chunk(session, job_id, "dead", chunk=200) is not None
    with database.transaction() as session:
        assert bulk.claim(session, "second") is None
    with database.transaction() as session:  # the lease runs out
        session.execute(
            sa.update(BulkJob)
            .where(BulkJob.id == job_id)
            .values(locked_until=sa.func.now() - sa.text("interval '1 second'"))
        )
    assert bulk_runner.run_pending(database, "second", chunk=200) >= 1
    with database.session() as session:
        job = session.get(BulkJob, job_id)
        assert (job.status, job.cursor, job.done, job.failed) == ("completed", 450, 450, 0)
        # the dead runner, were it to wake, no longer owns the job
        assert bulk.run_chunk(session, job_id, "dead") is None
        tags = session.execute(sa.select(Document.tags).where(Document.id.in_(ids))).scalars().all()
    assert all(t == ["resumed"] for t in tags)


def test_bulk_fields_owner_and_shares(client: TestClient, database: Database, people: People) -> None:
    with database.transaction() as session:
        fields.create_field(session, fields.FieldDefinition(name="Due date", slug="due", type=FieldType.DATE))
        fields.create_field(session, fields.FieldDefinition(name="Amount", slug="amount", type=FieldType.INTEGER))
    ids = insert_documents(database, people.owner.id, 4, prefix="fielded")
    h = people.owner.headers
    bad = client.post(
        "/api/bulk",
        json={"selection": {"ids": ids}, "action": {"type": "set_fields", "fields": {"due": "tomorrow-ish"}}},
        headers=h,
    )
    assert bad.status_code == 422 and "due" in bad.json()["error"]["message"].lower()
    job = client.post(
        "/api/bulk",
        json={
            "selection": {"ids": ids},
            "action": {"type": "set_fields", "fields": {"due": "2026-03-14", "amount": 5}},
        },
        headers=h,
    ).json()
    assert _wait(client, job["id"], h)[-1]["done"] == 4
    with database.session() as session:
        for doc_id in ids:
            values = {v.slug: v.value for v in fields.document_values(session, doc_id)}
            assert values == {"due": "2026-03-14", "amount": 5}
    shared = client.post(
        "/api/bulk",
        json={"selection": {"ids": ids[:2]}, "action": {"type": "share", "user": "edith", "permission": "edit"}},
        headers=h,
    ).json()
    assert _wait(client, shared["id"], h)[-1]["done"] == 2
    # edith may now edit those two, and only those
    edit = client.post(
        "/api/bulk",
        json={"selection": {"ids": ids}, "action": {"type": "add_tags", "tags": ["e"]}},
        headers=people.editor.headers,
    ).json()
    final = _wait(client, edit["id"], people.editor.headers)[-1]
    assert (final["done"], final["failed"]) == (2, 2)
    moved = client.post(
        "/api/bulk", json={"selection": {"ids": ids[2:]}, "action": {"type": "set_owner", "user": "victor"}}, headers=h
    ).json()
    assert _wait(client, moved["id"], h)[-1]["done"] == 2
    with database.session() as session:
        owners = dict(session.execute(sa.select(Document.id, Document.owner_id).where(Document.id.in_(ids))).all())
    assert [owners[d] for d in ids] == [people.owner.id, people.owner.id, people.viewer.id, people.viewer.id]
