"""Feeds: add, list, remove, fetch one now, poll the due ones. The API, the CLI and the runner call these.

A fetch turns each new entry into a `news` document (deduplicated: entry id per feed, then normalized
link, then content hash via the documents' unique sha256) plus a feed_items row, and enqueues the new
document at its entry stages (summarize, embed) in the same transaction. Network work happens outside
database transactions; each entry is stored in its own short transaction.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from docmill.auth.users import default_owner_id
from docmill.collector.articles import ArticleUnavailable, build_article
from docmill.collector.dedupe import (
    documents_by_link,
    entry_key,
    insert_document,
    known_entry_keys,
    normalize_link,
    record_item,
    strip_tracking,
)
from docmill.collector.fetch import SafeFetcher, check_url
from docmill.collector.parse import FeedEntry, ParsedFeed, parse_feed
from docmill.collector.schedule import next_poll_at
from docmill.config import Settings, get_settings
from docmill.db.engine import Database
from docmill.errors import DocmillError
from docmill.models import Feed, User
from docmill.pipeline.queue import enqueue_entry
from docmill.pipeline.registry import DocumentKind
from docmill.workflows.engine import run_rules_by_id
from docmill.workflows.types import Trigger

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 30 * 86400
CLAIM_LEASE_S = 900  # a claimed feed is not claimed again for this long, should its collector die
MAX_ERROR_CHARS = 4000

FetchStatus = Literal["ok", "warning", "not_modified", "error"]


class FeedNotFoundError(DocmillError):
    """No feed with that id or URL."""


class FeedExistsError(DocmillError):
    """A feed with that URL is already subscribed."""


class InvalidFeedError(DocmillError):
    """The feed URL or its settings are not acceptable."""


@dataclass
class FetchOutcome:
    feed_id: int
    url: str
    status: FetchStatus = "ok"
    added: int = 0  # new documents
    linked: int = 0  # new entries of this feed that matched a document already stored
    seen: int = 0  # entries this feed had delivered before
    skipped: int = 0  # entries with no usable text (tried again next time)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    next_fetch_at: datetime | None = None


def _now() -> datetime:
    return datetime.now(UTC)


# ---- managing feeds -----------------------------------------------------------------------------


def add_feed(
    session: Session,
    settings: Settings,
    url: str,
    *,
    interval_s: int | None = None,
    title: str | None = None,
    owner_id: int | None = None,
) -> Feed:
    """Subscribe to a feed; it is fetched at the collector's next poll. The caller commits."""
    url = url.strip()
    try:
        check_url(url)
    except DocmillError as exc:
        raise InvalidFeedError(exc.message, exc.hint) from None
    interval = _check_interval(int(interval_s if interval_s is not None else settings.collector_interval))
    feed_id = session.execute(
        postgresql.insert(Feed)
        .values(url=url, interval_s=interval, title=title or None, owner_id=_check_owner(session, owner_id))
        .on_conflict_do_nothing(index_elements=["url"])
        .returning(Feed.id)
    ).scalar_one_or_none()
    if feed_id is None:
        existing = session.execute(sa.select(Feed.id).where(Feed.url == url)).scalar_one_or_none()
        raise FeedExistsError(
            f"the feed {url} is already subscribed" + (f" (id {existing})" if existing else ""),
            "list feeds with `docmill feeds list`; remove it first to add it again",
        )
    feed = session.get(Feed, feed_id)
    assert feed is not None
    return feed


def _check_owner(session: Session, owner_id: int | None) -> int | None:
    if owner_id and session.get(User, owner_id) is None:
        raise InvalidFeedError(f"there is no user {owner_id}", "give an existing user's id (GET /api/users)")
    return owner_id or None


def _check_interval(interval: int) -> int:
    if not MIN_INTERVAL_S <= interval <= MAX_INTERVAL_S:
        raise InvalidFeedError(
            f"a poll interval of {interval} s is out of range",
            f"use between {MIN_INTERVAL_S} seconds and {MAX_INTERVAL_S // 86400} days",
        )
    return interval


def update_feed(
    session: Session,
    ref: int | str,
    *,
    interval_s: int | None = None,
    enabled: bool | None = None,
    title: str | None = None,
    owner_id: int | None = None,
) -> Feed:
    """Change a feed's interval, title, owner (0 clears it) or whether it is polled. The caller commits."""
    feed = find_feed(session, ref)
    if interval_s is not None and interval_s != feed.interval_s:
        feed.interval_s = _check_interval(interval_s)
        feed.next_fetch_at = min(feed.next_fetch_at, next_poll_at(_now(), interval_s))
    if enabled is not None:
        feed.enabled = enabled
    if title is not None:
        feed.title = title.strip() or None
    if owner_id is not None:
        feed.owner_id = _check_owner(session, owner_id)
    session.flush()
    return feed


