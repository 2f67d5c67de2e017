"""The STT service as a real process on loopback: transcription quality, formats, errors, limits, readiness."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from docmill.errors import BackendUnavailableError
from docmill.stt.backends import FasterWhisperBackend
from docmill.stt.client import SttClient, SttRejectedError
from docmill.stt.schemas import ModelState
from docmill.stt.service import ModelHolder
from tests.samples import Samples
from tests.stt.conftest import ENGLISH, SttProcess
from tests.stt.wer import normalise, word_error_rate

COUNTING = {"1", "2", "3", "4", "5"}


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and error["hint"], error
    return error


def test_english_speech_word_error_rate(stt_service: SttProcess, english_speech: Path) -> None:
    response = stt_service.transcribe(english_speech)
    assert response.status_code == 200, response.text
    body = response.json()
    wer = word_error_rate(ENGLISH, body["text"])
    assert wer <= 0.3, f"WER {wer:.2f}: {body['text']!r}"
    assert body["language"] == "en"
    assert body["model"] == "faster-whisper:tiny.en"
    assert 8 < body["duration"] < 20
    segments = body["segments"]
    assert segments and all(0 <= s["start"] <= s["end"] <= body["duration"] + 1 for s in segments)
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    assert " ".join(s["text"] for s in segments) == body["text"]
    # nothing against it: decoded at the first temperature, confidently, and it covers the speech
    assert body["flags"] == [] and body["note"] is None and body["language_source"] == "model"
    assert all(s["temperature"] == 0.0 and s["avg_logprob"] > -1.0 for s in segments)
    assert all(s["compression_ratio"] < 2.4 and 0 <= s["no_speech_prob"] <= 1 for s in segments)
    assert body["speech_seconds"] is None  # the text covers the recording: no voice activity pass needed
    assert -1.0 < body["avg_logprob"] < 0


def test_ready_names_the_model_and_its_languages(stt_service: SttProcess) -> None:
    body = stt_service.get("/ready").json()
    assert body["model"] == "faster-whisper:tiny.en" and body["languages"] == ["en"]
    assert body["default_language"] is None


def test_korean_speech_through_the_english_model_is_flagged(
    stt_service: SttProcess, korean_speech: Path, make_speech: Callable[..., Path]
) -> None:
    response = stt_service.transcribe(korean_speech)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "en" and body["model"] == "faster-whisper:tiny.en"
    assert "not_english" in body["flags"], body
    assert {"low_confidence", "unread_speech"} & set(body["flags"]), body
    assert body["note"].startswith("the speech does not look like English")
    assert "multilingual-stt" in body["note"] and "DOCMILL_STT_MODEL_DIR" in body["note"]
    assert body["speech_seconds"] > 2.0

    short = stt_service.transcribe(make_speech("Hello world.", "hello"))  # short English is still English
    assert short.status_code == 200 and short.json()["flags"] == [], short.text


@pytest.mark.parametrize("name", ["mp3/test.mp3", "wav/test.wav", "m4a/test.m4a"])
def test_corpus_recordings(stt_service: SttProcess, corpus: Path, name: str) -> None:
    response = stt_service.transcribe(corpus / name)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(normalise(body["text"])) >= COUNTING, body["text"]
    assert 6.0 < body["duration"] < 7.0
    assert body["flags"] == [] and body["note"] is None, body


def test_video_file_is_transcribed_from_its_audio_track(
    stt_service: SttProcess, make_speech: Callable[..., Path], make_video: Callable[..., Path]
) -> None:
    video = make_video("hello-video", make_speech("Good morning everyone, the meeting starts now.", "morning"))
    response = stt_service.transcribe(video)
    assert response.status_code == 200, response.text
    assert {"good", "morning", "meeting"} <= set(normalise(response.json()["text"]))


def test_files_that_cannot_be_transcribed(
    stt_service: SttProcess, tmp_path: Path, make_video: Callable[..., Path], english_speech: Path
) -> None:
    text = tmp_path / "notes.mp3"
    text.write_text("this is not audio at all, whatever the name says\n" * 20)
    error = assert_error(stt_service.transcribe(text), 422, "undecodable_media")
    assert "ffmpeg" in error["message"] and str(tmp_path) not in error["message"]

    truncated = tmp_path / "cut.m4a"
    truncated.write_bytes(b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 64)
    assert_error(stt_service.transcribe(truncated), 422, "undecodable_media")

    assert_error(stt_service.transcribe(make_video("silent", None)), 422, "no_audio")
    assert_error(stt_service.transcribe(english_speech, language="ko"), 422, "unsupported_language")
    assert_error(stt_service.transcribe(english_speech, language="english!"), 422, "unsupported_language")

    missing = httpx.post(stt_service.url + "/transcribe", data={"language": "en"}, timeout=10)
    assert_error(missing, 422, "invalid_request")


def test_client_maps_rejections_to_permanent_errors(stt_service: SttProcess, tmp_path: Path) -> None:
    client = SttClient(stt_service.url, timeout_s=60)
    assert client.require_ready().ready
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF" + b"\x07" * 500)
    with pytest.raises(SttRejectedError) as info:
        client.transcribe(junk)
    assert info.value.code == "undecodable_media" and info.value.status == 422
    assert "ffmpeg cannot decode" in info.value.message and info.value.hint


def test_concurrent_requests_wait_for_a_slot(stt_service: SttProcess, samples: Samples) -> None:
    """concurrency 1: three requests at once all succeed, one at a time, the others waiting."""
    results: list[int] = []
    readings: list[tuple[int, int]] = []

    def send() -> None:
        results.append(stt_service.transcribe(samples / "wav/counting.wav").status_code)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        body = stt_service.get("/ready").json()
        readings.append((body["active"], body["waiting"]))
    for t in threads:
        t.join(120)
    assert results == [200, 200, 200]
    assert max(active for active, _ in readings) <= 1
    assert max(waiting for _, waiting in readings) >= 1, readings
    assert stt_service.get("/ready").json()["active"] == 0


def test_preload_failure_keeps_the_process_alive(stt_process: Callable[..., SttProcess], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    service = stt_process({"DOCMILL_STT_MODEL_DIR": str(missing), "STT_PRELOAD": "1"})
    service.wait_alive()
    service.wait_until(lambda: service.get("/ready").json()["state"] == "failed", "the failed state")
    ready = service.get("/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["ready"] is False
    assert str(missing) in body["reason"] and "does not exist" in body["reason"]
    assert "DOCMILL_STT_MODEL_DIR" in body["hint"]
    assert service.get("/health").status_code == 200

    assert_error(service.transcribe(Path(__file__)), 503, "model_unavailable")
    with pytest.raises(BackendUnavailableError, match="not ready"):
        SttClient(service.url).require_ready()
    assert service.proc is not None and service.proc.poll() is None


def test_a_default_language_the_model_cannot_read_fails_the_load() -> None:
    holder = ModelHolder(FasterWhisperBackend(), default_language="ko")
    holder.load()
    assert holder.state == ModelState.FAILED and holder.reason and holder.hint
    assert "DOCMILL_STT_LANGUAGE=ko" in holder.reason and "English only" in holder.reason
    assert "DOCMILL_STT_LANGUAGE=auto" in holder.hint and "multilingual-stt" in holder.hint


def test_lazy_loading_and_limits(
    stt_process: Callable[..., SttProcess],
    samples: Samples,
    tmp_path: Path,
    make_speech: Callable[..., Path],
) -> None:
    """STT_PRELOAD=0: not ready until the first transcription loads the model; refused files never load it."""
    service = stt_process({"STT_PRELOAD": "0", "DOCMILL_STT_MAX_SECONDS": "4", "DOCMILL_STT_MAX_BYTES": "300000"})
    service.wait_alive()
    ready = service.get("/ready")
    assert ready.status_code == 503 and ready.json()["state"] == "not_loaded"
    SttClient(service.url).require_ready()  # a lazy service takes work: the first request loads the model

    big = tmp_path / "big.wav"
    big.write_bytes(b"\x00" * 400_000)
    assert_error(service.transcribe(big), 413, "too_large")

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit applies while the body streams in
        yield b'--B\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\n'
        yield from (b"\x00" * 65536 for _ in range(8))
        yield b"\r\n--B--\r\n"

    streamed = httpx.post(
        service.url + "/transcribe",
        content=chunked(),
        headers={"content-type": "multipart/form-data; boundary=B"},
        timeout=30,
    )
    assert_error(streamed, 413, "too_large")
    error = assert_error(service.transcribe(samples / "mp3/counting.mp3"), 413, "too_long")  # ~5 s of speech
    assert "DOCMILL_STT_MAX_SECONDS" in error["hint"]
    assert service.get("/ready").json()["state"] == "not_loaded"

    short = make_speech("Hello world.", "hello")
    response = service.transcribe(short)
    assert response.status_code == 200, response.text
    assert {"hello", "world"} <= set(normalise(response.json()["text"]))
    assert service.get("/ready").status_code == 200
