"""The collector loop: every feed on its own schedule, broken and malformed feeds recorded without
stopping the others, claims that keep two collectors off the same feed, backoff with jitter."""

from __future__ import annotations

import random
import threading
from pathlib import Path

from docmill.collector.runner import run_collector
from docmill.collector.schedule import MAX_BACKOFF_S, poll_delay
from docmill.collector.service import claim_due_feeds
from docmill.config import Settings
from docmill.db.engine import Database
from tests.collector.conftest import FeedServer
from tests.collector.helpers import new_feed, offline_fetcher, rows
from tests.helpers import wait_for


def test_runner_keeps_going_past_broken_and_malformed_feeds(
    database: Database, settings: Settings, feed_server: FeedServer, corpus: Path
) -> None:
    truncated = (corpus / "rss/test_rss.xml").read_bytes()
    truncated = truncated[: truncated.index(b"<item>", truncated.index(b"<item>") + 10) + 2000]
    urls = {
        "good": feed_server.add_file("/feeds/good.xml", corpus / "rss/rss20dc.xml", validators=False),
        "json": feed_server.add_file("/feeds/feed.json", corpus / "jsonfeed/example.json"),
        "cdata": feed_server.add_file("/feeds/cdata.xml", corpus / "rss/rss_incomplete_cdata.xml"),
        "namespace": feed_server.add_file("/feeds/ns.xml", corpus / "rss/undeclared_namespace.xml"),
        "ampersands": feed_server.add_file("/feeds/amp.xml", corpus / "rss/rss_item_link_corrupted_ampersands.xml"),
        "truncated": feed_server.add("/feeds/truncated.xml", truncated),
        "page": feed_server.add_file("/feeds/page.html", corpus / "html/test_blog.html"),
        "http500": feed_server.fail("/feeds/500.xml", 500),
    }
    ids = {name: new_feed(database, settings, url) for name, url in urls.items()}
    with database.connect() as conn:
        conn.execute("UPDATE feeds SET interval_s = 1")
        conn.commit()

    stop = threading.Event()
    with offline_fetcher(settings) as fetcher:
        thread = threading.Thread(
            target=run_collector,
            args=(settings, stop),
            kwargs={"database": database, "idle_s": 0.2, "fetcher": fetcher},
            daemon=True,
        )
        thread.start()
        try:

            def settled() -> bool:
                polled = rows(database, "SELECT count(*) FROM feeds WHERE last_fetch_at IS NULL")[0][0] == 0
                return polled and len(feed_server.hits_for("/feeds/good.xml")) >= 2

            wait_for(settled, 30, message="the collector did not poll every feed (and the good one twice)")
            assert thread.is_alive()
        finally:
            stop.set()
            thread.join(20)
        assert not thread.is_alive(), "the collector did not stop"

    state = {
        name: rows(
            database,
            "SELECT last_status, last_error, error_count, items_added, next_fetch_at > last_fetch_at FROM feeds "
            "WHERE id = %s",
            feed_id,
        )[0]
        for name, feed_id in ids.items()
    }
    assert state["good"][:4] == ("ok", None, 0, 1)
    assert state["json"][0] in ("ok", "not_modified") and state["json"][1:4] == (None, 0, 2)
    for name in ("cdata", "namespace", "ampersands"):
        status, error, errors, _, _ = state[name]
        # polled more than once: a later poll may have been answered 304, which keeps the warning
        assert status in ("warning", "not_modified") and errors == 0, (name, state[name])
        assert "not well-formed" in error
    assert state["truncated"][0] in ("warning", "not_modified") and state["truncated"][3] >= 1  # read as far as it goes
    status, error, errors, added, later = state["page"]
    assert (status, errors >= 1, added, later) == ("error", True, 0, True) and "not a feed" in error
    status, error, errors, added, later = state["http500"]
    assert (status, errors >= 1, later) == ("error", True, True) and "HTTP 500" in error

    docs = rows(database, "SELECT feed_id, count(*) FROM documents GROUP BY feed_id")
    assert dict(docs)[ids["good"]] == 1 and dict(docs)[ids["json"]] == 2
    queued = rows(database, "SELECT count(DISTINCT document_id) FROM processing_queue WHERE stage::text = 'index'")
    assert queued[0][0] == sum(n for _, n in docs)


def test_a_claimed_feed_is_not_claimed_again(database: Database, settings: Settings) -> None:
    feeds = [new_feed(database, settings, f"https://feeds.example/{i}.xml") for i in range(5)]
    first = claim_due_feeds(database, 3)
    second = claim_due_feeds(database, 10)
    assert len(first) == 3 and sorted(first + second) == feeds
    assert claim_due_feeds(database, 10) == []
    with database.connect() as conn:
        conn.execute("UPDATE feeds SET enabled = false WHERE id = %s", (feeds[0],))
        conn.execute("UPDATE feeds SET next_fetch_at = now() - interval '1 second'")
        conn.commit()
    assert sorted(claim_due_feeds(database, 10)) == feeds[1:]


def test_poll_delay_backs_off_exponentially_with_jitter() -> None:
    rng = random.Random(7)
    for errors, factor in ((0, 1), (1, 1), (2, 2), (3, 4), (5, 16)):
        delays = [poll_delay(600, errors, rng) for _ in range(200)]
        assert all(600 * factor * 0.9 <= d <= 600 * factor * 1.1 for d in delays), errors
        assert max(delays) - min(delays) > 600 * factor * 0.1  # spread, not one fixed value
    assert poll_delay(600, 50, rng) <= MAX_BACKOFF_S * 1.1
    assert poll_delay(200_000, 3, rng) <= 200_000 * 1.1  # an interval above the cap is kept
