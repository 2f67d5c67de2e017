"""What a rule's actions do to a document. Each returns only the changes it really made, so running a rule
twice changes nothing the second time (and records no_change)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from docmill.errors import NotFound
from docmill.fields.service import FieldChange, document_values, set_values
from docmill.fields.suggestions import apply_suggestions
from docmill.library import service as library
from docmill.models import Category, Document, LibrarySuggestion, SuggestionStatus, User, WebhookDelivery
from docmill.permissions import shares
from docmill.workflows.types import (
    AcceptPlacement,
    Action,
    AddTags,
    ApplySuggestions,
    Change,
    RemoveTags,
    SetCategory,
    SetFields,
    SetOwner,
    Share,
    Trigger,
    Webhook,
)


@dataclass(frozen=True)
class RuleRef:
    id: int | None  # None: an unsaved rule (dry-run)
    name: str


def _clean_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for tag in tags:
        clean = " ".join(tag.split())
        if clean and clean.casefold() not in {t.casefold() for t in out}:
            out.append(clean)
    return out


def _pending_placement(session: Session, document_id: int) -> LibrarySuggestion | None:
    return session.scalars(
        sa.select(LibrarySuggestion).where(
            LibrarySuggestion.document_id == document_id, LibrarySuggestion.status == SuggestionStatus.PENDING
        )
    ).first()


def _set_category(session: Session, document: Document, action: SetCategory) -> list[Change]:
    path = library.normalize_path(action.path)
    current = session.get(Category, document.category_id) if document.category_id is not None else None
    pending = _pending_placement(session, document.id)
    if current is not None and current.path.casefold() == path.casefold() and pending is None:
        return []
    if pending is not None:  # filing it decides the placement: the suggestion is accepted (maybe edited)
        library.accept_suggestion(session, pending.id, path=path)
        session.refresh(document)
    else:
        document.category_id = library.get_or_create_category(session, path).id
    category = session.get(Category, document.category_id)
    assert category is not None
    if current is not None and current.id == category.id:
        return [Change("accept_placement", f"accepted the placement {category.path}", {"path": category.path})]
    return [Change("set_category", f"set category {category.path}", {"path": category.path})]


def _add_tags(document: Document, action: AddTags) -> list[Change]:
    have = {t.casefold() for t in document.tags or []}
    added = [t for t in _clean_tags(action.tags) if t.casefold() not in have]
    if not added:
        return []
    document.tags = [*(document.tags or []), *added]
    return [Change("add_tags", "added tag" + ("s " if len(added) > 1 else " ") + ", ".join(added), {"tags": added})]


def _remove_tags(document: Document, action: RemoveTags) -> list[Change]:
    gone = {t.casefold() for t in _clean_tags(action.tags)}
    removed = [t for t in document.tags or [] if t.casefold() in gone]
    if not removed:
        return []
    document.tags = [t for t in document.tags or [] if t.casefold() not in gone]
    return [
        Change(
            "remove_tags", "removed tag" + ("s " if len(removed) > 1 else " ") + ", ".join(removed), {"tags": removed}
        )
    ]


def _field_changes(action: str, changes: list[FieldChange]) -> list[Change]:
    return [
        Change(
            action,
            f"set field {c.name} to {_shown(c.new)}" if c.new is not None else f"cleared field {c.name}",
            {"field": c.slug, "old": c.old, "new": c.new},
        )
        for c in changes
    ]


def _shown(value: Any) -> str:
    if isinstance(value, dict) and {"amount", "currency"} <= value.keys():
        return f"{value['amount']} {value['currency']}"
    return str(value)


def _set_owner(session: Session, document: Document, action: SetOwner) -> list[Change]:
    user_id = session.scalar(sa.select(User.id).where(User.username == action.username))
    if user_id is None:
        raise NotFound(
            f"the rule's set-owner action names the user {action.username!r}, who does not exist",
            "edit the rule to name an existing user",
        )
    if document.owner_id == user_id:
        return []
    document.owner_id = user_id
    return [Change("set_owner", f"set owner {action.username}", {"username": action.username})]


def _share(session: Session, document: Document, action: Share) -> list[Change]:
    target = action.username if action.username is not None else action.group
    existing = [
        s
        for s in shares.list_shares(session, document.id)
        if (action.username is not None and s.username == action.username)
        or (action.group is not None and s.group == action.group)
    ]
    if any(s.permission.value == action.permission for s in existing):
        return []
    if action.username is not None and document.owner_id is not None:
        owner = session.scalar(sa.select(User.username).where(User.id == document.owner_id))
        if owner == action.username:
            return []  # the owner already has every right
    shares.share(session, document, shares.Permission(action.permission), username=action.username, group=action.group)
    who = f"group {target}" if action.group is not None else str(target)
    return [
        Change("share", f"shared with {who} ({action.permission})", {"target": target, "permission": action.permission})
    ]


def _accept_placement(session: Session, document: Document) -> list[Change]:
    pending = _pending_placement(session, document.id)
    if pending is None:
        return []
    view = library.accept_suggestion(session, pending.id)
    session.refresh(document)
    return [Change("accept_placement", f"accepted the placement {view.decided_path}", {"path": view.decided_path})]


def webhook_body(session: Session, document: Document, rule: RuleRef, trigger: Trigger) -> dict[str, Any]:
    """What a webhook receives: the event and the document as the rule left it (no timestamps, so the same
    state gives the same body and is delivered once)."""
    path = session.scalar(sa.select(Category.path).where(Category.id == document.category_id))
    owner = session.scalar(sa.select(User.username).where(User.id == document.owner_id))
    return {
        "event": f"document.{trigger.value}",
        "rule": {"id": rule.id, "name": rule.name},
        "document": {
            "id": document.id,
            "title": document.title,
            "original_name": document.original_name,
            "kind": document.kind,
            "media_type": document.media_type,
            "source": document.source,
            "category": path,
            "tags": list(document.tags or []),
            "owner": owner,
            "fields": {v.slug: v.value for v in document_values(session, document.id)},
        },
    }


def canonical_json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _webhook(session: Session, document: Document, action: Webhook, rule: RuleRef, trigger: Trigger) -> list[Change]:
    url = str(action.url)
    body = webhook_body(session, document, rule, trigger)
    digest = hashlib.sha256(canonical_json(body)).hexdigest()
    inserted = session.execute(
        insert(WebhookDelivery)
        .values(rule_id=rule.id, document_id=document.id, url=url, body=body, body_sha256=digest)
        .on_conflict_do_nothing(index_elements=["rule_id", "document_id", "url", "body_sha256"])
        .returning(WebhookDelivery.id)
    ).scalar_one_or_none()
    if inserted is None:
        return []  # this very state was already sent (or is queued)
    return [Change("webhook", f"queued a webhook to {url}", {"url": url, "delivery_id": inserted})]


def apply_action(session: Session, document: Document, action: Action, rule: RuleRef, trigger: Trigger) -> list[Change]:
    match action:
        case SetCategory():
            return _set_category(session, document, action)
        case AddTags():
            return _add_tags(document, action)
        case RemoveTags():
            return _remove_tags(document, action)
        case SetFields():
            return _field_changes("set_fields", set_values(session, document.id, action.values, source="workflow"))
        case SetOwner():
            return _set_owner(session, document, action)
        case Share():
            return _share(session, document, action)
        case AcceptPlacement():
            return _accept_placement(session, document)
        case ApplySuggestions():
            return _field_changes("apply_suggestions", apply_suggestions(session, document.id, action.fields))
        case Webhook():
            return _webhook(session, document, action, rule, trigger)
    raise AssertionError(f"unknown action {action!r}")
