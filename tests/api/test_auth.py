"""Authentication: password login with a cookie session and CSRF token, API tokens, the first admin."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.auth.service import ensure_first_admin
from docmill.auth.throttle import LoginThrottle, Rule
from docmill.auth.tokens import create_token
from docmill.auth.users import AuthError, create_user
from docmill.config import Settings, reset_settings_cache
from docmill.db.engine import Database
from tests.api.conftest import Account, Seeded


def _login(client: TestClient, account: Account, password: str | None = None) -> dict:
    response = client.post(
        "/api/session/login", json={"username": account.username, "password": password or account.password}
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_login_cookie_csrf_and_logout(client: TestClient, account: Account, seeded: Seeded) -> None:
    wrong = client.post("/api/session/login", json={"username": account.username, "password": "not it at all"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    unknown = client.post("/api/session/login", json={"username": "mallory", "password": account.password})
    assert unknown.status_code == 401 and unknown.json()["error"]["message"] == wrong.json()["error"]["message"]

    response = client.post("/api/session/login", json={"username": account.username, "password": account.password})
    assert response.status_code == 200
    body = response.json()
    assert (
        body["user"] == {"id": account.id, "username": "alice", "is_admin": True, "language": None}
        and body["method"] == "session"
    )
    csrf = body["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("docmill_session=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age="):
        assert attribute.lower() in cookie.lower(), cookie
    assert "secure" not in cookie.lower()  # DOCMILL_COOKIE_SECURE is off by default

    me = client.get("/api/session/me").json()
    assert me["user"]["username"] == "alice" and me["csrf_token"] == csrf and me["expires_at"]
    assert client.get("/api/dashboard").status_code == 200  # safe methods need no CSRF token

    refused = client.post("/api/queue/extract/pause")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert client.post("/api/queue/extract/pause", headers={"X-CSRF-Token": "guess"}).status_code == 403
    assert client.patch(f"/api/documents/{seeded.pdf}", json={"title": "x"}).status_code == 403
    assert client.get(f"/api/documents/{seeded.pdf}").json()["title"] == "Test PDF"  # the refused PATCH did nothing
    allowed = client.post("/api/queue/extract/pause", headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 200 and allowed.json()["paused"] is True
    assert (
        client.patch(f"/api/documents/{seeded.pdf}", json={"title": "x"}, headers={"X-CSRF-Token": csrf}).json()[
            "title"
        ]
        == "x"
    )

    old_cookie = client.cookies.get("docmill_session")
    assert client.post("/api/session/logout").status_code == 403
    out = client.post("/api/session/logout", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204 and 'docmill_session=""' in out.headers["set-cookie"]
    assert client.get("/api/dashboard").status_code == 401
    client.cookies.set("docmill_session", old_cookie)
    expired = client.get("/api/dashboard")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "session_expired"


def test_bearer_tokens(client: TestClient, account: Account, database: Database) -> None:
    missing = client.get("/api/dashboard")
    assert missing.status_code == 401
    assert missing.json()["error"] == {
        "code": "unauthorized",
        "message": "authentication required",
        "hint": missing.json()["error"]["hint"],
    }
    assert missing.headers["www-authenticate"] == "Bearer"
    basic = client.get("/api/dashboard", headers={"Authorization": "Basic YWxpY2U6eA=="})
    assert basic.status_code == 401 and basic.json()["error"]["code"] == "invalid_authorization"
    wrong = client.get("/api/dashboard", headers={"Authorization": "Bearer dm_not-a-real-token"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_token"

    assert client.get("/api/dashboard", headers=account.headers).status_code == 200
    # No CSRF token needed with a bearer token: browsers never send it on their own.
    assert client.post("/api/queue/embed/pause", headers=account.headers).status_code == 200
    with database.connect() as conn:
        stored, last_used = conn.execute("SELECT token_hash, last_used_at FROM api_tokens").fetchone()
    assert account.token not in stored and len(stored) == 64 and last_used is not None


def test_token_management(client: TestClient, account: Account, database: Database) -> None:
    csrf = _login(client, account)["csrf_token"]
    created = client.post("/api/tokens", json={"name": "backup script"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201
    token, info = created.json()["token"], created.json()["info"]
    assert token.startswith("dm_") and token.startswith(info["prefix"]) and info["name"] == "backup script"

    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["tests", "backup script"]
    assert all(token not in str(t) for t in listed)
    with database.connect() as conn:
        assert all(token not in str(row) for row in conn.execute("SELECT * FROM api_tokens").fetchall())

    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/session/me", headers=bearer).json()["method"] == "token"
    assert client.delete(f"/api/tokens/{info['id']}", headers={"X-CSRF-Token": csrf}).status_code == 204
    revoked = client.get("/api/dashboard", headers=bearer)
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "invalid_token"
    assert client.get("/api/tokens").json()[1]["revoked_at"] is not None

    with database.transaction() as session:
        bob = create_user(session, "bob", "bobs password!", is_admin=False)

        bobs = create_token(session, bob, "bob's").row.id
    # an admin (this account) may revoke anyone's token; a member only their own (the permission matrix)
    assert client.delete(f"/api/tokens/{bobs}", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.delete("/api/tokens/999999", headers={"X-CSRF-Token": csrf}).status_code == 404
    assert client.post("/api/tokens", json={"name": ""}, headers={"X-CSRF-Token": csrf}).status_code == 422


def test_login_throttle(app, client: TestClient, account: Account) -> None:
    app.state.login_throttle = LoginThrottle(pair=Rule(threshold=3, base_s=60, max_s=60))
    for _ in range(3):
        assert client.post("/api/session/login", json={"username": "alice", "password": "guess!!!"}).status_code == 401
    blocked = client.post("/api/session/login", json={"username": "ALICE", "password": account.password})
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["error"]["code"] == "too_many_failures"
    assert client.post("/api/session/login", json={"username": "bob", "password": "x"}).status_code == 401


def test_password_change_ends_other_sessions(app, account: Account) -> None:
    with TestClient(app) as first, TestClient(app) as second:
        csrf = _login(first, account)["csrf_token"]
        _login(second, account)
        weak = first.post(
            "/api/account/password",
            json={"current_password": account.password, "new_password": "short"},
            headers={"X-CSRF-Token": csrf},
        )
        assert weak.status_code == 422
        wrong = first.post(
            "/api/account/password",
            json={"current_password": "not my password", "new_password": "a much better password"},
            headers={"X-CSRF-Token": csrf},
        )
        assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
        changed = first.post(
            "/api/account/password",
            json={"current_password": account.password, "new_password": "a much better password"},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 204
        assert first.get("/api/session/me").status_code == 200
        assert second.get("/api/session/me").status_code == 401
        assert (
            second.post("/api/session/login", json={"username": "alice", "password": account.password}).status_code
            == 401
        )
        _login(second, account, "a much better password")


def test_first_admin_from_environment(settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCMILL_ADMIN_USER", "root-admin")
    monkeypatch.setenv("DOCMILL_ADMIN_PASSWORD", "from the environment")
    reset_settings_cache()
    with TestClient(create_app()) as client:  # start-up creates the admin
        body = _login(client, Account(0, "root-admin", "from the environment", ""))
        assert body["user"]["is_admin"] is True

    # A later start with another password does not change an existing user's password.
    monkeypatch.setenv("DOCMILL_ADMIN_PASSWORD", "something else")
    reset_settings_cache()
    with TestClient(create_app()) as client:
        assert (
            client.post("/api/session/login", json={"username": "root-admin", "password": "something else"}).status_code
            == 401
        )
        _login(client, Account(0, "root-admin", "from the environment", ""))
    with database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1


def test_first_admin_generated_and_user_rules(settings: Settings, database: Database) -> None:
    assert ensure_first_admin(database, settings, generate=False) == (None, None)
    username, password = ensure_first_admin(database, settings)
    assert username == "admin" and password and len(password) >= 12
    assert ensure_first_admin(database, settings) == ("admin", None)  # shown once
    with TestClient(create_app()) as client:
        _login(client, Account(0, "admin", password, ""))
    with database.transaction() as session, pytest.raises(AuthError, match="already exists"):
        create_user(session, "admin", "another password")
    with database.transaction() as session, pytest.raises(AuthError, match="not allowed"):
        create_user(session, "no spaces please", "another password")
    with database.transaction() as session, pytest.raises(AuthError, match="shorter"):
        create_user(session, "carol", "short")
