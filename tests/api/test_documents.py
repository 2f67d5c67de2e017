"""Documents endpoints on real documents moving through the queue."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image

from docmill.db.engine import Database
from tests.api.conftest import PDF_MARKDOWN, Seeded


def _ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_list_pagination_and_sorting(api: TestClient, seeded: Seeded) -> None:
    everything = api.get("/api/documents").json()
    assert everything["total"] == 5 and everything["limit"] == 50 and everything["offset"] == 0
    assert _ids(everything) == [seeded.broken, seeded.html, seeded.audio, seeded.image, seeded.pdf]  # newest first

    first = api.get("/api/documents", params={"limit": 2, "sort": "created_at"}).json()
    second = api.get("/api/documents", params={"limit": 2, "offset": 2, "sort": "created_at"}).json()
    assert first["total"] == second["total"] == 5
    assert _ids(first) + _ids(second) == [seeded.pdf, seeded.image, seeded.audio, seeded.html]

    by_size = api.get("/api/documents", params={"sort": "-size_bytes"}).json()
    sizes = [item["size_bytes"] for item in by_size["items"]]
    assert sizes == sorted(sizes, reverse=True)
    by_title = [i["title"] or i["original_name"] for i in api.get("/api/documents?sort=title").json()["items"]]
    assert by_title == sorted(by_title, key=str.lower)

    bad = api.get("/api/documents", params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_request"
    assert api.get("/api/documents", params={"sort": "nonsense"}).status_code == 422


def test_list_filters(api: TestClient, seeded: Seeded) -> None:
    def ids(**params: object) -> set[int]:
        response = api.get("/api/documents", params=params)
        assert response.status_code == 200, response.text
        return set(_ids(response.json()))

    assert ids(kind="pdf") == {seeded.pdf, seeded.broken}
    assert ids(kind=["image", "audio"]) == {seeded.image, seeded.audio}
    assert ids(category="Reference") == {seeded.pdf}
    assert ids(category="Reference/Manuals") == {seeded.pdf}
    assert ids(category="Refer") == set()
    assert ids(uncategorized=True) == {seeded.image, seeded.audio, seeded.html, seeded.broken}
    assert ids(tag="manual") == {seeded.pdf}
    assert ids(tag=["manual", "missing"]) == set()
    assert ids(status="failed") == {seeded.broken}
    assert ids(status="processing") == {seeded.pdf}
    assert ids(status="queued") == {seeded.image, seeded.audio, seeded.html}
    assert ids(status="done") == set()
    assert ids(q="test_bl") == {seeded.html}
    assert ids(q="counting") == {seeded.audio}
    assert ids(q="100%") == set()
    assert ids(source="upload") == {seeded.pdf, seeded.image, seeded.audio, seeded.html, seeded.broken}
    assert ids(created_after="2000-01-01T00:00:00Z", created_before="2001-01-01T00:00:00Z") == set()
    assert api.get("/api/documents", params={"unknown": "1"}).status_code == 422


def test_get_document_detail(api: TestClient, seeded: Seeded) -> None:
    body = api.get(f"/api/documents/{seeded.pdf}").json()
    assert body["title"] == "Test PDF" and body["kind"] == "pdf"
    assert body["category"]["path"] == seeded.category
    assert body["has_markdown"] and body["has_thumbnail"] and body["has_preview"]
    stages = {s["stage"]: s["status"] for s in body["stages"]}
    assert stages["extract"] == "completed" and stages["markdown"] == "completed"
    assert stages["thumbnail"] == "processing" and stages["classify"] == "pending"
    broken = api.get(f"/api/documents/{seeded.broken}").json()
    assert broken["status"] == "failed"
    assert broken["stages"][0]["error"] == "cannot read the PDF: broken cross-reference table"

    missing = api.get("/api/documents/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found" and missing.json()["error"]["hint"]


def test_download_original(api: TestClient, seeded: Seeded) -> None:
    response = api.get(f"/api/documents/{seeded.pdf}/file")
    assert response.status_code == 200
    assert response.content == seeded.files[seeded.pdf].read_bytes()
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    assert "test.pdf" in response.headers["content-disposition"]

    seeded.files[seeded.image].unlink()
    gone = api.get(f"/api/documents/{seeded.image}/file")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "file_missing"


def test_markdown_preview_thumbnail_transcript(api: TestClient, seeded: Seeded) -> None:
    markdown = api.get(f"/api/documents/{seeded.pdf}/markdown")
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text == PDF_MARKDOWN
    none = api.get(f"/api/documents/{seeded.image}/markdown")
    assert none.status_code == 404 and none.json()["error"]["code"] == "no_markdown"

    preview = api.get(f"/api/documents/{seeded.pdf}/preview")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert "content-security-policy" not in preview.headers  # PDF viewers refuse sandboxed documents
    html = api.get(f"/api/documents/{seeded.html}/preview")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "sandbox" in html.headers["content-security-policy"]
    assert b"<script" not in html.content.lower()
    assert api.get(f"/api/documents/{seeded.audio}/preview").json()["error"]["code"] == "no_preview"

    for doc_id, media_type in ((seeded.pdf, "image/png"), (seeded.image, "image/webp")):
        thumb = api.get(f"/api/documents/{doc_id}/thumbnail")
        assert thumb.status_code == 200 and thumb.headers["content-type"] == media_type
        with Image.open(io.BytesIO(thumb.content)) as img:
            assert max(img.size) <= 256
    assert api.get(f"/api/documents/{seeded.audio}/thumbnail").status_code == 404

    transcript = api.get(f"/api/documents/{seeded.audio}/transcript").json()
    assert transcript["language"] == "en" and transcript["segments"][0]["text"].startswith("One")
    assert api.get(f"/api/documents/{seeded.pdf}/transcript").json()["error"]["code"] == "no_transcript"


def test_patch_title_category_tags(api: TestClient, seeded: Seeded, database: Database) -> None:
    response = api.patch(
        f"/api/documents/{seeded.image}",
        json={"title": "  A   photo ", "category": " Photos / 2024 /", "tags": ["Trip", "trip", " beach "]},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "A photo"
    assert body["category"]["path"] == "Photos/2024"
    assert body["tags"] == ["Trip", "beach"]

    only_tags = api.patch(f"/api/documents/{seeded.image}", json={"tags": []}).json()
    assert (
        only_tags["tags"] == [] and only_tags["title"] == "A photo" and only_tags["category"]["path"] == "Photos/2024"
    )
    cleared = api.patch(f"/api/documents/{seeded.image}", json={"category": None, "title": None}).json()
    assert cleared["category"] is None and cleared["title"] is None
    with database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM categories WHERE path = 'Photos/2024'").fetchone()[0] == 1

    assert api.patch(f"/api/documents/{seeded.image}", json={"category": "///"}).status_code == 422
    assert api.patch(f"/api/documents/{seeded.image}", json={"title": "a\u0000b"}).status_code == 422
    assert api.patch(f"/api/documents/{seeded.image}", json={"color": "red"}).status_code == 422
    assert api.patch("/api/documents/424242", json={"title": "x"}).status_code == 404


def test_soft_delete_and_restore(api: TestClient, seeded: Seeded, database: Database) -> None:
    assert api.delete(f"/api/documents/{seeded.html}").status_code == 204
    gone = api.get(f"/api/documents/{seeded.html}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "deleted"
    assert seeded.html not in _ids(api.get("/api/documents").json())
    assert _ids(api.get("/api/documents", params={"deleted": True}).json()) == [seeded.html]
    with database.connect() as conn:  # the row and its file stay (soft delete)
        assert conn.execute("SELECT deleted_at IS NOT NULL FROM documents WHERE id = %s", (seeded.html,)).fetchone()[0]
    assert seeded.files[seeded.html].exists()
    assert api.delete(f"/api/documents/{seeded.html}").status_code == 404

    restored = api.post(f"/api/documents/{seeded.html}/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert api.get(f"/api/documents/{seeded.html}").status_code == 200


def test_reprocess_retry_and_history(api: TestClient, seeded: Seeded, database: Database) -> None:
    history = api.get(f"/api/documents/{seeded.broken}/history").json()
    assert [(h["stage"], h["status"]) for h in history] == [("extract", "failed")]
    assert history[0]["error"].startswith("cannot read the PDF") and history[0]["duration_sec"] is not None

    retried = api.post(f"/api/documents/{seeded.broken}/retry").json()
    assert retried == {"document_id": seeded.broken, "queued": 1}
    assert api.post(f"/api/documents/{seeded.broken}/retry").json()["queued"] == 0
    history = api.get(f"/api/documents/{seeded.broken}/history").json()
    assert [(h["stage"], h["status"], h["superseded"]) for h in history] == [
        ("extract", "failed", True),
        ("extract", "pending", False),
    ]
    assert api.get(f"/api/documents/{seeded.broken}").json()["status"] == "queued"

    # The pdf's markdown completed: reprocessing from it queues it again, at priority.
    again = api.post(f"/api/documents/{seeded.pdf}/reprocess", json={"from_stage": "markdown"})
    assert again.status_code == 200 and again.json() == {"document_id": seeded.pdf, "queued": ["markdown"]}
    assert api.post(f"/api/documents/{seeded.pdf}/reprocess", json={"from_stage": "markdown"}).json()["queued"] == []
    with database.connect() as conn:
        row = conn.execute(
            "SELECT priority FROM processing_queue "
            "WHERE document_id = %s AND stage = 'markdown' AND status = 'pending'",
            (seeded.pdf,),
        ).fetchone()
    assert row == (1,)
    # From the entry stages (no body).
    assert api.post(f"/api/documents/{seeded.image}/reprocess").json()["queued"] == ["extract"]

    wrong = api.post(f"/api/documents/{seeded.pdf}/reprocess", json={"from_stage": "stt"})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "stage_not_applicable"
    assert "markdown" in wrong.json()["error"]["hint"]
    assert api.post(f"/api/documents/{seeded.pdf}/reprocess", json={"from_stage": "nope"}).status_code == 422
    assert api.post("/api/documents/777777/reprocess").status_code == 404
