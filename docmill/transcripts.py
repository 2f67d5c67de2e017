"""Domain types of transcripts, shared by every layer (STT service, stt stage, AI stages, API, UI types).

A transcript is stored as JSON in `Document.transcript`; this module names what it may say about itself:
its flags (why its text cannot be trusted), where its language came from, and which language codes a user
may ask for. It lives here, beside `kinds`, so that the API and the stages need not import the STT service.

The one decision "may the AI stages use this transcript's text?" is `transcript_is_reliable`.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from docmill.errors import Invalid

AUTO = "auto"
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
LANGUAGE_HINT = 'use an ISO 639-1 code such as "en" or "ko", or "auto" for the STT service\'s default'


class TranscriptFlag(enum.StrEnum):
    """Why a transcript's text cannot be trusted; any flag keeps it away from summaries, tags and search."""

    LOW_CONFIDENCE = "low_confidence"  # most of the text has a low average log-probability or needed fallback
    REPETITIVE = "repetitive"  # most of the text repeats itself (high compression ratio): a decoding loop
    UNREAD_SPEECH = "unread_speech"  # voice activity found speech the model wrote (almost) nothing for
    NOT_ENGLISH = "not_english"  # the model reads English only and the speech does not look like English


class LanguageSource(enum.StrEnum):
    """Where the language a recording was transcribed in came from."""

    REQUESTED = "requested"  # the request named it (a document's own language, set by the user)
    DEFAULT = "default"  # the STT service's DOCMILL_STT_LANGUAGE
    DETECTED = "detected"  # a multilingual model detected it (unreliable on short or synthetic speech)
    MODEL = "model"  # the model reads only this language


def normalize_language(value: str | None) -> str | None:
    """A language code a user typed, normalized ("KO " → "ko"); None for "auto" or nothing.

    Raises Invalid (code "invalid_language") for anything that is not a language code.
    """
    text = (value or "").strip().lower()
    if not text or text == AUTO:
        return None
    if not LANGUAGE_CODE.match(text):
        raise Invalid(f"language {value!r} is not a language code", LANGUAGE_HINT, code="invalid_language")
    return text


def transcript_flags(transcript: dict[str, Any] | None) -> list[TranscriptFlag]:
    """The flags a stored transcript carries (unknown values from a newer version are kept out)."""
    raw = (transcript or {}).get("flags") if isinstance(transcript, dict) else None
    known = {f.value for f in TranscriptFlag}
    return [TranscriptFlag(f) for f in raw or [] if isinstance(f, str) and f in known]


def transcript_note(transcript: dict[str, Any] | None) -> str | None:
    note = (transcript or {}).get("note") if isinstance(transcript, dict) else None
    return note if isinstance(note, str) and note else None


def transcript_is_reliable(transcript: dict[str, Any] | None) -> bool:
    """False for a transcript the STT service flagged: its text must not be summarized, tagged or embedded."""
    raw = (transcript or {}).get("flags") if isinstance(transcript, dict) else None
    return not raw