def list_feeds(session: Session) -> list[Feed]:
    return list(session.execute(sa.select(Feed).order_by(Feed.id)).scalars())


def find_feed(session: Session, ref: int | str) -> Feed:
    """A feed by id or URL."""
    text = str(ref).strip()
    if text.isdigit():
        feed = session.get(Feed, int(text))
    else:
        feed = session.execute(sa.select(Feed).where(Feed.url == text)).scalar_one_or_none()
    if feed is None:
        raise FeedNotFoundError(f"no feed {text}", "list feeds with `docmill feeds list`")
    return feed


def remove_feed(session: Session, ref: int | str) -> Feed:
    """Unsubscribe; the documents it brought stay (their feed_id becomes NULL). The caller commits."""
    feed = find_feed(session, ref)
    session.delete(feed)
    session.flush()
    return feed


# ---- fetching -----------------------------------------------------------------------------------


def fetch_feed(
    database: Database,
    settings: Settings,
    feed_id: int,
    *,
    fetcher: SafeFetcher | None = None,
    stop_event: threading.Event | None = None,
) -> FetchOutcome:
    """Fetch one feed now and store its new entries. Fetch and parse errors are recorded on the feed and
    returned in the outcome (status "error"), not raised."""
    if fetcher is None:
        with SafeFetcher(settings) as own:
            return fetch_feed(database, settings, feed_id, fetcher=own, stop_event=stop_event)
    with database.session() as session:
        feed = session.get(Feed, feed_id)
        if feed is None:
            raise FeedNotFoundError(f"no feed {feed_id}", "list feeds with `docmill feeds list`")
        url, etag, last_modified = feed.url, feed.etag, feed.last_modified
    outcome = FetchOutcome(feed_id=feed_id, url=url)
    try:
        result = fetcher.fetch(url, etag=etag, last_modified=last_modified)
        if result.not_modified:
            outcome.status = "not_modified"
            _finish(database, outcome, validators=None, title=None, complete=True)
            return outcome
        parsed = parse_feed(result.content, content_type=result.content_type, charset=result.charset, url=result.url)
        outcome.warnings.extend(parsed.warnings)
        complete = _store_entries(database, fetcher, feed_id, parsed, outcome, stop_event)
    except DocmillError as exc:
        outcome.status, outcome.error = "error", str(exc)
        _finish(database, outcome, validators=None, title=None, complete=True)
        return outcome
    except Exception as exc:
        if isinstance(exc, sa.exc.SQLAlchemyError | psycopg.Error):
            raise  # the database, not the feed: let the caller (the runner) deal with it
        log.exception("feed %s (%s): unexpected error", feed_id, url)
        outcome.status, outcome.error = "error", f"unexpected error: {type(exc).__name__}: {exc}"
        _finish(database, outcome, validators=None, title=None, complete=True)
        return outcome
    outcome.status = "warning" if outcome.warnings else "ok"
    _finish(database, outcome, validators=(result.etag, result.last_modified), title=parsed.title, complete=complete)
    return outcome


def _keyed_entries(parsed: ParsedFeed, outcome: FetchOutcome) -> list[tuple[str, FeedEntry]]:
    keyed: list[tuple[str, FeedEntry]] = []
    keys: set[str] = set()
    for entry in parsed.entries:
        key = entry_key(entry)
        if key is None:
            outcome.skipped += 1
            outcome.warnings.append("an entry with no id, link, title or text was skipped")
        elif key not in keys:
            keys.add(key)
            keyed.append((key, entry))
    return keyed


