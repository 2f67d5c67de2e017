"""The feeds API: add, list with the last fetch's status and error, change, fetch now, remove."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from docmill.api.app import create_app
from docmill.auth.tokens import create_token
from docmill.config import Settings
from docmill.db.engine import Database
from docmill.models import User
from tests.api.conftest import make_account
from tests.collector.conftest import FeedServer
from tests.collector.helpers import count
from tests.samples import Samples


def auth_headers(database: Database) -> dict[str, str]:
    """A bearer token for an admin user."""
    with database.transaction() as session:
        user = User(username="feeds-test", password_hash="unused", is_admin=True)
        session.add(user)
        session.flush()
        return {"Authorization": f"Bearer {create_token(session, user, 'tests').token}"}


@pytest.fixture
def api(settings: Settings, database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(), base_url="http://testserver") as client:
        client.headers.update(auth_headers(database))
        yield client


def test_feeds_api(api: TestClient, database: Database, feed_server: FeedServer, samples: Samples) -> None:
    good = feed_server.add_file("/feeds/rss10.rdf", samples / "rdf/rss10.rdf")
    broken = feed_server.add_file("/feeds/page.html", samples / "html/page.html")

    created = api.post("/api/feeds", json={"url": good, "interval_s": 600})
    assert created.status_code == 201, created.text
    feed = created.json()
    assert (feed["url"], feed["interval_s"], feed["last_status"], feed["last_fetch_at"]) == (good, 600, None, None)
    other = api.post("/api/feeds", json={"url": broken, "title": "Not a feed"}).json()
    assert other["interval_s"] == 1800 and other["title"] == "Not a feed"

    duplicate = api.post("/api/feeds", json={"url": good})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "feed_exists"
    assert "docmill feeds" not in duplicate.text  # a web user has no command line to run
    for bad in ({"url": "file:///etc/passwd"}, {"url": "not a url"}, {"url": good + "?x", "interval_s": 5}):
        response = api.post("/api/feeds", json=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"]["message"]

    fetched = api.post(f"/api/feeds/{feed['id']}/fetch")
    assert fetched.status_code == 200, fetched.text
    assert (fetched.json()["status"], fetched.json()["added"]) == ("ok", 1)
    failed = api.post(f"/api/feeds/{other['id']}/fetch").json()
    assert failed["status"] == "error" and "not a feed" in failed["error"]

    listed = {f["id"]: f for f in api.get("/api/feeds").json()}
    assert listed[feed["id"]]["last_status"] == "ok" and listed[feed["id"]]["title"] == "Weblog of examples (RDF)"
    assert listed[feed["id"]]["items_added"] == 1 and listed[feed["id"]]["last_fetch_at"]
    assert listed[other["id"]]["last_status"] == "error" and listed[other["id"]]["error_count"] == 1
    assert "not a feed" in listed[other["id"]]["last_error"]

    changed = api.patch(f"/api/feeds/{other['id']}", json={"enabled": False, "interval_s": 3600})
    assert (changed.json()["enabled"], changed.json()["interval_s"]) == (False, 3600)
    assert api.get(f"/api/feeds/{other['id']}").json()["enabled"] is False

    assert api.delete(f"/api/feeds/{feed['id']}").status_code == 204
    assert api.get(f"/api/feeds/{feed['id']}").status_code == 404
    assert api.delete(f"/api/feeds/{feed['id']}").status_code == 404
    assert api.post(f"/api/feeds/{feed['id']}/fetch").status_code == 404
    assert count(database, "documents") == 1  # unsubscribing keeps what the feed brought


def test_a_feeds_articles_belong_to_its_owner(
    api: TestClient, database: Database, feed_server: FeedServer, samples: Samples
) -> None:
    reader = make_account(database, "reader", admin=False)
    url = feed_server.add_file("/feeds/owned.rdf", samples / "rdf/rss10.rdf")
    assert api.post("/api/feeds", json={"url": url, "owner_id": 999_999}).status_code == 422
    feed = api.post("/api/feeds", json={"url": url, "owner_id": reader.id}).json()
    assert feed["owner_id"] == reader.id
    assert api.post(f"/api/feeds/{feed['id']}/fetch").json()["added"] == 1
    mine = api.get("/api/documents", headers=reader.headers).json()
    assert mine["total"] == 1 and mine["items"][0]["owner"] == "reader"
