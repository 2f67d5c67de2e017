"""Delivering the webhooks rules queue: claim due rows (FOR UPDATE SKIP LOCKED), POST the JSON body signed
with the rule's secret, then mark delivered, or retry with exponential backoff, or fail after the last
attempt. Never runs inside a stage: the action only inserts the row.

Headers: `X-Docmill-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, `X-Docmill-Delivery: <id>` (the
receiver's idempotency key: a retry after a lost answer carries the same id), `X-Docmill-Timestamp`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.db.sql import Queries
from docmill.errors import DocmillError
from docmill.models import WorkflowRule
from docmill.workflows import secrets
from docmill.workflows.actions import canonical_json

log = logging.getLogger(__name__)

QUERIES = Queries(Path(__file__).with_name("queries.sql"))
MAX_BACKOFF_S = 6 * 3600.0
BATCH = 20


@dataclass(frozen=True)
class Claimed:
    id: int
    rule_id: int | None
    url: str
    body: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class _Status:
    status: str


@dataclass
class RoundResult:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), raw, hashlib.sha256).hexdigest()


def backoff_s(settings: Settings, attempts: int) -> float:
    return min(settings.webhook_backoff_s * 2 ** max(0, attempts - 1), MAX_BACKOFF_S)


def _secret_of(database: Database, settings: Settings, rule_id: int | None) -> str:
    with database.session() as session:
        rule = session.scalar(sa.select(WorkflowRule).where(WorkflowRule.id == rule_id)) if rule_id else None
        if rule is None or rule.secret is None:
            raise DocmillError("the rule that queued this webhook was deleted", "nothing to sign it with")
        return secrets.decrypt(settings, rule.secret, rule=rule.name)


def _post(client: httpx.Client, job: Claimed, secret: str) -> str | None:
    """None: delivered; else why not."""
    raw = canonical_json(job.body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "docmill-webhooks",
        "X-Docmill-Signature": signature(secret, raw),
        "X-Docmill-Delivery": str(job.id),
        "X-Docmill-Timestamp": str(int(time.time())),
    }
    try:
        response = client.post(job.url, content=raw, headers=headers)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if 200 <= response.status_code < 300:
        return None
    return f"HTTP {response.status_code}: {response.text[:200]}"


def deliver_due(database: Database, settings: Settings, *, limit: int = BATCH) -> RoundResult:
    """One round: claim up to `limit` due deliveries and try each once."""
    result = RoundResult()
    lease_s = settings.webhook_timeout_s * 3 + 30
    with database.session() as session, session.begin():
        claimed = QUERIES.all(session, "claim_deliveries", {"lease_s": lease_s, "limit": limit}, row=Claimed)
    if not claimed:
        return result
    with httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False) as client:
        for job in claimed:
            try:
                secret = _secret_of(database, settings, job.rule_id)
            except DocmillError as exc:
                with database.session() as session, session.begin():
                    QUERIES.run(session, "give_up", {"id": job.id, "error": str(exc)})
                result.failed += 1
                continue
            error = _post(client, job, secret)
            with database.session() as session, session.begin():
                if error is None:
                    QUERIES.run(session, "delivered", {"id": job.id})
                    result.delivered += 1
                    continue
                row = QUERIES.one(
                    session,
                    "retry_later",
                    {
                        "id": job.id,
                        "error": error,
                        "delay_s": backoff_s(settings, job.attempts),
                        "max_attempts": settings.webhook_max_attempts,
                    },
                    row=_Status,
                )
            log.info("webhook %s to %s: %s (attempt %d)", job.id, job.url, error, job.attempts)
            if row is not None and row.status == "failed":
                result.failed += 1
            else:
                result.retried += 1
    return result
