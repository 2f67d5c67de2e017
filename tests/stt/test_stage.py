"""The stt stage through a real worker, a real database and a real STT service process; the transcript's flags
and the recording's language through the API and the CLI."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from docmill.api.app import create_app
from docmill.cli.main import app as cli
from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database
from docmill.models import Chunk, Document
from docmill.pipeline import queue
from docmill.pipeline.registry import get_stage
from docmill.pipeline.worker import Worker
from docmill.stages.stt import format_timestamp, transcript_markdown
from tests.api.conftest import make_account
from tests.helpers import run_worker_until_idle, wait_for
from tests.stt.conftest import SttProcess, free_port
from tests.stt.wer import normalise

AI_STAGES = ["index", "classify", "summarize", "embed"]


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
    assert rows["index"][0] == "pending", rows  # the transcript is indexed next, then the AI stages run
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


def chunk_count(database: Database, doc_id: int) -> int:
    with database.session() as session:
        return int(session.scalar(sa.select(sa.func.count()).where(Chunk.document_id == doc_id)) or 0)


def test_korean_speech_is_flagged_and_kept_out_of_summaries_and_search(
    database: Database,
    settings: Settings,
    stt_service: SttProcess,
    korean_speech: Path,
    make_speech: Callable[..., Path],
) -> None:
    english_speech = make_speech("Welcome to the weekly planning meeting. Today we review the budget.", "planning")
    cfg = settings.model_copy(update={"stt_url": stt_service.url, "worker_poll_interval": 0.2})
    korean = add_media_document(database, cfg, korean_speech, "audio", "audio/wav")
    english = add_media_document(database, cfg, english_speech, "audio", "audio/wav")
    run_worker_until_idle(database, cfg, stages=["stt", *AI_STAGES], timeout=300)

    with database.session() as session:
        doc = session.get(Document, korean)
        assert doc is not None and doc.transcript is not None
        assert "not_english" in doc.transcript["flags"], doc.transcript
        assert doc.transcript["note"].startswith("the speech does not look like English")
        assert doc.markdown is None and doc.markdown_note == doc.transcript["note"]
        assert doc.summary is None and doc.ai_summary is None and doc.language is None
        heard = session.get(Document, english)
        assert heard is not None and heard.transcript is not None and heard.transcript["flags"] == []
        assert heard.markdown and heard.summary and heard.language == "en"
    assert chunk_count(database, korean) == 0 and chunk_count(database, english) > 0
    rows = queue_rows(database, korean)
    assert rows["stt"][0] == "completed" and "flagged" in (_note(database, korean, "stt") or "")
    for stage in AI_STAGES:
        assert rows[stage][0] == "completed" and _note(database, korean, stage) == "skipped: no text", stage

    with TestClient(create_app()) as client:
        client.headers.update(make_account(database).headers)
        detail = client.get(f"/api/documents/{korean}").json()
        assert "not_english" in detail["transcript_flags"] and detail["stt_language"] is None
        assert detail["transcript_note"].startswith("the speech does not look like English")
        transcript = client.get(f"/api/documents/{korean}/transcript").json()
        assert "not_english" in transcript["flags"] and transcript["note"] == detail["transcript_note"]
        assert transcript["language_source"] == "model" and transcript["speech_seconds"] > 2
        fine = client.get(f"/api/documents/{english}").json()
        assert fine["transcript_flags"] == [] and fine["transcript_note"] is None
        segments = client.get(f"/api/documents/{english}/transcript").json()["segments"]
        assert segments and all(s["avg_logprob"] is not None and s["temperature"] == 0.0 for s in segments)


def _note(database: Database, doc_id: int, stage: str) -> str | None:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT note FROM processing_queue WHERE document_id = %s AND stage::text = %s ORDER BY id DESC LIMIT 1",
            (doc_id, stage),
        ).fetchone()
    return row[0] if row else None


def use_stt_url(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point the settings of the API and the CLI (read from the environment) at an STT service."""
    monkeypatch.setenv("DOCMILL_STT_URL", url)
    reset_settings_cache()


def test_transcribe_again_in_a_language_through_the_api_and_the_cli(
    database: Database,
    settings: Settings,
    stt_service: SttProcess,
    korean_speech: Path,
    make_document: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc_id = add_media_document(database, settings, korean_speech, "audio", "audio/wav")
    text_id = make_document(kind="text", markdown="# notes")
    url = f"/api/documents/{doc_id}/transcribe"
    with TestClient(create_app()) as client:
        client.headers.update(make_account(database).headers)

        use_stt_url(monkeypatch, stt_service.url)  # up, and it says it reads English only: Korean is refused now
        refused = client.post(url, json={"language": "ko"})
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "language_unsupported" and "English only" in error["message"]
        assert "multilingual-stt" in error["hint"]
        accepted = client.post(url, json={"language": "EN"})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json() == {"document_id": doc_id, "language": "en", "queued": []}  # stt was waiting already

        use_stt_url(monkeypatch, f"http://127.0.0.1:{free_port()}")  # down: the request goes through, the row waits
        assert client.post(url, json={"language": "ko"}).json()["language"] == "ko"
        assert client.get(f"/api/documents/{doc_id}").json()["stt_language"] == "ko"

        bad = client.post(url, json={"language": "korean!"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_language"
        text = client.post(f"/api/documents/{text_id}/transcribe", json={"language": "en"})
        assert text.status_code == 409 and text.json()["error"]["code"] == "not_a_recording"
        assert client.post("/api/documents/999999/transcribe", json={}).status_code == 404
        kept = client.post(url)  # no body: the language set before
        assert kept.status_code == 200 and kept.json()["language"] == "ko", kept.text
        assert client.post(url, json={"language": None}).json()["language"] is None  # null: the default
        assert client.post(url, json={"language": "ko"}).json()["language"] == "ko"

    with database.connect() as conn:  # as if the stt row ran meanwhile
        conn.execute("UPDATE processing_queue SET status = 'completed' WHERE document_id = %s", (doc_id,))
        conn.commit()
    runner = CliRunner()
    result = runner.invoke(cli, ["transcribe", str(doc_id), "--language", "ja"])
    assert result.exit_code == 0, result.output
    assert f"document {doc_id}: transcribed again in ja; queued stt" in result.output
    assert queue_rows(database, doc_id)["stt"][0] == "pending"
    kept = runner.invoke(cli, ["transcribe", str(doc_id)])  # no --language: the one set before
    assert kept.exit_code == 0 and "in ja" in kept.output and "already waiting" in kept.output
    cleared = runner.invoke(cli, ["transcribe", str(doc_id), "--language", "auto"])
    assert cleared.exit_code == 0 and "default language" in cleared.output, cleared.output
    missing = runner.invoke(cli, ["transcribe", "999999"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    with database.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.stt_language is None
