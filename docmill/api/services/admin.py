"""What the admin area shows: the effective configuration (secrets masked), storage, the models in use."""

from __future__ import annotations

import time
from typing import Any

from pydantic import SecretStr

from docmill.api.schemas.admin import ConfigEntry, LlmTest, ModelInUse, Storage
from docmill.api.schemas.health import Readiness
from docmill.api.sql import query
from docmill.config import Settings
from docmill.db.urls import redact
from docmill.errors import DocmillError
from docmill.pipeline import operations
from docmill.pipeline.queue import as_psycopg

MASK = "••••••••"
_SECRET_WORDS = ("password", "secret", "api_key", "token", "key")


def is_secret(name: str, value: Any) -> bool:
    return isinstance(value, SecretStr) or any(word in name for word in _SECRET_WORDS)


def shown(name: str, value: Any) -> str | None:
    """A setting's value as the admin page shows it: secrets masked, URLs without their passwords."""
    if value is None:
        return None
    if is_secret(name, value):
        return MASK
    text = str(value)
    if "://" in text and "@" in text:
        return redact(text)
    return text


def effective_config(settings: Settings) -> list[ConfigEntry]:
    entries = []
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        entries.append(
            ConfigEntry(
                name=f"DOCMILL_{name.upper()}",
                value=shown(name, value),
                secret=is_secret(name, value),
                default=name not in settings.model_fields_set and value == field.default,
                description=field.description,
            )
        )
    return entries


def storage(conn: Any, settings: Settings) -> Storage:
    row = as_psycopg(conn).execute(query("storage_totals")).fetchone()
    return Storage(
        data_dir=str(settings.data_dir),
        documents=int(row[0]),
        documents_bytes=int(row[1]),
        trash=int(row[2]),
        trash_bytes=int(row[3]),
    )


def models(conn: Any, settings: Settings, ready: Readiness | None) -> list[ModelInUse]:
    lag = {s.stage: s for s in operations.queue_lag(as_psycopg(conn))}
    backends = {b.name: b for b in ready.backends} if ready else {}

    def figures(stage: str) -> dict[str, int | None]:
        s = lag.get(stage)
        return {"pending": s.pending if s else None, "failed": s.failed if s else None}

    embed_remote = settings.embed_backend == "openai"
    out = [
        ModelInUse(
            name="embedding",
            backend=settings.embed_backend,
            model=settings.embed_model if embed_remote else (str(settings.embed_model_path or "") or None),
            url=shown("embed_url", settings.embed_url) if embed_remote else None,
            configured=True,
            ok=None,
            detail=None,
            **figures("embed"),
        )
    ]
    for name, stage, model in (("stt", "stt", settings.stt_model), ("llm", "classify", settings.llm_model)):
        backend = backends.get(name)
        out.append(
            ModelInUse(
                name=name,
                backend="faster-whisper service"
                if name == "stt"
                else ("OpenAI-compatible" if settings.llm_url else None),
                model=model,
                url=backend.url if backend else (settings.stt_url if name == "stt" else settings.llm_url),
                configured=backend.configured if backend else (name == "stt" or settings.llm_url is not None),
                ok=backend.ok if backend else None,
                detail=backend.detail if backend else None,
                **figures(stage),
            )
        )
    return out


def test_llm(settings: Settings) -> LlmTest:
    """A tiny chat request to the configured LLM endpoint."""
    from docmill.ai.llm import LLMClient  # noqa: PLC0415  # httpx client only when asked

    start = time.perf_counter()
    try:
        client = LLMClient.from_settings(settings)
    except DocmillError as exc:
        return LlmTest(ok=False, configured=True, model=settings.llm_model, answer=None, error=str(exc), elapsed_ms=0)
    if client is None:
        return LlmTest(
            ok=False,
            configured=False,
            model=None,
            answer=None,
            error="no LLM is configured: set DOCMILL_LLM_URL and DOCMILL_LLM_MODEL",
            elapsed_ms=0,
        )
    try:
        answer = client.chat([{"role": "user", "content": "Reply with the single word: ready"}], max_tokens=16)
        return LlmTest(
            ok=True,
            configured=True,
            model=client.model,
            answer=answer[:200],
            error=None,
            elapsed_ms=round((time.perf_counter() - start) * 1000, 1),
        )
    except DocmillError as exc:
        return LlmTest(
            ok=False,
            configured=True,
            model=client.model,
            answer=None,
            error=str(exc),
            elapsed_ms=round((time.perf_counter() - start) * 1000, 1),
        )
    finally:
        client.close()
