"""/health and /ready."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"] = Field(description='Always "ok" while the process answers (liveness only).')


class DatabaseReadiness(BaseModel):
    ok: bool
    reachable: bool
    current_revision: str | None
    head_revision: str | None
    at_head: bool
    missing_stages: list[str] = Field(description="Registry stages the database enum lacks.")
    extra_stages: list[str] = Field(description="Database enum values this code does not know.")
    problems: list[str] = Field(description="What is wrong, each with the command that fixes it.")


class BackendReadiness(BaseModel):
    """An optional model backend: reported, never a reason to be unready."""

    name: Literal["stt", "llm"]
    configured: bool
    ok: bool | None = Field(description="null when not configured.")
    url: str | None
    detail: str | None


class OcrReadiness(BaseModel):
    """Whether OCR can read the configured languages (DOCMILL_OCR_LANGUAGES plus osd)."""

    ok: bool
    enabled: bool = Field(description="false when DOCMILL_OCR_LANGUAGES is 'none'.")
    languages: list[str]
    missing: list[str] = Field(description="Languages whose traineddata is not installed.")
    tessdata: str | None = Field(description="The folder the traineddata are read from.")
    engine: str | None
    problems: list[str] = Field(description="What is missing, naming the Debian package that installs it.")


class Readiness(BaseModel):
    ready: bool = Field(
        description="The database is reachable, at the migrations' head, and its stages match; OCR's languages are "
        "installed."
    )
    version: str
    database: DatabaseReadiness
    ocr: OcrReadiness
    backends: list[BackendReadiness]


class PublicReadiness(BaseModel):
    """What /ready tells anyone: ready or not, and why in a few words (no version, URLs or paths)."""

    ready: bool
    reasons: list[str] = Field(description='Why not, e.g. "database: not at the migrations\' head"; [] when ready.')
