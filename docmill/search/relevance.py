"""The relevance floor: how similar a chunk must be to a query to count as a semantic match.

Embedding models place any two texts at some similarity; multilingual-e5 puts random letters 0.80 from
ordinary passages, as close as many real matches, so one absolute cut cannot tell them apart. The floor is
therefore measured per query: the query's best similarity to a fixed set of meaningless anchor texts (random
letters, random Hangul syllables, digits), plus the model's calibrated margin. A query that means something
is much closer to its passages than to noise; a nonsense query is about as close to noise as to anything.

Each backend declares its margin (`Embedder.relevance_margin`, calibrated on the labelled Korean/English set:
above the nonsense queries' best chunks, below the relevant ones); `DOCMILL_SEARCH_MIN_SIMILARITY` replaces
the floor with one absolute cosine similarity. A backend nobody calibrated has no floor.
"""

from __future__ import annotations

import threading

import numpy as np

from docmill.ai.embeddings.base import Embedder
from docmill.config import Settings

# Fixed, so the floor is the same from run to run: random letters, random Hangul syllables, jamo, digits.
ANCHORS = (
    "nlpqvbze",
    "okdtrx hwqzgmvfa",
    "bsnyqclwejxu",
    "읩꿇뇽쾅",
    "뙵헒솊 틟퀨벴쀄촙",
    "쨊뮣턝씕뗤롥",
    "qwxz vbnk",
    "ㅁㄴㅇㄹ",
    "12345 67890",
    "zzz",
    "가나다라 마바사",
    "abc def ghi",
)

_anchors: dict[str, np.ndarray] = {}
_lock = threading.Lock()


def anchor_vectors(embedder: Embedder) -> np.ndarray:
    """The anchors as passages of this model (embedded once per process)."""
    with _lock:
        vectors = _anchors.get(embedder.model_name)
    if vectors is None:
        vectors = embedder.embed_passages(list(ANCHORS))
        with _lock:
            _anchors[embedder.model_name] = vectors
    return vectors


def query_floor(settings: Settings, embedder: Embedder, query_vector: np.ndarray) -> float | None:
    """The cosine similarity a chunk must reach to be a vector candidate for this query, or None (no floor)."""
    if settings.search_min_similarity is not None:
        return settings.search_min_similarity
    margin = embedder.relevance_margin
    if margin is None:
        return None
    noise = float(np.max(anchor_vectors(embedder) @ np.asarray(query_vector, dtype=np.float32)))
    return round(noise + margin, 4)
