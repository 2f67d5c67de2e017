"""Rule filters, as pure functions of a rule and a message.

All text filters are case-insensitive "contains" tests on the decoded header or body text (Unicode NFKC,
case-folded), so `billing@` matches `Billing <BILLING@example.com>` and a Korean subject matches whatever
charset it was sent in. The header filters (from, to, subject, maximum age) are checked on the headers
alone, before a message is downloaded; the content filters (body contains, has attachment, attachment
name glob) on the whole message.
"""

from __future__ import annotations

import fnmatch
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from docmill.collector.mail.mime import Headers, ParsedMessage
from docmill.collector.mail.types import AfterAction, IngestMode


@dataclass(frozen=True)
class RuleSpec:
    """What the poller needs of a mail rule (a snapshot of the row)."""

    id: int
    name: str
    folders: tuple[str, ...] = ("INBOX",)
    from_contains: str | None = None
    to_contains: str | None = None
    subject_contains: str | None = None
    body_contains: str | None = None
    has_attachment: bool | None = None
    attachment_glob: str | None = None
    max_age_days: int | None = None
    ingest: IngestMode = IngestMode.ATTACHMENTS
    after_action: AfterAction = AfterAction.NONE
    move_to: str | None = None
    owner_id: int | None = None
    category_id: int | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def fold(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def _contains(haystack: str | None, needle: str | None) -> bool:
    return not needle or fold(needle) in fold(haystack)


def globs(pattern: str | None) -> list[str]:
    """ "*.pdf, invoice*" → ["*.pdf", "invoice*"]."""
    return [p.strip() for p in (pattern or "").split(",") if p.strip()]


def name_matches(name: str, pattern: str | None) -> bool:
    patterns = globs(pattern)
    return not patterns or any(fnmatch.fnmatchcase(fold(name), fold(p)) for p in patterns)


def matches_headers(rule: RuleSpec, headers: Headers, received: datetime | None, now: datetime) -> bool:
    if not _contains(headers.sender, rule.from_contains):
        return False
    if not _contains(headers.recipients, rule.to_contains):
        return False
    if not _contains(headers.subject, rule.subject_contains):
        return False
    if rule.max_age_days is not None:
        when = headers.date or received
        if when is None or when < now - timedelta(days=rule.max_age_days):
            return False
    return True


def needs_content(rule: RuleSpec) -> bool:
    return bool(rule.body_contains) or rule.has_attachment is not None or bool(globs(rule.attachment_glob))


def selected_attachments(rule: RuleSpec, message: ParsedMessage) -> list[int]:
    """Indexes of the attachments the rule takes (all of them, or those whose name matches the glob)."""
    return [i for i, a in enumerate(message.attachments) if name_matches(a.name, rule.attachment_glob)]


def matches_content(rule: RuleSpec, message: ParsedMessage) -> bool:
    if not _contains(message.text, rule.body_contains):
        return False
    if rule.has_attachment is not None and bool(message.attachments) != rule.has_attachment:
        return False
    return not globs(rule.attachment_glob) or bool(selected_attachments(rule, message))


def since(rules: list[RuleSpec], now: datetime) -> datetime | None:
    """The oldest date any of these rules can take (None when one of them has no age limit)."""
    ages = [r.max_age_days for r in rules]
    if not ages or any(a is None for a in ages):
        return None
    return now - timedelta(days=max(a for a in ages if a is not None) + 1)
