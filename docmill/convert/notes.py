"""Small helpers the content stages share: per-stage warnings on a document, tidy metadata values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_PLACEHOLDERS = {"(anonymous)", "anonymous", "(unspecified)", "unspecified", "untitled", "unknown", "none", "null"}
_SPACE = re.compile(r"\s+")
MAX_WARNINGS_PER_STAGE = 20


def merge_warnings(existing: Sequence[str] | None, stage: str, new: Iterable[str]) -> list[str]:
    """Replace `stage`'s warnings (prefixed "stage: ") in `existing` with `new`, so reruns do not pile up."""
    prefix = f"{stage}: "
    kept = [w for w in (existing or []) if not w.startswith(prefix)]
    fresh = []
    for warning in new:
        text = f"{prefix}{warning}"[:1000]
        if text not in fresh:
            fresh.append(text)
    return kept + fresh[:MAX_WARNINGS_PER_STAGE]


def clean_value(value: object, max_len: int = 500) -> str | None:
    """A metadata string without control characters or placeholder values; None when nothing is left."""
    if value is None:
        return None
    text = _SPACE.sub(" ", str(value).replace("\x00", "")).strip()
    if not text or text.lower() in _PLACEHOLDERS:
        return None
    return text[:max_len]
