"""Stage behaviour beyond the corpus: no LibreOffice, reruns that must not pile up outputs, a video and a
rotated photo (built here)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from docmill.config import Settings
from docmill.convert.libreoffice import NOT_INSTALLED
from docmill.db.engine import Database
from docmill.ingest.service import ingest_path
from docmill.pipeline.queue import enqueue_stages
from tests.helpers import run_worker_until_idle
from tests.samples import Samples
from tests.stages.conftest import document_rows, queue_rows

STAGES = ["extract", "markdown", "thumbnail", "preview"]


def test_without_libreoffice_previews_say_so_and_reruns_are_idempotent(
    database: Database, settings: Settings, samples: Samples, tmp_path: Path
) -> None:
    no_office = settings.model_copy(update={"soffice_path": "none"})
    docx = ingest_path(database, samples / "docx/report.docx", settings=no_office).document_id
    damaged = tmp_path / "notes.txt"
    damaged.write_bytes("Grüße, a note in UTF-8 with one bad byte: ".encode() * 10 + b"\xff\n")
    text = ingest_path(database, damaged, settings=no_office).document_id
    photo_path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown rotated 90°: portrait
    Image.new("RGB", (600, 300), (200, 30, 30)).save(photo_path, "JPEG", exif=exif.tobytes())
    photo = ingest_path(database, photo_path, settings=no_office).document_id
    video = None
    if shutil.which("ffmpeg"):
        video_path = tmp_path / "clip.mp4"
        subprocess.run(
            ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10:duration=2", str(video_path)],
            check=True,
            timeout=60,
        )
        video = ingest_path(database, video_path, settings=no_office).document_id
    run_worker_until_idle(database, no_office, stages=STAGES, timeout=180)

    rows, docs = queue_rows(database), document_rows(database)
    assert rows[(docx, "preview")]["status"] == "completed" and rows[(docx, "preview")]["note"] == NOT_INSTALLED
    assert docs[docx]["preview_note"] == NOT_INSTALLED and docs[docx]["preview_path"] is None
    assert rows[(docx, "thumbnail")]["status"] == "completed" and docs[docx]["thumbnail_path"] is None
    assert "214 passing ships" in docs[docx]["markdown"]
    with Image.open(no_office.data_dir / docs[photo]["thumbnail_path"]) as thumb:
        assert thumb.size == (160, 320), "EXIF orientation is applied before scaling"
    if video is not None:  # ffmpeg installed
        assert docs[video]["kind"] == "video" and rows[(video, "stt")]["status"] == "pending"
        assert rows[(video, "thumbnail")]["status"] == "completed", rows[(video, "thumbnail")]
        with Image.open(no_office.data_dir / docs[video]["thumbnail_path"]) as thumb:
            assert thumb.size == (320, 240)
        assert docs[video]["metadata"]["duration_s"] == pytest.approx(2.0, abs=0.2)
    first = docs[text]
    assert sum(w.startswith("markdown: ") for w in first["warnings"]) == 1

    with database.connect() as conn:
        enqueue_stages(conn, [(d, s) for d in (docx, text) for s in ("extract", "markdown")])
        conn.commit()
    run_worker_until_idle(database, no_office, stages=STAGES, timeout=180)
    again = document_rows(database)
    for doc_id in (docx, text):
        assert again[doc_id]["markdown"] == docs[doc_id]["markdown"]
        assert again[doc_id]["warnings"] == docs[doc_id]["warnings"], "reruns replace a stage's warnings"
        assert again[doc_id]["title"] == docs[doc_id]["title"]
