"""The stt stage: a transcript of audio and video documents from the STT service.

Runs in the worker (not sandboxed: the work is an HTTP call to the service at DOCMILL_STT_URL, whose
read timeout is the stage's timeout). It asks `/ready` first, so while the service is down or its
model is not loaded the row waits with backoff without spending attempts.

Audio files go to the service as they are. For video, the worker extracts the audio track with ffmpeg
first (16 kHz mono FLAC, what the model hears anyway), so a large video never travels over HTTP; the same
happens to an audio file larger than the service's upload limit.

The recording's own language (`Document.stt_language`, set by the user: API `POST
/api/documents/{id}/transcribe`, `docmill transcribe ID --language ko`, the document page) goes with it;
without one the service uses its DOCMILL_STT_LANGUAGE.

Stores `Document.transcript` (segments with the model's scores, text, language and where it came from,
duration, model, speech seconds, flags and note), `Document.markdown` with one timestamped line per segment
(`**[00:01.2 → 00:03.4]** text`) and `Document.language`; the registry then chains classify, summarize and
embed. A transcript the service flagged (docmill.stt.confidence) keeps its segments for the user to see but
gets no Markdown: `markdown_note` says why and what to do, the AI stages skip it (`stages.base.ai_text`), and
the summaries of an earlier transcript are cleared.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from docmill.errors import PermanentStageError
from docmill.models import Document
from docmill.pipeline.registry import require_stage
from docmill.stages.base import DocumentInfo, StageContext, StageHandler
from docmill.stt import audio
from docmill.stt.client import SttClient, SttRejectedError
from docmill.stt.errors import SttRequestError
from docmill.transcripts import transcript_is_reliable, transcript_note

NO_AUDIO = "no audio track"
NO_SPEECH = "no speech detected"


@dataclass(frozen=True)
class SttPayload:
    document: DocumentInfo
    stt_url: str
    max_bytes: int
    timeout_s: float
    language: str | None = None  # the recording's own language; None: the service's default


@dataclass(frozen=True)
class SttResult:
    transcript: dict[str, Any] | None  # None: the file has no audio track
    note: str | None = None


def format_timestamp(seconds: float, with_hours: bool = False) -> str:
    """00:01.2, or 1:02:03.4 when the recording reaches an hour."""
    tenths = max(0, round(seconds * 10))
    hours, rest = divmod(tenths, 36_000)
    minutes, rest = divmod(rest, 600)
    secs = f"{rest // 10:02d}.{rest % 10}"
    if with_hours or hours:
        return f"{hours}:{minutes:02d}:{secs}"
    return f"{minutes:02d}:{secs}"


def transcript_markdown(segments: list[dict[str, Any]]) -> str:
    """One paragraph per segment: **[start → end]** text."""
    with_hours = any(float(s["end"]) >= 3600 for s in segments)
    lines = []
    for s in segments:
        text = str(s.get("text", "")).strip()
        if text:
            start, end = format_timestamp(s["start"], with_hours), format_timestamp(s["end"], with_hours)
            lines.append(f"**[{start} → {end}]** {text}")
    return "\n\n".join(lines) + "\n" if lines else ""


class SttStage(StageHandler):
    def prepare(self, ctx: StageContext, session: Session, document: Document) -> SttPayload:
        return SttPayload(
            document=DocumentInfo.of(ctx, document),
            stt_url=ctx.settings.stt_url,
            max_bytes=ctx.settings.stt_max_bytes,
            timeout_s=require_stage("stt").timeout_s,
            language=document.stt_language,
        )

    def run(self, payload: SttPayload) -> SttResult:
        info = payload.document
        original = Path(info.file_path) if info.file_path else None
        if original is None or not original.is_file():
            raise PermanentStageError(
                f"the original file of document {info.id} is missing ({original or 'no storage path'})",
                "restore the file from a backup, or delete the document and add it again",
            )
        client = SttClient(payload.stt_url, timeout_s=payload.timeout_s)
        client.require_ready()
        with tempfile.TemporaryDirectory(prefix="docmill-stt-") as tmp:
            send, name, media_type = original, info.original_name or original.name, info.media_type
            if info.kind == "video" or original.stat().st_size > payload.max_bytes:
                send = Path(tmp) / "audio.flac"
                try:
                    if not audio.extract_audio(original, send):
                        return SttResult(None, NO_AUDIO)
                except SttRequestError as exc:
                    raise PermanentStageError(exc.message, exc.hint) from None
                name, media_type = f"{Path(name).stem or 'audio'}.flac", "audio/flac"
            try:
                response = client.transcribe(send, filename=name, media_type=media_type, language=payload.language)
            except SttRejectedError as exc:
                if exc.code == "no_audio":
                    return SttResult(None, NO_AUDIO)
                raise
        transcript = {
            "segments": [s.model_dump() for s in response.segments],
            "text": response.text,
            "language": response.language,
            "language_probability": response.language_probability,
            "language_source": response.language_source.value,
            "requested_language": payload.language,
            "duration": response.duration,
            "speech_seconds": response.speech_seconds,
            "avg_logprob": response.avg_logprob,
            "flags": [f.value for f in response.flags],
            "note": response.note,
            "model": response.model,
        }
        return SttResult(transcript, None if response.segments or response.flags else NO_SPEECH)

    def store(self, ctx: StageContext, session: Session, document: Document, result: SttResult) -> str | None:
        if result.transcript is None:
            document.transcript = {"segments": [], "text": "", "language": None, "duration": None, "model": None}
            document.markdown = None
            document.markdown_note = result.note
            return result.note
        transcript = result.transcript
        document.transcript = transcript
        segments = len(transcript["segments"])
        done = f"{segments} segments, {transcript['duration']:.1f} s, {transcript['language']}, {transcript['model']}"
        if not transcript_is_reliable(transcript):
            document.markdown = None
            document.markdown_note = transcript_note(transcript) or "the transcript is not reliable"
            document.summary = document.ai_summary = None  # they came from an earlier transcript
            return f"{done}; flagged {', '.join(transcript['flags'])}: not summarized, tagged or embedded"
        markdown = transcript_markdown(transcript["segments"])
        document.markdown = markdown or None
        document.markdown_note = None if markdown else NO_SPEECH
        if transcript.get("language"):
            document.language = transcript["language"]
        return done


handler = SttStage()
