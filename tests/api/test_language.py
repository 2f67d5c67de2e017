"""The web UI's language is remembered per user: chosen with PUT /api/account/language, returned by
/api/session/me and by the login, so that another browser opens in it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from docmill.db.engine import Database
from tests.api.conftest import Account, make_account


def test_language_is_remembered_per_user(client: TestClient, account: Account, database: Database) -> None:
    headers = account.headers
    assert client.get("/api/session/me", headers=headers).json()["user"]["language"] is None  # the browser's

    chosen = client.put("/api/account/language", json={"language": "ko"}, headers=headers)
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["language"] == "ko"
    assert client.get("/api/session/me", headers=headers).json()["user"]["language"] == "ko"

    login = client.post("/api/session/login", json={"username": account.username, "password": account.password})
    assert login.status_code == 200 and login.json()["user"]["language"] == "ko"

    other = make_account(database, "bob", admin=False)  # one user's choice is not another's
    assert client.get("/api/session/me", headers=other.headers).json()["user"]["language"] is None

    unknown = client.put("/api/account/language", json={"language": "fr"}, headers=headers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"

    back = client.put("/api/account/language", json={"language": None}, headers=headers)
    assert back.status_code == 200 and back.json()["language"] is None
