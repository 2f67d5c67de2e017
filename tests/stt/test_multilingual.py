"""Whisper base from the `multilingual-stt` extra (scripts/setup.sh --dev installs it): joined in memory, offline,
English read well, a language per recording honoured by the service and by the stt stage."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import Document
from docmill.stt.models import base_installed
from tests.helpers import run_worker_until_idle
from tests.stt.conftest import ENGLISH, SttProcess
from tests.stt.test_stage import add_media_document
from tests.stt.wer import normalise, word_error_rate

pytestmark = pytest.mark.skipif(
    not base_installed(),
    reason="the multilingual model is not installed (pip install -e '.[multilingual-stt]'; setup.sh --dev does)",
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def base_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SttProcess]:
    """One STT service with Whisper base, English by default, and no way to fetch or cache anything."""
    root = tmp_path_factory.mktemp("stt-base")
    (root / "data").mkdir()
    (root / "hf").mkdir()
    env: dict[str, str | None] = {
        "DOCMILL_STT_MODEL": "base",
        "DOCMILL_STT_LANGUAGE": "en",
        "DOCMILL_DATA_DIR": str(root / "data"),
        "STT_PRELOAD": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(root / "hf"),
        "HF_ENDPOINT": "http://127.0.0.1:9",  # nothing listens there: a download attempt would fail loudly
    }
    proc = SttProcess(root / "stt.log", env=env).start()
    try:
        proc.wait_ready()
        yield proc
    finally:
        proc.stop()


def test_the_joined_model_loads_offline_from_memory(base_service: SttProcess) -> None:
    body = base_service.get("/ready").json()
    assert body["ready"] and body["model"] == "faster-whisper:base"
    assert {"en", "ko", "ja", "zh"} <= set(body["languages"]) and len(body["languages"]) > 90
    assert body["default_language"] == "en"
    root = base_service.log_path.parent
    assert list((root / "data").iterdir()) == [] and list((root / "hf").iterdir()) == []  # nothing written


def test_english_word_error_rate_and_the_default_language(base_service: SttProcess, english_speech: Path) -> None:
    response = base_service.transcribe(english_speech)
    assert response.status_code == 200, response.text
    body = response.json()
    wer = word_error_rate(ENGLISH, body["text"])
    assert wer <= 0.2, f"WER {wer:.2f}: {body['text']!r}"
    assert body["language"] == "en" and body["language_source"] == "default" and body["flags"] == []

    detected = base_service.transcribe(english_speech, language="auto").json()
    assert detected["language"] == "en" and detected["language_source"] == "detected"


def test_the_language_of_a_recording_is_honoured(base_service: SttProcess, korean_speech: Path) -> None:
    body = base_service.transcribe(korean_speech, language="ko").json()
    assert body["language"] == "ko" and body["language_source"] == "requested"
    assert HANGUL.search(body["text"]), body["text"]
    assert "not_english" not in body["flags"]
    refused = base_service.transcribe(korean_speech, language="xx")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unsupported_language"


def test_the_stt_stage_sends_the_documents_language(
    database: Database, settings: Settings, base_service: SttProcess, korean_speech: Path
) -> None:
    cfg = settings.model_copy(update={"stt_url": base_service.url, "worker_poll_interval": 0.2})
    doc_id = add_media_document(database, cfg, korean_speech, "audio", "audio/wav")
    with database.transaction() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.stt_language = "ko"
    run_worker_until_idle(database, cfg, stages=["stt"], timeout=180)
    with database.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.transcript is not None
        transcript = doc.transcript
        assert transcript["language"] == "ko" and transcript["requested_language"] == "ko"
        assert transcript["language_source"] == "requested" and transcript["model"] == "faster-whisper:base"
        assert HANGUL.search(transcript["text"]), transcript["text"]


@pytest.mark.parametrize("name", ["mp3/test.mp3", "m4a/test.m4a"])
def test_corpus_recordings_through_whisper_base(base_service: SttProcess, corpus: Path, name: str) -> None:
    body = base_service.transcribe(corpus / name).json()
    assert {"1", "2", "3", "4", "5"} <= set(normalise(body["text"])), body["text"]
    assert body["language"] == "en" and body["flags"] == [], body
