"""The stt stage through a real worker, a real database and a real STT service process."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from docmill.pipeline import queue
from docmill.pipeline.registry import get_stage
from docmill.pipeline.worker import Worker
from docmill.stages.stt import format_timestamp, transcript_markdown
from tests.helpers import run_worker_until_idle, wait_for
from tests.stt.conftest import SttProcess, free_port
from tests.stt.wer import normalise


def add_media_document(database: Database, settings: Settings, path: Path, kind: str, media_type: str) -> int:
    """A document row for `path`, its file stored under files_dir, with an stt row queued."""
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    storage_path = f"{sha[:2]}/{sha}{path.suffix}"
    target = settings.files_dir / storage_path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    with database.transaction() as session:
        doc = Document(
            sha256=sha,
            original_name=path.name,
            media_type=media_type,
            kind=kind,
            size_bytes=len(data),
            storage_path=storage_path,
            source="test",
        )
        session.add(doc)
        session.flush()
        assert queue.enqueue_stage(session, doc.id, "stt")
        return doc.id


def queue_rows(database: Database, doc_id: int) -> dict[str, tuple[str, int, int, str | None]]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT stage::text, status::text, attempts, waits, error FROM processing_queue WHERE document_id = %s",
            (doc_id,),
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}


def test_timestamps_and_markdown() -> None:
    assert format_timestamp(1.24) == "00:01.2"
    assert format_timestamp(59.96) == "01:00.0"
    assert format_timestamp(3723.46) == "1:02:03.5"
    assert format_timestamp(3.4, with_hours=True) == "0:00:03.4"
    md = transcript_markdown(
        [
            {"start": 1.2, "end": 3.4, "text": " Hello. "},
            {"start": 3.4, "end": 4.0, "text": ""},
            {"start": 4, "end": 9, "text": "Bye"},
        ]
    )
    assert md == "**[00:01.2 → 00:03.4]** Hello.\n\n**[00:04.0 → 00:09.0]** Bye\n"
    assert transcript_markdown([]) == ""


def test_video_goes_through_the_pipeline(
    database: Database,
    settings: Settings,
    stt_service: SttProcess,
    make_speech: Callable[..., Path],
    make_video: Callable[..., Path],
) -> None:
    speech = make_speech("Welcome to the weekly planning meeting. Today we review the budget.", "planning")
    video = make_video("planning", speech)
    silent = make_video("silent", None)
    cfg = settings.model_copy(update={"stt_url": stt_service.url, "worker_poll_interval": 0.2})
    doc_id = add_media_document(database, cfg, video, "video", "video/mp4")
    silent_id = add_media_document(database, cfg, silent, "video", "video/mp4")

    run_worker_until_idle(database, cfg, stages=["stt"], timeout=120)

    with database.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.transcript is not None
        transcript = doc.transcript
        assert transcript["model"] == "faster-whisper:tiny.en"
        assert transcript["language"] == "en" and doc.language == "en"
        assert 3 < transcript["duration"] < 10
        assert transcript["segments"] and all({"start", "end", "text"} <= set(s) for s in transcript["segments"])
        words = set(normalise(transcript["text"]))
        assert {"weekly", "planning", "meeting", "budget"} <= words, transcript["text"]
        assert doc.markdown is not None and doc.markdown.startswith("**[00:0")
        assert "→" in doc.markdown and "budget" in doc.markdown.lower()

        quiet = session.get(Document, silent_id)
        assert quiet is not None and quiet.markdown is None and quiet.markdown_note == "no audio track"

    rows = queue_rows(database, doc_id)
    assert rows["stt"][0] == "completed"
    for stage in ("classify", "summarize", "embed"):
        assert rows[stage][0] == "pending", rows
    assert queue_rows(database, silent_id)["stt"][0] == "completed"


def test_corrupt_audio_fails_permanently(
    database: Database, settings: Settings, stt_service: SttProcess, tmp_path: Path
) -> None:
    junk = tmp_path / "broken.mp3"
    junk.write_bytes(b"ID3\x03\x00\x00\x00" + b"\xff" * 3000)
    cfg = settings.model_copy(update={"stt_url": stt_service.url, "worker_poll_interval": 0.2})
    doc_id = add_media_document(database, cfg, junk, "audio", "audio/mpeg")
    run_worker_until_idle(database, cfg, stages=["stt"], timeout=60)
    status, attempts, _, error = queue_rows(database, doc_id)["stt"]
    assert status == "failed" and attempts == 1
    assert error is not None and "ffmpeg cannot decode" in error


def test_rows_wait_while_the_service_is_down(
    database: Database,
    settings: Settings,
    stt_process: Callable[..., SttProcess],
    make_speech: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queue, "MAX_DEFER_S", 0.5)
    port = free_port()
    cfg = settings.model_copy(update={"stt_url": f"http://127.0.0.1:{port}", "worker_poll_interval": 0.2})
    doc_id = add_media_document(database, cfg, make_speech("Hello world.", "hello"), "audio", "audio/wav")
    spec = get_stage("stt")
    assert spec is not None
    worker = Worker(database, [spec], settings=cfg, grace_s=10)
    worker.start()
    try:
        wait_for(lambda: queue_rows(database, doc_id)["stt"][2] >= 3, 30, message="the stt row never waited")
        status, attempts, waits, error = queue_rows(database, doc_id)["stt"]
        assert status in ("pending", "processing") and attempts <= 1 and waits >= 3
        assert error is not None and "unreachable" in error and "docmill stt-server" in error

        service = stt_process({"STT_PRELOAD": "1"}, port=port)
        wait_for(
            lambda: queue_rows(database, doc_id)["stt"][0] == "completed",
            90,
            interval=0.3,
            message=f"the stt row did not complete once the service was up\n{service.log()}",
        )
    finally:
        worker.stop()
        worker.join()
    status, attempts, waits, _ = queue_rows(database, doc_id)["stt"]
    assert attempts == 1 and waits >= 3
    with database.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.transcript is not None
        assert {"hello", "world"} <= set(normalise(doc.transcript["text"]))
