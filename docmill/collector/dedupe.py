"""Is this entry new? By entry id (per feed), then by normalized link (any feed), then by content hash.

The content hash is the document's sha256; `insert_document` relies on the documents table's unique
sha256 (INSERT … ON CONFLICT DO NOTHING), never on a check-then-insert.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from docmill.collector.parse import FeedEntry
from docmill.models import Document, FeedItem

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
        "ref_src",
        "ref_url",
        "cmpid",
        "spm",
        "si",
    }
)
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_", "itm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
WHITESPACE = re.compile(r"\s+")
MARKDOWN_LINK_TARGET = re.compile(r"\]\([^)]*\)")
MARKDOWN_MARKS = re.compile(r"[*_#>`\[\]|~]+")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """The URL without tracking query parameters (utm_*, fbclid, gclid…), otherwise untouched."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    return urlunsplit(parts._replace(query=urlencode(kept, doseq=True)))


def normalize_link(url: str | None) -> str | None:
    """A comparable form of an article URL: lower-case scheme and host, no default port, no fragment,
    no tracking parameters, remaining parameters sorted, empty path as "/"."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not scheme or not host:
        return url.strip()
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k))
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def normalize_text(text: str) -> str:
    """The article text as hashed: its words, without Markdown marks or link targets (copies of an
    article differ in those), Unicode NFKC, case-folded, whitespace runs collapsed."""
    text = MARKDOWN_MARKS.sub(" ", MARKDOWN_LINK_TARGET.sub("]", text))
    return WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def entry_key(entry: FeedEntry) -> str | None:
    """The feed_items.entry_id for an entry: its id, else its normalized link, else a hash of what it says."""
    if entry.entry_id:
        return entry.entry_id
    link = normalize_link(entry.link)
    if link:
        return link
    said = "\n".join(
        part
        for part in (entry.title, entry.summary and entry.summary.value, entry.content and entry.content.value)
        if part
    )
    return f"sha256:{content_hash(said)}" if said.strip() else None


# ---- database -----------------------------------------------------------------------------------


def known_entry_keys(session: Session, feed_id: int, keys: Iterable[str]) -> set[str]:
    """Which of these entry keys this feed already recorded."""
    keys = list(set(keys))
    if not keys:
        return set()
    rows = session.execute(
        sa.select(FeedItem.entry_id).where(FeedItem.feed_id == feed_id, FeedItem.entry_id.in_(keys))
    ).scalars()
    return set(rows)


def documents_by_link(session: Session, links: Iterable[str]) -> dict[str, int]:
    """Normalized link → document id, for links any feed already turned into a document."""
    links = list({link for link in links if link})
    if not links:
        return {}
    rows = session.execute(
        sa.select(FeedItem.normalized_link, sa.func.min(FeedItem.document_id))
        .where(FeedItem.normalized_link.in_(links), FeedItem.document_id.is_not(None))
        .group_by(FeedItem.normalized_link)
    ).all()
    return {str(link): int(doc_id) for link, doc_id in rows}


@dataclass(frozen=True)
class StoredDocument:
    id: int
    created: bool  # False: a document with the same content hash already existed


def insert_document(session: Session, values: dict[str, Any]) -> StoredDocument:
    """Insert a document unless one with its sha256 exists; either way return the id."""
    inserted = session.execute(
        postgresql.insert(Document)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["sha256"])
        .returning(Document.id)
    ).scalar_one_or_none()
    if inserted is not None:
        return StoredDocument(int(inserted), True)
    existing = session.execute(sa.select(Document.id).where(Document.sha256 == values["sha256"])).scalar_one()
    return StoredDocument(int(existing), False)


def record_item(
    session: Session,
    *,
    feed_id: int,
    entry_key: str,
    link: str | None,
    document_id: int | None,
    published_at: Any = None,
) -> bool:
    """Remember that this feed delivered this entry; False when it was already recorded."""
    inserted = session.execute(
        postgresql.insert(FeedItem)
        .values(
            feed_id=feed_id,
            entry_id=entry_key,
            link=link,
            normalized_link=normalize_link(link),
            document_id=document_id,
            published_at=published_at,
        )
        .on_conflict_do_nothing(constraint="uq_feed_items_feed_entry")
        .returning(FeedItem.id)
    ).scalar_one_or_none()
    return inserted is not None
