"""Transcript flags from the model's own scores, the note a user reads, and the one predicate the AI stages ask."""

from __future__ import annotations

import pytest

from docmill.errors import Invalid
from docmill.models import Document
from docmill.stages.base import ai_text
from docmill.stt.backends import Segment
from docmill.stt.confidence import assess, needs_speech_seconds, note
from docmill.transcripts import (
    LanguageSource,
    TranscriptFlag,
    normalize_language,
    transcript_flags,
    transcript_is_reliable,
)

# Scores as tiny.en gave them here on espeak-ng speech (tests/stt/test_service.py hears the real ones).
ENGLISH = [
    Segment(0.0, 3.0, "The quick round fox jump over the lazy dog.", -0.35, 0.09, 1.32, 0.0),
    Segment(3.5, 8.0, "Please send the quarterly report to the finance team.", -0.35, 0.09, 1.32, 0.0),
]
KOREAN_AS_ENGLISH = [Segment(0.0, 4.2, "Thank you very much for watching.", -1.07, 0.59, 0.97, 1.0)]
LOOP = [Segment(0.0, 22.4, "Chinese later, " * 30, -0.08, 0.60, 33.85, 1.0)]


def test_english_speech_is_not_flagged() -> None:
    judged = assess(ENGLISH, 8.1, english_only=True)
    assert judged.flags == []
    assert judged.avg_logprob == pytest.approx(-0.35)
    assert judged.written_seconds == pytest.approx(7.5) and judged.trusted_seconds == pytest.approx(7.5)
    short = [Segment(0.0, 1.0, "Yes.", -0.87, 0.51, 0.33, 0.0)]  # one word scores lower, and is still fine
    assert assess(short, 0.8, english_only=True).flags == []


def test_foreign_speech_through_an_english_only_model() -> None:
    hallucinated = assess(KOREAN_AS_ENGLISH, 4.5, english_only=True).flags
    assert hallucinated == [TranscriptFlag.LOW_CONFIDENCE, TranscriptFlag.UNREAD_SPEECH, TranscriptFlag.NOT_ENGLISH]
    skipped = assess([], 8.2, english_only=True)  # every window skipped: nothing written, yet 8 s of speech
    assert skipped.flags == [TranscriptFlag.UNREAD_SPEECH, TranscriptFlag.NOT_ENGLISH]
    assert skipped.avg_logprob is None
    looping = assess(LOOP, 22.4, english_only=True).flags
    assert TranscriptFlag.REPETITIVE in looping and TranscriptFlag.NOT_ENGLISH in looping


def test_voice_activity_is_measured_only_when_it_can_matter() -> None:
    assert not needs_speech_seconds(ENGLISH, 8.1)  # trusted text covers most of the recording
    assert needs_speech_seconds([], 8.2) and needs_speech_seconds(KOREAN_AS_ENGLISH, 4.5)
    assert not needs_speech_seconds([], 1.0)  # too short to judge anyway


def test_silence_and_unmeasured_speech_are_not_flagged() -> None:
    assert assess([], 0.0, english_only=True).flags == []  # a tone or noise: nobody spoke
    assert assess([], None, english_only=True).flags == []  # no VAD: nothing to say about coverage
    assert assess([], 1.0, english_only=True).flags == []  # too little speech to judge


def test_multilingual_models_are_flagged_without_blaming_english() -> None:
    flags = assess(KOREAN_AS_ENGLISH, 4.5, english_only=False).flags
    assert TranscriptFlag.LOW_CONFIDENCE in flags and TranscriptFlag.NOT_ENGLISH not in flags
    text = note(flags, model="faster-whisper:base", english_only=False, language="th", source=LanguageSource.DETECTED)
    assert text is not None and "'th'" in text and "detected" in text and "another language" in text


def test_the_note_says_what_to_do() -> None:
    flags = [TranscriptFlag.UNREAD_SPEECH, TranscriptFlag.NOT_ENGLISH]
    text = note(flags, model="faster-whisper:tiny.en", english_only=True, language="en", source=LanguageSource.MODEL)
    assert text is not None
    assert text.startswith("the speech does not look like English")
    assert "[multilingual-stt]" in text and "DOCMILL_STT_MODEL_DIR" in text and "not summarize" in text
    assert note([], model="m", english_only=True, language="en", source=LanguageSource.MODEL) is None


def test_language_codes() -> None:
    assert normalize_language(" KO ") == "ko"
    assert normalize_language("auto") is None and normalize_language(None) is None and normalize_language("") is None
    with pytest.raises(Invalid) as bad:
        normalize_language("korean!")
    assert bad.value.code == "invalid_language" and bad.value.hint and '"ko"' in bad.value.hint


def test_the_ai_stages_skip_flagged_transcripts() -> None:
    flagged = {"text": "Thank you for watching.", "segments": [], "flags": ["low_confidence", "not_english"]}
    assert not transcript_is_reliable(flagged)
    assert transcript_flags(flagged) == [TranscriptFlag.LOW_CONFIDENCE, TranscriptFlag.NOT_ENGLISH]
    assert ai_text(Document(kind="audio", transcript=flagged)) == ""
    newer = {"text": "words", "flags": ["a_flag_from_a_newer_version"]}
    assert not transcript_is_reliable(newer) and transcript_flags(newer) == []

    trusted = {"text": "The budget meeting is on Friday.", "segments": [], "flags": []}
    assert transcript_is_reliable(trusted) and transcript_is_reliable(None)
    assert ai_text(Document(kind="audio", transcript=trusted)) == "The budget meeting is on Friday."
    old = {"text": "Stored before flags existed."}
    assert ai_text(Document(kind="audio", transcript=old, markdown="**[00:00.0 → 00:02.0]** Stored")) != ""
    assert ai_text(Document(kind="text", markdown="# Notes\n\nplain text")) == "# Notes\n\nplain text"
