"""Voice activity: how many seconds of a recording are speech, whatever the language.

Silero VAD, whose ONNX model ships inside the faster-whisper package (run by onnxruntime, one of its
dependencies): nothing is downloaded. It costs about 5 ms per second of audio on one core here (~4% of tiny.en's
time), and tells "the model wrote nothing because nobody spoke" from "somebody spoke and the model could not
read it"; the service runs it only when that question is open (docmill.stt.confidence.needs_speech_seconds).
"""

from __future__ import annotations

import logging

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps, get_vad_model

from docmill.stt.audio import SAMPLE_RATE

log = logging.getLogger(__name__)

# Little padding and short pauses: the figure is compared with what the model wrote, so it must not grow
# speech out of silence (faster-whisper's defaults pad each chunk by 400 ms and merge over 2 s pauses).
PAD_MS = 100
MIN_SILENCE_MS = 500


def load() -> bool:
    """Load the VAD model now (it is cached); False when it cannot run here."""
    try:
        get_vad_model()
    except Exception as exc:
        log.warning("voice activity detection is unavailable (%s); unread speech cannot be flagged", exc)
        return False
    return True


def speech_seconds(audio: np.ndarray) -> float | None:
    """Seconds of speech in 16 kHz mono samples; None when the VAD cannot run here."""
    try:
        options = VadOptions(speech_pad_ms=PAD_MS, min_silence_duration_ms=MIN_SILENCE_MS)
        stamps = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    except Exception as exc:
        log.warning("voice activity detection failed (%s); unread speech is not checked", exc)
        return None
    return round(sum(s["end"] - s["start"] for s in stamps) / SAMPLE_RATE, 3)
