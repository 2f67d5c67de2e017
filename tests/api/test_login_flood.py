"""Login throttling per client and per user name: a flood from one address cannot lock the owner out from
another; concurrent logins are capped so that /health stays quick while they run."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from docmill.auth.throttle import HashGate, LoginThrottle, Rule
from docmill.db.engine import get_database
from docmill.models import ApiToken
from tests.api.conftest import Account

WRONG = {"username": "alice", "password": "not the password"}


def test_a_flood_from_one_address_does_not_lock_out_another(app: FastAPI, account: Account) -> None:
    app.state.login_throttle = LoginThrottle()
    with (
        TestClient(app, client=("203.0.113.9", 4000)) as attacker,
        TestClient(app, client=("198.51.100.7", 5000)) as owner,
    ):
        statuses = [attacker.post("/api/session/login", json=WRONG).status_code for _ in range(30)]
        assert statuses[:5] == [401] * 5
        assert statuses[-1] == 429  # the attacker's address (and its pair) is slowed down, growing
        blocked = attacker.post("/api/session/login", json={"username": "alice", "password": account.password})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        # the owner, elsewhere, gets in at once
        good = owner.post("/api/session/login", json={"username": "alice", "password": account.password})
        assert good.status_code == 200, good.text
        # other user names from the flooding address are refused too (the client key)
        assert attacker.post("/api/session/login", json={"username": "bob", "password": "x" * 9}).status_code == 429


def test_delays_grow() -> None:
    now = [0.0]
    throttle = LoginThrottle(
        client=Rule(2, 1.0, 100.0), pair=Rule(100, 1, 1), username=Rule(100, 1, 1), clock=lambda: now[0]
    )
    waits = []
    for _ in range(6):
        throttle.failed("alice", "c")
        waits.append(throttle.retry_after("alice", "c"))
    assert waits == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0]
    assert throttle.retry_after("alice", "elsewhere") == 0.0


def test_a_distributed_flood_spares_a_client_that_logged_in_before() -> None:
    throttle = LoginThrottle(username=Rule(3, 10.0, 10.0))
    throttle.succeeded("alice", "home")
    for n in range(10):
        throttle.failed("alice", f"bot{n}")
    assert throttle.retry_after("alice", "bot99") > 0  # a new address waits: the name is under attack
    assert throttle.retry_after("alice", "home") == 0.0


def _health_ms(client: TestClient, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        assert client.get("/health").status_code == 200
        out.append((time.perf_counter() - started) * 1000)
    return out


def test_parallel_logins_leave_health_responsive(app: FastAPI, account: Account) -> None:
    """The bound: under 16 parallel password checks, /health's median stays under 10× its idle median plus
    200 ms. Without the cap every login hashes at once and the api's threads and CPUs are taken."""
    app.state.login_throttle = LoginThrottle(
        client=Rule(10**6, 1, 1), pair=Rule(10**6, 1, 1), username=Rule(10**6, 1, 1)
    )
    app.state.hash_gate = HashGate(1, wait_s=30)
    with TestClient(app) as client:
        idle = statistics.median(_health_ms(client, 20))
        stop = threading.Event()
        done: list[int] = []

        def flood() -> None:
            with TestClient(app) as own:
                while not stop.is_set():
                    done.append(own.post("/api/session/login", json=WRONG).status_code)

        threads = [threading.Thread(target=flood) for _ in range(16)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        busy = statistics.median(_health_ms(client, 20))
        stop.set()
        for t in threads:
            t.join(60)
    assert done and set(done) <= {401, 503}
    assert busy < idle * 10 + 200, f"/health median {busy:.1f} ms under the flood, {idle:.1f} ms idle"


def test_token_expiry_last_used_and_revocation_on_password_change(
    app: FastAPI, api: TestClient, account: Account
) -> None:

    made = api.post("/api/tokens", json={"name": "short", "expires_days": 1}).json()
    assert made["info"]["expires_at"] is not None
    short = {"Authorization": f"Bearer {made['token']}"}
    assert api.get("/api/session/me", headers=short).status_code == 200
    assert next(t for t in api.get("/api/tokens").json() if t["name"] == "short")["last_used_at"] is not None
    with get_database().transaction() as session:
        session.execute(
            sa.update(ApiToken)
            .where(ApiToken.id == made["info"]["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert api.get("/api/session/me", headers=short).status_code == 401
    changed = api.post(
        "/api/account/password", json={"current_password": account.password, "new_password": "another good password"}
    )
    assert changed.status_code == 204
    assert api.get("/api/session/me").status_code == 401  # the token this client used is revoked too
