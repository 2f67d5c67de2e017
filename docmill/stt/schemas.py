"""Request and response bodies of the STT service (errors use docmill's one shape, docmill.api.errors.ErrorBody)."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field


class ModelState(enum.StrEnum):
    NOT_LOADED = "not_loaded"  # STT_PRELOAD=0: loads on the first transcription
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


class Health(BaseModel):
    status: str = Field(description='Always "ok" while the process answers (liveness).')


class Readiness(BaseModel):
    ready: bool = Field(description="True only when the model is loaded.")
    state: ModelState
    backend: str
    model: str
    reason: str | None = Field(default=None, description="Why the service is not ready.")
    hint: str | None = Field(default=None, description="What to do about it.")
    active: int = Field(description="Transcriptions running now.")
    waiting: int = Field(description="Requests waiting for a free slot.")
    concurrency: int = Field(description="Transcriptions allowed at once.")


class TranscriptSegment(BaseModel):
    start: float = Field(description="Seconds from the start.")
    end: float
    text: str


class TranscribeResponse(BaseModel):
    text: str
    segments: list[TranscriptSegment]
    language: str = Field(description="Detected (or given) language code.")
    language_probability: float | None = None
    duration: float = Field(description="Seconds of audio transcribed.")
    model: str = Field(description='Engine and model, e.g. "faster-whisper:tiny.en".')
    processing_seconds: float = Field(description="Wall time of decoding and transcription.")
