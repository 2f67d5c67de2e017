"""HTTP client of the STT service, for the stt stage (and anyone else who wants a transcript).

Error mapping, so the worker does the right thing with the queue row:
- service unreachable, or `/ready` says loading or failed → BackendUnavailableError (the row waits
  without spending an attempt); a service with STT_PRELOAD=0 that has not loaded yet gets the work,
  since the first transcription loads the model;
- a 4xx from `/transcribe` (undecodable file, too long, …) → SttRejectedError, a PermanentStageError
  carrying the service's code, message and hint;
- 503 from `/transcribe` (the model failed meanwhile) → BackendUnavailableError;
- anything else (5xx, timeout, connection dropped mid-transcription) → DocmillError, retried with backoff
  while attempts remain (a file that crashes the service must not wait forever).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from docmill.errors import BackendUnavailableError, DocmillError, PermanentStageError
from docmill.stt.schemas import ModelState, Readiness, TranscribeResponse

START_HINT = "start it with `docmill stt-server` (or `docmill serve`), or point DOCMILL_STT_URL at a running one"


class SttRejectedError(PermanentStageError):
    """The service refused the file (4xx); retrying the same file cannot help."""

    def __init__(self, status: int, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.status = status
        self.code = code


def _error_fields(response: httpx.Response) -> tuple[str, str, str | None]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    message = str(error.get("message") or response.text[:500] or f"HTTP {response.status_code}")
    return str(error.get("code") or f"http_{response.status_code}"), message, error.get("hint")


class SttClient:
    def __init__(self, base_url: str, *, timeout_s: float = 3600.0, connect_timeout_s: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        self._probe_timeout = httpx.Timeout(10.0, connect=connect_timeout_s)

    def _unreachable(self, exc: Exception) -> BackendUnavailableError:
        return BackendUnavailableError(
            f"the STT service at {self.base_url} is unreachable ({type(exc).__name__}: {exc})", START_HINT
        )

    def readiness(self) -> Readiness:
        """GET /ready; raises BackendUnavailableError when the service does not answer sensibly."""
        try:
            response = httpx.get(f"{self.base_url}/ready", timeout=self._probe_timeout)
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from None
        try:
            return Readiness.model_validate(response.json())
        except ValueError:
            raise BackendUnavailableError(
                f"{self.base_url}/ready answered HTTP {response.status_code} without a readiness body",
                "check that DOCMILL_STT_URL points at a docmill STT service",
            ) from None

    def require_ready(self) -> Readiness:
        """The service's readiness, if it can take work now (loaded, or loading lazily on first use)."""
        status = self.readiness()
        if status.ready or status.state == ModelState.NOT_LOADED:
            return status
        raise BackendUnavailableError(
            f"the STT service at {self.base_url} is not ready ({status.state}): {status.reason or 'no reason given'}",
            status.hint or "wait for the model to load; /ready on the STT service says why it is not ready",
        )

    def transcribe(
        self, path: Path, *, filename: str | None = None, media_type: str | None = None, language: str | None = None
    ) -> TranscribeResponse:
        data: dict[str, Any] = {"language": language} if language else {}
        try:
            with path.open("rb") as fh:
                files = {"file": (filename or path.name, fh, media_type or "application/octet-stream")}
                response = httpx.post(f"{self.base_url}/transcribe", files=files, data=data, timeout=self.timeout)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self._unreachable(exc) from None
        except httpx.TimeoutException:
            raise DocmillError(
                f"the STT service did not answer within {self.timeout.read:.0f} s",
                "the recording may be too long for this machine; use a faster model or a GPU for the STT service",
            ) from None
        except httpx.TransportError as exc:
            raise DocmillError(
                f"the connection to the STT service broke during the transcription ({type(exc).__name__}: {exc})",
                "check the stt-server log; the row is retried",
            ) from None
        if response.status_code == 200:
            return TranscribeResponse.model_validate(response.json())
        code, message, hint = _error_fields(response)
        if response.status_code == 503:
            raise BackendUnavailableError(f"the STT service cannot transcribe now: {message}", hint or START_HINT)
        if 400 <= response.status_code < 500:
            raise SttRejectedError(response.status_code, code, message, hint)
        raise DocmillError(f"the STT service failed with HTTP {response.status_code}: {message}", hint)
