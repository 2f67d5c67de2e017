"""HTTP to OpenAI-compatible model servers: endpoint URLs and the mapping of failures to docmill errors.

Connection failures, timeouts, 429 and 5xx mean the server is down or busy: BackendUnavailableError, so a
queue row waits without spending an attempt. Other 4xx answers are configuration problems that waiting
will not fix; they are ordinary errors whose message says what to change.
"""

from __future__ import annotations

from typing import Any

import httpx

from docmill.errors import BackendUnavailableError, DocmillError


class BackendRequestError(DocmillError):
    """The model server refused the request (4xx other than 429)."""

    def __init__(self, message: str, hint: str | None, status_code: int, body: str) -> None:
        super().__init__(message, hint)
        self.status_code = status_code
        self.body = body


def endpoint_url(base: str, path: str) -> str:
    """base "http://h:11434", "http://h:11434/v1" or the full endpoint → the full endpoint URL for `path`."""
    base = base.rstrip("/")
    if base.endswith("/" + path):
        return base
    if base.endswith("/v1"):
        return f"{base}/{path}"
    return f"{base}/v1/{path}"


def timeout_for(read_s: float) -> httpx.Timeout:
    """Short connect timeout (a dead server is found fast), long read timeout (slow local models)."""
    return httpx.Timeout(connect=10.0, read=read_s, write=60.0, pool=30.0)


def post_json(
    client: httpx.Client, url: str, payload: dict[str, Any], *, what: str, setting: str, headers: dict[str, str]
) -> dict[str, Any]:
    """POST JSON and return the decoded answer; failures become docmill errors naming `what` and `setting`."""
    try:
        response = client.post(url, json=payload, headers=headers)
    except httpx.TimeoutException as exc:
        raise BackendUnavailableError(
            f"the {what} at {url} did not answer in time ({type(exc).__name__})",
            f"check that the server is running and not overloaded; a slow model may need a longer timeout "
            f"(it is retried later without spending an attempt); the URL comes from {setting}",
        ) from exc
    except httpx.TransportError as exc:
        raise BackendUnavailableError(
            f"cannot reach the {what} at {url}: {exc or type(exc).__name__}",
            f"start the server or fix {setting}; rows wait and are retried without spending attempts",
        ) from exc
    status = response.status_code
    if status == 429 or status >= 500:
        raise BackendUnavailableError(
            f"the {what} at {url} answered HTTP {status}: {_excerpt(response.text)}",
            "the server is overloaded or failing; rows wait and are retried without spending attempts",
        )
    if status >= 400:
        hint = {
            401: "check the API key",
            403: "check the API key and its permissions",
            404: f"check {setting} and the model name",
        }.get(status, "check the server's message and the model settings")
        raise BackendRequestError(
            f"the {what} at {url} refused the request with HTTP {status}: {_excerpt(response.text)}",
            hint,
            status,
            response.text,
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise BackendUnavailableError(
            f"the {what} at {url} answered with something that is not JSON: {_excerpt(response.text)}",
            f"check that {setting} points at an OpenAI-compatible API",
        ) from exc
    if not isinstance(data, dict):
        raise BackendUnavailableError(
            f"the {what} at {url} answered with unexpected JSON: {_excerpt(response.text)}",
            f"check that {setting} points at an OpenAI-compatible API",
        )
    return data


def _excerpt(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"
