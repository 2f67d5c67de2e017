"""The STT service (docs/operations.md and README): a FastAPI app around one speech model.

- The model starts loading when the app starts (in the lifespan, on one of the service's model threads,
  so `/health` answers while a large model loads). `STT_PRELOAD=0` defers loading to the first transcription.
- A failed load leaves the process running: `/health` stays 200 (liveness), `/ready` answers 503 with
  the reason until someone fixes the configuration and restarts the service. `/ready` is 200 only when
  the model is loaded.
- `/ready` names the model and the languages it reads, and the default language (DOCMILL_STT_LANGUAGE),
  which is checked against the model at load: a default the model cannot read fails the load.
- `POST /transcribe`: multipart `file` (any audio or video ffmpeg decodes) and optional `language`
  (default: DOCMILL_STT_LANGUAGE; "auto": detect). The upload is limited to `stt_max_bytes`, the recording to
  `stt_max_seconds`; at most `stt_concurrency` transcriptions run at once and further requests wait their
  turn. The answer carries each segment's scores, the seconds of speech, and the flags and note of
  docmill.stt.confidence.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, TypeVar

from fastapi import FastAPI, File, Form, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from docmill import __version__
from docmill.api.errors import ApiError, ErrorBody, error_response, install_error_handlers
from docmill.config import Settings
from docmill.errors import ConfigError, DocmillError
from docmill.stt import audio, confidence, errors, vad
from docmill.stt.backends import SttBackend, Transcription, check_language_code, make_backend
from docmill.stt.confidence import MULTILINGUAL_HINT
from docmill.stt.schemas import Health, ModelState, Readiness, TranscribeResponse, TranscriptSegment
from docmill.transcripts import AUTO, LanguageSource

log = logging.getLogger(__name__)

T = TypeVar("T")
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, headers and the language field around the file


def preload_enabled() -> bool:
    """STT_PRELOAD (default on); 0/false/no/off defers loading to the first transcription."""
    return os.environ.get("STT_PRELOAD", "1").strip().lower() not in {"0", "false", "no", "off"}


class ModelHolder:
    """The backend plus its load state; loads at most once, whichever thread asks first."""

    def __init__(self, backend: SttBackend, default_language: str | None = None) -> None:
        self.backend = backend
        self.default_language = default_language
        self.vad = False
        self.state = ModelState.NOT_LOADED
        self.reason: str | None = "the model loads on the first transcription (STT_PRELOAD=0)"
        self.hint: str | None = None
        self._lock = threading.Lock()

    def load(self) -> None:
        with self._lock:
            if self.state in (ModelState.READY, ModelState.FAILED):
                return
            self.state, self.reason = ModelState.LOADING, f"loading the model {self.backend.model_name}"
            started = time.monotonic()
            try:
                self._check_default_language()  # before a slow load when the model's languages are known
                self.backend.load()
                self._check_default_language()
                self.vad = vad.load()
            except DocmillError as exc:
                self._failed(exc.message, exc.hint)
            except Exception as exc:
                log.exception("loading the STT model failed")
                self._failed(f"{type(exc).__name__}: {exc}", "see the stt-server log, fix the model, and restart it")
            else:
                self.state, self.reason, self.hint = ModelState.READY, None, None
                log.info("STT model %s loaded in %.1f s", self.backend.model_name, time.monotonic() - started)

    def _check_default_language(self) -> None:
        languages = self.backend.languages
        if self.default_language is None or not languages or self.default_language in languages:
            return
        only = "English only" if self.backend.english_only else f"{len(languages)} languages, not this one"
        hint = MULTILINGUAL_HINT if self.backend.english_only else "choose one of: " + ", ".join(languages)
        raise ConfigError(
            f"DOCMILL_STT_LANGUAGE={self.default_language} but the model {self.backend.model_name} reads {only}",
            f"set DOCMILL_STT_LANGUAGE=auto, or {hint}",
        )

    def _failed(self, reason: str, hint: str | None) -> None:
        self.state = ModelState.FAILED
        self.reason = f"the model {self.backend.model_name} could not be loaded: {reason}"
        self.hint = (hint + ", then restart the STT service") if hint else "fix the model, then restart the STT service"
        log.error("%s — %s", self.reason, self.hint)

    def start_preload(self, executor: ThreadPoolExecutor) -> None:
        self.state, self.reason = ModelState.LOADING, f"loading the model {self.backend.model_name}"
        executor.submit(self.load)

    def require(self) -> SttBackend:
        if self.state != ModelState.READY:
            self.load()
        if self.state != ModelState.READY:
            raise errors.ModelUnavailableError(self.reason or "the model is not loaded", self.hint)
        return self.backend


class Slots:
    """At most `size` transcriptions at once; the rest wait in arrival order.

    The model is loaded and run on the long-lived threads of `executor`: a CTranslate2 model whose
    loading thread has exited ran about 3× slower here, so neither a one-off preload thread nor
    Starlette's shared thread pool (which also does file I/O) is used.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._semaphore = asyncio.Semaphore(self.size)
        self.executor = ThreadPoolExecutor(max_workers=self.size + 1, thread_name_prefix="stt-model")
        self.active = 0
        self.waiting = 0

    async def run(self, func: Callable[[], T]) -> T:
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        self.active += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor, func)
        finally:
            self.active -= 1
            self._semaphore.release()


