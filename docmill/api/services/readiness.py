"""Readiness: the database (reachable, migrated, stage enum) and OCR's languages decide; STT and LLM backends
are only reported."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit, urlunsplit

import httpx

from docmill import __version__
from docmill.api.schemas.health import (
    BackendReadiness,
    DatabaseReadiness,
    OcrReadiness,
    PublicReadiness,
    Readiness,
)
from docmill.config import Settings
from docmill.db.check import check_schema
from docmill.db.engine import get_database
from docmill.ocr import languages as ocr_languages

PROBE_TIMEOUT_S = 2.0


def database_readiness() -> DatabaseReadiness:
    try:
        url = get_database().url
    except Exception as exc:  # the embedded server could not start, or the URL is invalid
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return DatabaseReadiness(
            ok=False,
            reachable=False,
            current_revision=None,
            head_revision=None,
            at_head=False,
            missing_stages=[],
            extra_stages=[],
            problems=[f"the database is not available: {message}"],
        )
    report = check_schema(url)
    problems = [f"the database is unreachable: {report.error}"] if not report.reachable else report.problems()
    return DatabaseReadiness(
        ok=report.ok,
        reachable=report.reachable,
        current_revision=report.current_revision,
        head_revision=report.head_revision,
        at_head=report.at_head,
        missing_stages=report.missing_stages,
        extra_stages=report.extra_stages,
        problems=problems,
    )


def _public_url(url: str) -> str:
    """The URL without credentials or query (it is shown on a public endpoint)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


async def stt_readiness(client: httpx.AsyncClient, settings: Settings) -> BackendReadiness:
    url = settings.stt_url.rstrip("/")
    try:
        response = await client.get(f"{url}/ready")
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        ok = response.status_code == 200 and bool(body.get("ready"))
        detail = body.get("reason") or body.get("state") or f"HTTP {response.status_code}"
        if ok:
            detail = f"ready ({body.get('backend', '?')}: {body.get('model', '?')})"
    except (httpx.HTTPError, ValueError) as exc:
        ok, detail = False, f"unreachable: {type(exc).__name__}"
    return BackendReadiness(name="stt", configured=True, ok=ok, url=_public_url(url), detail=str(detail))


async def llm_readiness(client: httpx.AsyncClient, settings: Settings) -> BackendReadiness:
    if not settings.llm_url:
        return BackendReadiness(
            name="llm", configured=False, ok=None, url=None, detail="not configured (offline classification)"
        )
    url = settings.llm_url.rstrip("/")
    headers = {}
    if settings.llm_api_key:
        headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"
    try:
        response = await client.get(f"{url}/models", headers=headers)
        ok = response.status_code == 200
        detail = f"HTTP {response.status_code}" + (f", model {settings.llm_model}" if settings.llm_model else "")
    except httpx.HTTPError as exc:
        ok, detail = False, f"unreachable: {type(exc).__name__}"
    return BackendReadiness(name="llm", configured=True, ok=ok, url=_public_url(url), detail=detail)


def ocr_readiness(settings: Settings) -> OcrReadiness:
    configured = settings.ocr_languages
    if configured.strip().lower() in ocr_languages.OFF:
        return OcrReadiness(ok=True, enabled=False, languages=[], missing=[], tessdata=None, engine=None, problems=[])
    report = ocr_languages.check(configured)
    return OcrReadiness(
        ok=report.ok,
        enabled=True,
        languages=list(report.languages),
        missing=report.missing,
        tessdata=str(report.tessdata) if report.tessdata else None,
        engine=report.engine,
        problems=report.problems,
    )


async def readiness(settings: Settings) -> Readiness:
    async with httpx.AsyncClient(timeout=PROBE_TIMEOUT_S, follow_redirects=False) as client:
        database, stt, llm = await asyncio.gather(
            asyncio.to_thread(database_readiness), stt_readiness(client, settings), llm_readiness(client, settings)
        )
    ocr = ocr_readiness(settings)
    return Readiness(ready=database.ok and ocr.ok, version=__version__, database=database, ocr=ocr, backends=[stt, llm])


def public_view(report: Readiness) -> PublicReadiness:
    """The report without detail: a reason per failed check, nothing about versions, hosts or paths."""
    reasons: list[str] = []
    db = report.database
    if not db.reachable:
        reasons.append("database: not reachable")
    elif not db.at_head:
        reasons.append("database: not at the migrations' head")
    elif db.missing_stages or db.extra_stages:
        reasons.append("database: its stages differ from this version's")
    elif not db.ok:
        reasons.append("database: not ready")
    if not report.ocr.ok:
        reasons.append("ocr: languages missing")
    return PublicReadiness(ready=report.ready, reasons=reasons)
