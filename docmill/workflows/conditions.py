"""Does a document match a rule's conditions? The facts are read once per document and rule run.

Text conditions read the document's Markdown (or transcript text), at most MAX_TEXT characters of it; a
regular expression runs with the `regex` module's timeout, so a pathological pattern cannot hang a stage
(a timeout counts as no match and is logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

import regex
import sqlalchemy as sa
from sqlalchemy.orm import Session

from docmill.ai.text import document_text
from docmill.fields.service import specs as field_specs
from docmill.fields.types import FieldSpec, FieldType, TypedValue, parse_value
from docmill.models import Category, CustomField, Document, DocumentFieldValue, User
from docmill.workflows.types import (
    CategoryIs,
    Condition,
    FieldOp,
    FieldValueIs,
    KindIs,
    Match,
    MediaTypeIs,
    NameGlob,
    OwnerIs,
    SourceIs,
    TagIs,
    TextContains,
    TextRegex,
    glob_matches,
)

log = logging.getLogger(__name__)

MAX_TEXT = 200_000
REGEX_TIMEOUT_S = 0.25


@dataclass
class Facts:
    """What conditions look at, read once: the document, its category path, owner, field values, text."""

    document: Document
    category_path: str | None
    owner: str | None
    values: dict[str, TypedValue]  # slug → the stored typed value
    field_specs: dict[str, FieldSpec]
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            d = self.document
            self._text = document_text(d.markdown, d.transcript)[:MAX_TEXT]
        return self._text


def read_facts(session: Session, document: Document, specs: dict[str, FieldSpec] | None = None) -> Facts:
    path = (
        session.scalar(sa.select(Category.path).where(Category.id == document.category_id))
        if document.category_id is not None
        else None
    )
    owner = (
        session.scalar(sa.select(User.username).where(User.id == document.owner_id))
        if document.owner_id is not None
        else None
    )
    rows = session.execute(
        sa.select(CustomField.slug, DocumentFieldValue)
        .join(CustomField, CustomField.id == DocumentFieldValue.field_id)
        .where(DocumentFieldValue.document_id == document.id)
    ).all()
    values = {slug: TypedValue(v.value, v.num, v.day, v.txt, v.flag) for slug, v in rows}
    if specs is None:
        specs = {s.slug: s for s in field_specs(session)}
    return Facts(document, path, owner, values, specs)


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern, regex.IGNORECASE | regex.MULTILINE)


def regex_search(pattern: str, text: str) -> bool:
    try:
        return _compiled(pattern).search(text, timeout=REGEX_TIMEOUT_S) is not None
    except TimeoutError:
        log.warning("the workflow pattern %r took longer than %.2f s: treated as no match", pattern, REGEX_TIMEOUT_S)
        return False


def _comparable(spec: FieldSpec, typed: TypedValue) -> Decimal | date | str | bool | None:
    if spec.type is FieldType.DATE:
        return typed.day
    if spec.type is FieldType.BOOLEAN:
        return typed.flag
    if typed.num is not None:
        return typed.num
    return typed.txt.casefold() if typed.txt is not None else None


def field_matches(cond: FieldValueIs, facts: Facts) -> bool:
    """The fields' comparison semantics: the condition's value is parsed by the field's type, then compared
    with the stored typed column (money: its amount; text: any case). A missing value only matches `empty`
    and `!=`."""
    spec = facts.field_specs.get(cond.field)
    stored = facts.values.get(cond.field)
    if cond.op is FieldOp.EMPTY:
        return stored is None
    if cond.op is FieldOp.NOT_EMPTY:
        return stored is not None
    if spec is None:
        return False  # a deleted field: nothing matches it
    wanted = _comparable(spec, parse_value(spec, cond.value))
    have = _comparable(spec, stored) if stored is not None else None
    if cond.op is FieldOp.NE:
        return have != wanted
    if have is None or wanted is None:
        return False
    if cond.op is FieldOp.EQ:
        return have == wanted
    try:
        return bool(have > wanted) if cond.op is FieldOp.GT else bool(have < wanted)  # type: ignore[operator]
    except TypeError:
        return False


def _category_matches(cond: CategoryIs, facts: Facts) -> bool:
    if cond.none:
        return facts.category_path is None
    if facts.category_path is None:
        return False
    have, want = facts.category_path.casefold(), cond.path.strip().strip("/").casefold()
    return have == want or (cond.prefix and have.startswith(want + "/"))


def condition_matches(cond: Condition, facts: Facts) -> bool:
    d = facts.document
    match cond:
        case KindIs():
            return d.kind in cond.kinds
        case MediaTypeIs():
            return any(glob_matches(m, d.media_type) for m in cond.media_types)
        case SourceIs():
            return d.source in {s.value for s in cond.sources}
        case NameGlob():
            return d.original_name is not None and glob_matches(cond.pattern, d.original_name)
        case TextContains():
            return cond.text.casefold() in facts.text.casefold()
        case TextRegex():
            return regex_search(cond.pattern, facts.text)
        case CategoryIs():
            return _category_matches(cond, facts)
        case TagIs():
            has = cond.tag.casefold() in {t.casefold() for t in d.tags or []}
            return has != cond.absent
        case FieldValueIs():
            return field_matches(cond, facts)
        case OwnerIs():
            return facts.owner is not None and facts.owner in cond.usernames
    raise AssertionError(f"unknown condition {cond!r}")


def matches(conditions: list[Condition], match: Match, facts: Facts) -> bool:
    """All conditions (or any, when the rule says so); a rule without conditions matches every document."""
    if not conditions:
        return True
    results = (condition_matches(c, facts) for c in conditions)
    return any(results) if match is Match.ANY else all(results)
