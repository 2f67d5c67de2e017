"""The embedding interface every backend implements."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np


class Embedder(ABC):
    """Turns text into L2-normalized float32 vectors.

    `model_name` is stored with every vector (`chunks.model`): it must be stable across restarts and
    differ between models whose vectors cannot be compared. Passages (document text) and queries may be
    embedded differently (e5 models use "passage: " and "query: " prefixes).
    """

    model_name: str
    batch_size: int = 8
    # How much closer than meaningless text a chunk must be to a query to be a semantic match
    # (docmill.search.relevance; calibrated per model on the labelled Korean/English set); None: no floor.
    relevance_margin: float | None = None

    def __init__(self) -> None:
        # Engines keep scratch buffers per model handle, and the worker runs stages in threads.
        self._lock = threading.Lock()

    @property
    @abstractmethod
    def dim(self) -> int:
        """Vector length (may load the model)."""

    @abstractmethod
    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        """(len(texts), dim) vectors for a non-empty batch."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            with self._lock:
                parts.append(self._embed(texts[start : start + self.batch_size], query=False))
        return normalize_rows(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return normalize_rows(self._embed([text], query=True))[0]

    def warm_up(self) -> None:
        """Load the model and run it once, so the first real call is not the slow one."""
        self.embed_query("warm up")


def normalize_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return vectors / norms