def _store_entries(
    database: Database,
    fetcher: SafeFetcher,
    feed_id: int,
    parsed: ParsedFeed,
    outcome: FetchOutcome,
    stop_event: threading.Event | None,
) -> bool:
    """Store the feed's new entries; False when stopped before the end."""
    keyed = _keyed_entries(parsed, outcome)
    with database.session() as session:
        known = known_entry_keys(session, feed_id, [key for key, _ in keyed])
        new = [(key, entry) for key, entry in keyed if key not in known]
        outcome.seen += len(keyed) - len(new)
        by_link = documents_by_link(session, [normalize_link(entry.link) or "" for _, entry in new])
    for key, entry in new:
        if stop_event is not None and stop_event.is_set():
            return False
        link = normalize_link(entry.link)
        if link and link in by_link:
            with database.transaction() as session:
                if record_item(
                    session,
                    feed_id=feed_id,
                    entry_key=key,
                    link=entry.link,
                    document_id=by_link[link],
                    published_at=entry.published_at,
                ):
                    outcome.linked += 1
            continue
        try:
            article = build_article(entry, fetcher)
        except ArticleUnavailable as exc:
            outcome.skipped += 1
            outcome.warnings.append(exc.message)
            continue
        values: dict[str, Any] = {
            "sha256": article.sha256,
            "kind": DocumentKind.NEWS.value,
            "source": "news",
            "source_url": strip_tracking(entry.link) if entry.link else None,
            "feed_id": feed_id,
            "published_at": entry.published_at,
            "title": article.title,
            "author": entry.author,
            "language": parsed.language,
            "media_type": "text/html",
            "size_bytes": len(article.markdown.encode("utf-8")),
            "storage_path": None,
            "markdown": article.markdown,
            "doc_metadata": {
                "feed_url": outcome.url,
                "feed_title": parsed.title,
                "entry_id": entry.entry_id,
                "text_from": article.source,
            },
            "warnings": parsed.warnings + article.warnings,
        }
        with database.transaction() as session:
            feed_owner = session.scalar(sa.select(Feed.owner_id).where(Feed.id == feed_id))
            values["owner_id"] = feed_owner or default_owner_id(session, get_settings().feeds_owner)
            stored = insert_document(session, values)
            record_item(
                session,
                feed_id=feed_id,
                entry_key=key,
                link=entry.link,
                document_id=stored.id,
                published_at=entry.published_at,
            )
            if stored.created:
                enqueue_entry(session, stored.id, DocumentKind.NEWS.value)
                run_rules_by_id(session, stored.id, Trigger.ADDED)
                outcome.added += 1
            else:
                outcome.linked += 1
        if link:
            by_link[link] = stored.id
    return True


def _finish(
    database: Database,
    outcome: FetchOutcome,
    *,
    validators: tuple[str | None, str | None] | None,
    title: str | None,
    complete: bool,
) -> None:
    """Record the fetch on the feed row and schedule its next poll."""
    now = _now()
    with database.transaction() as session:
        feed = session.get(Feed, outcome.feed_id, with_for_update=True)
        if feed is None:  # removed while it was being fetched
            return
        previous_status = feed.last_status
        feed.last_fetch_at = now
        feed.last_status = outcome.status
        if outcome.status == "error":
            feed.error_count += 1
            feed.last_error = (outcome.error or "error")[:MAX_ERROR_CHARS]
        elif outcome.status == "not_modified":
            if previous_status == "error":
                feed.last_error = None
            # otherwise the warnings about the unchanged content still hold: keep them
            feed.error_count = 0
        else:
            feed.error_count = 0
            feed.last_error = "; ".join(dict.fromkeys(outcome.warnings))[:MAX_ERROR_CHARS] or None
            feed.items_added += outcome.added
            if validators is not None and complete:
                feed.etag, feed.last_modified = validators
            if title and not feed.title:
                feed.title = title
        feed.next_fetch_at = next_poll_at(now, feed.interval_s, feed.error_count) if complete else now
        outcome.next_fetch_at = feed.next_fetch_at


def record_failure(database: Database, feed_id: int, message: str) -> None:
    """Record an error that escaped fetch_feed (a database hiccup…) so the feed backs off."""
    outcome = FetchOutcome(feed_id=feed_id, url="", status="error", error=message)
    _finish(database, outcome, validators=None, title=None, complete=True)


# ---- polling ------------------------------------------------------------------------------------

CLAIM_DUE_SQL = sa.text(
    """
    UPDATE feeds SET next_fetch_at = now() + make_interval(secs => :lease_s)
    WHERE id IN (
        SELECT id FROM feeds
        WHERE enabled AND next_fetch_at <= now()
        ORDER BY next_fetch_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    RETURNING id
    """
)


def claim_due_feeds(database: Database, limit: int, *, lease_s: float = CLAIM_LEASE_S) -> list[int]:
    """Feeds due for a poll, taken so that no other collector polls them at the same time."""
    if limit <= 0:
        return []
    with database.transaction() as session:
        rows = session.execute(CLAIM_DUE_SQL, {"limit": limit, "lease_s": float(lease_s)}).scalars()
        return [int(r) for r in rows]


def seconds_until_due(database: Database) -> float | None:
    """Seconds until the next enabled feed is due (0 when one is due now); None without feeds."""
    with database.session() as session:
        value = session.execute(
            sa.text("SELECT extract(epoch FROM min(next_fetch_at) - now()) FROM feeds WHERE enabled")
        ).scalar_one_or_none()
    return None if value is None else max(0.0, float(value))


def poll_due(
    database: Database, settings: Settings, *, fetcher: SafeFetcher | None = None, limit: int = 100
) -> list[FetchOutcome]:
    """Fetch every feed that is due now, one after the other."""
    if fetcher is None:
        with SafeFetcher(settings) as own:
            return poll_due(database, settings, fetcher=own, limit=limit)
    return [fetch_feed(database, settings, feed_id, fetcher=fetcher) for feed_id in claim_due_feeds(database, limit)]
