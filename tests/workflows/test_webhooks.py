"""Webhooks: a loopback receiver that fails twice then succeeds gets exactly one delivery, correctly signed;
a receiver that never answers well makes the delivery fail after its attempts."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import WebhookDelivery
from docmill.workflows import service, webhooks
from docmill.workflows.engine import run_rules_by_id
from docmill.workflows.types import RuleSpec, Trigger
from tests.workflows.conftest import MakeDoc


@dataclass
class Receiver:
    fail_first: int
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""

    @property
    def accepted(self) -> list[tuple[dict[str, str], bytes]]:
        return self.calls[self.fail_first :]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(fail_first=2)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.calls.append((dict(self.headers.items()), body))
            self.send_response(503 if len(state.calls) <= state.fail_first else 204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _rule(database: Database, settings: Settings, url: str) -> str:
    spec = RuleSpec.model_validate(
        {"name": "Notify", "trigger": "processed", "actions": [{"type": "webhook", "url": url}]}
    )
    with database.transaction() as session:
        return service.create_rule(session, settings, spec, created_by=None).secret


def _make_due(database: Database) -> None:
    with database.transaction() as session:
        session.execute(sa.update(WebhookDelivery).values(next_attempt_at=sa.func.now()))


def _delivery(database: Database) -> WebhookDelivery:
    with database.session() as session:
        row = session.scalars(sa.select(WebhookDelivery)).one()
        session.expunge(row)
        return row


def test_fails_twice_then_one_signed_delivery(
    database: Database, settings: Settings, doc: MakeDoc, receiver: Receiver
) -> None:
    fast = settings.model_copy(update={"webhook_backoff_s": 0.01, "webhook_max_attempts": 5})
    secret = _rule(database, settings, receiver.url)
    doc_id = doc("관리비 고지서", title="March bill")
    with database.transaction() as session:
        run_rules_by_id(session, doc_id, Trigger.PROCESSED)
        run_rules_by_id(session, doc_id, Trigger.PROCESSED)  # the same state: not queued twice
    assert receiver.calls == []  # queued in the transaction, sent later by the runner

    rounds = []
    for _ in range(3):
        _make_due(database)
        rounds.append(webhooks.deliver_due(database, fast))
    assert [(r.delivered, r.retried, r.failed) for r in rounds] == [(0, 1, 0), (0, 1, 0), (1, 0, 0)]
    _make_due(database)
    assert webhooks.deliver_due(database, fast).delivered == 0  # nothing left

    assert len(receiver.calls) == 3 and len(receiver.accepted) == 1
    headers, raw = receiver.accepted[0]
    expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    assert headers["X-Docmill-Signature"] == expected
    delivery = _delivery(database)
    assert {h["X-Docmill-Delivery"] for h, _ in receiver.calls} == {str(delivery.id)}  # one idempotency key
    assert int(headers["X-Docmill-Timestamp"]) > 0
    body = json.loads(raw)
    assert body["event"] == "document.processed"
    assert body["document"]["id"] == doc_id and body["document"]["title"] == "March bill"
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 3, None)


def test_gives_up_after_the_last_attempt(
    database: Database, settings: Settings, doc: MakeDoc, receiver: Receiver
) -> None:
    receiver.fail_first = 100
    fast = settings.model_copy(update={"webhook_backoff_s": 0.01, "webhook_max_attempts": 2})
    _rule(database, settings, receiver.url)
    with database.transaction() as session:
        run_rules_by_id(session, doc("x"), Trigger.PROCESSED)
    for _ in range(3):
        _make_due(database)
        webhooks.deliver_due(database, fast)
    delivery = _delivery(database)
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert delivery.last_error is not None and "HTTP 503" in delivery.last_error
    assert len(receiver.calls) == 2


def test_backoff_doubles(settings: Settings) -> None:
    s = settings.model_copy(update={"webhook_backoff_s": 10})
    assert [webhooks.backoff_s(s, n) for n in (1, 2, 3)] == [10, 20, 40]