class BodyLimit:
    """Refuse request bodies over `max_bytes` (by Content-Length at once, else while they stream in)."""

    def __init__(self, app: ASGIApp, max_bytes: int, path: str) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes + MULTIPART_OVERHEAD
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._refuse(scope, receive, send, int(length))
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too = errors.too_large(received, self.max_bytes)
                    raise ApiError(too.status, too.code, too.message, too.hint)
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, size: int) -> None:
        too = errors.too_large(size, self.max_bytes)
        response = error_response(too.status, too.code, too.message, too.hint, headers={"Connection": "close"})
        await response(scope, receive, send)


def _save_upload(src: IO[bytes], dst: Path, max_bytes: int) -> int:
    size = 0
    with dst.open("wb") as out:
        while chunk := src.read(1024 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise errors.too_large(size, max_bytes)
            out.write(chunk)
    return size


def _api_error(exc: errors.SttRequestError) -> ApiError:
    return ApiError(exc.status, exc.code, exc.message, exc.hint)


def create_stt_app(settings: Settings, *, backend: SttBackend | None = None, preload: bool | None = None) -> FastAPI:
    default_language = None if settings.stt_language == AUTO else settings.stt_language
    holder = ModelHolder(backend or make_backend(settings), default_language)
    slots = Slots(settings.stt_concurrency)
    do_preload = preload_enabled() if preload is None else preload

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if do_preload:
            holder.start_preload(slots.executor)
        else:
            log.info("STT_PRELOAD=0: the model %s loads on the first transcription", holder.backend.model_name)
        try:
            yield
        finally:
            slots.executor.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(
        title="docmill STT",
        version=__version__,
        description="Speech to text for docmill: audio and video in, timestamped transcript out.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.stt_max_bytes, path="/transcribe")
    app.state.model = holder
    app.state.slots = slots

    @app.get("/health", response_model=Health)
    async def health() -> Health:
        """Liveness: 200 while the process answers, whether or not the model loaded."""
        return Health(status="ok")

    @app.get("/ready", response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready"}})
    async def ready() -> JSONResponse:
        """Readiness: 200 only when the model is loaded; 503 with the reason otherwise."""
        body = Readiness(
            ready=holder.state == ModelState.READY,
            state=holder.state,
            backend=holder.backend.backend,
            model=holder.backend.model_name,
            languages=holder.backend.languages,
            default_language=holder.default_language,
            reason=holder.reason,
            hint=holder.hint,
            active=slots.active,
            waiting=slots.waiting,
            concurrency=slots.size,
        )
        return JSONResponse(body.model_dump(mode="json"), status_code=200 if body.ready else 503)

    @app.post(
        "/transcribe",
        response_model=TranscribeResponse,
        responses={
            413: {"model": ErrorBody, "description": "File too large or recording too long"},
            422: {"model": ErrorBody, "description": "Not decodable, no audio track, or unusable language"},
            503: {"model": ErrorBody, "description": "The model is not available"},
        },
    )
    async def transcribe(
        file: UploadFile = File(description="Audio or video file (any format ffmpeg decodes)."),
        language: str | None = Form(
            default=None,
            description='Language code ("en", "ko"); "auto": detect; default: the service\'s DOCMILL_STT_LANGUAGE.',
        ),
    ) -> TranscribeResponse:
        if holder.state == ModelState.FAILED:
            raise ApiError(503, "model_unavailable", holder.reason or "the model is not loaded", holder.hint)
        asked = (language or "").strip().lower() or None
        tmp = Path(tempfile.mkdtemp(prefix="docmill-stt-"))
        try:
            path = tmp / "upload"
            try:
                await run_in_threadpool(_save_upload, file.file, path, settings.stt_max_bytes)
                check_language_code(None if asked == AUTO else asked)
            except errors.SttRequestError as exc:
                raise _api_error(exc) from None
            return await slots.run(lambda: _transcribe_file(holder, settings, path, asked))
        finally:
            await run_in_threadpool(shutil.rmtree, tmp, True)

    return app


def resolve_language(asked: str | None, holder: ModelHolder) -> tuple[str | None, LanguageSource]:
    """The language to decode in (None: let the model detect it) and where it came from."""
    if asked is not None and asked != AUTO:
        return asked, LanguageSource.REQUESTED
    if asked is None and holder.default_language is not None:
        return holder.default_language, LanguageSource.DEFAULT
    languages = holder.backend.languages
    if len(languages) == 1:
        return None, LanguageSource.MODEL
    return None, LanguageSource.DETECTED


def _transcribe_file(holder: ModelHolder, settings: Settings, path: Path, asked: str | None) -> TranscribeResponse:
    started = time.monotonic()
    try:
        samples = audio.decode(path, settings.stt_max_seconds)
        decoded = time.monotonic()
        backend = holder.require()
        language, source = resolve_language(asked, holder)
        result = backend.transcribe(samples, language)
    except errors.SttRequestError as exc:
        raise _api_error(exc) from None
    except errors.ModelUnavailableError as exc:
        raise ApiError(503, "model_unavailable", exc.message, exc.hint) from None
    except ConfigError as exc:  # ffmpeg missing: the service's problem, not the file's
        raise ApiError(503, "service_misconfigured", exc.message, exc.hint) from None
    duration = samples.size / audio.SAMPLE_RATE
    measure = holder.vad and confidence.needs_speech_seconds(result.segments, duration)
    speech = vad.speech_seconds(samples) if measure else None
    elapsed = time.monotonic() - started
    log.info(
        "transcribed %.1f s of audio in %.1f s (decoding %.1f s; real-time factor %.3f), language %s (%s)",
        duration,
        elapsed,
        decoded - started,
        elapsed / duration if duration else 0.0,
        result.language,
        source,
    )
    return _response(backend, result, source, speech, duration, elapsed)


def _response(
    backend: SttBackend,
    result: Transcription,
    source: LanguageSource,
    speech: float | None,
    duration: float,
    elapsed: float,
) -> TranscribeResponse:
    judged = confidence.assess(result.segments, speech, english_only=backend.english_only)
    note = confidence.note(
        judged.flags,
        model=backend.model_name,
        english_only=backend.english_only,
        language=result.language,
        source=source,
    )
    if judged.flags:
        log.info("transcript flagged %s: %s", [str(f) for f in judged.flags], note)
    return TranscribeResponse(
        text=result.text,
        segments=[
            TranscriptSegment(
                start=s.start,
                end=s.end,
                text=s.text,
                avg_logprob=s.avg_logprob,
                no_speech_prob=s.no_speech_prob,
                compression_ratio=s.compression_ratio,
                temperature=s.temperature,
            )
            for s in result.segments
        ],
        language=result.language,
        language_probability=result.language_probability,
        language_source=source,
        flags=judged.flags,
        note=note,
        speech_seconds=judged.speech_seconds,
        avg_logprob=judged.avg_logprob,
        duration=round(duration, 3),
        model=backend.model_name,
        processing_seconds=round(elapsed, 3),
    )
