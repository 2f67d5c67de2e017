"""Request and response bodies of the STT service (errors use docmill's one shape, docmill.api.errors.ErrorBody)."""

from __future__ import annotations

import enum

from pydantic import BaseModel, Field

from docmill.transcripts import LanguageSource, TranscriptFlag


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
    languages: list[str] = Field(
        default_factory=list, description='Language codes the model reads (["en"]: English only; empty: unknown).'
    )
    default_language: str | None = Field(
        default=None, description="DOCMILL_STT_LANGUAGE: the language of requests that name none; null: detect."
    )
    reason: str | None = Field(default=None, description="Why the service is not ready.")
    hint: str | None = Field(default=None, description="What to do about it.")
    active: int = Field(description="Transcriptions running now.")
    waiting: int = Field(description="Requests waiting for a free slot.")
    concurrency: int = Field(description="Transcriptions allowed at once.")


class TranscriptSegment(BaseModel):
    start: float = Field(description="Seconds from the start.")
    end: float
    text: str
    avg_logprob: float | None = Field(default=None, description="Average token log-probability of its window.")
    no_speech_prob: float | None = Field(default=None, description="The model's probability that it is no speech.")
    compression_ratio: float | None = Field(default=None, description="gzip ratio of its window's text (loops: >2.4).")
    temperature: float | None = Field(default=None, description="Temperature it was finally decoded at (0: first try).")


class TranscribeResponse(BaseModel):
    text: str
    segments: list[TranscriptSegment]
    language: str = Field(description="Detected (or given) language code.")
    language_probability: float | None = None
    language_source: LanguageSource = Field(description="Where the language came from.")
    flags: list[TranscriptFlag] = Field(
        default_factory=list, description="Why the text cannot be trusted; empty: nothing against it."
    )
    note: str | None = Field(default=None, description="What the flags mean and what to do; null when not flagged.")
    speech_seconds: float | None = Field(
        default=None,
        description="Seconds of speech (voice activity), measured when the text covers under half the recording.",
    )
    avg_logprob: float | None = Field(default=None, description="Duration-weighted average log-probability.")
    duration: float = Field(description="Seconds of audio transcribed.")
    model: str = Field(description='Engine and model, e.g. "faster-whisper:tiny.en".')
    processing_seconds: float = Field(description="Wall time of decoding and transcription.")
