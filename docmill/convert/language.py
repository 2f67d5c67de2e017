"""The language of a text (ISO 639-1), with py3langid's packaged model (no download)."""

from __future__ import annotations

import re
import threading

_MIN_LETTERS = 24
_SAMPLE_CHARS = 20_000
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_MARKUP = re.compile(r"(!?\[[^\]]*\]\([^)]*\))|(`{3}.*?`{3})|[#*|>`_~-]+", re.DOTALL)
_lock = threading.Lock()
_identifier = None


def _model():
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier  # noqa: PLC0415, RUF100  # lazy: loads the model

            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short or the guess is weak."""
    if not text:
        return None
    sample = _MARKUP.sub(" ", text[:_SAMPLE_CHARS])
    # a CJK character carries about as much as a short word
    weight = sum(3 if ord(ch) >= 0x2E80 else 1 for ch in _LETTERS.findall(sample[:2000]))
    if weight < _MIN_LETTERS:
        return None
    lang, prob = _model().classify(sample)
    return str(lang) if prob >= 0.5 and len(str(lang)) == 2 else None
