"""Filters and sorting by custom field values: one parser, one SQL builder, used by the documents list,
the search and ask.

A filter is `<slug><op><value>`: `amount>100000`, `due<2026-12-31`, `state:paid`, `paid:true`,
`due:empty` (no value). Operators: `=` and `:` (equal; for text, `:` is "contains", case-insensitive),
`!=` (not equal, documents without a value included), `>`, `>=`, `<`, `<=`. The value is read by the
field's type (a money filter compares the amount and, when one is given, the currency: `amount>100 USD`).
Each filter becomes one condition on the field's typed column (`num`, `day`, `txt`, `flag`), which the
(field_id, column) indexes serve.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import psycopg2
from sqlalchemy.orm import Session

from docmill.fields.service import spec_of
from docmill.fields.types import (
    CURRENCY_CODE,
    NUMERIC_TYPES,
    TEXT_TYPES,
    FieldSpec,
    FieldType,
    FieldValueError,
    parse_value,
)
from docmill.models import CustomField, DocumentFieldValue

V = DocumentFieldValue.__table__.c
EMPTY = "empty"
FILTER_FORMS = (
    "<field><operator><value> with an operator of = : != > >= < <=, e.g. amount>100000, due<2026-12-31, "
    "state:paid, paid:true, or due:empty for documents without a value"
)
_FILTER = re.compile(r"^\s*([a-z][a-z0-9_]{0,39})\s*(!=|>=|<=|=|>|<|:)\s*(.*?)\s*$", re.DOTALL)
# The inline form in a search query: field:amount>100000 or field:state:"in progress".
_INLINE = re.compile(r'(?<!\S)field:([a-z][a-z0-9_]{0,39}(?:!=|>=|<=|=|>|<|:)(?:"[^"]*"|\S*))(?!\S)')
_SORT = re.compile(r"^(-?)field:([a-z][a-z0-9_]{0,39})$")


class Op(enum.StrEnum):
    EQ = "="
    CONTAINS = ":"
    NE = "!="
    GT = ">"
    GE = ">="
    LT = "<"
    LE = "<="


ORDERED = frozenset({Op.GT, Op.GE, Op.LT, Op.LE})


class FieldFilterError(FieldValueError):
    """A filter that names no field, uses an operator the type has no meaning for, or a value it cannot read."""

    code = "invalid_field_filter"


class UnknownFieldError(FieldFilterError):
    code = "unknown_field"

    def __init__(self, slug: str, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known)) or "none yet"
        spec = FieldSpec(0, slug, slug, FieldType.TEXT)
        super().__init__(spec, "there is no such field")
        self.message = f"There is no custom field {slug!r}."
        self.hint = f"Known fields: {names}. Filter as {FILTER_FORMS}."
        self.accepted = f"one of the fields: {names}"


@dataclass(frozen=True)
class FieldFilter:
    """A parsed filter: the field, the operator and the typed operand (None with `missing`)."""

    spec: FieldSpec
    op: Op
    missing: bool = False  # `slug:empty`: documents without a value (`slug!=empty`: with one)
    num: Decimal | None = None
    day: date | None = None
    txt: str | None = None
    flag: bool | None = None
    currency: str | None = None  # money: also compare the currency

    def describe(self) -> str:
        if self.missing:
            return f"{self.spec.slug}{self.op.value}{EMPTY}"
        operand: Any = next(v for v in (self.num, self.day, self.txt, self.flag) if v is not None)
        value = str(operand).lower() if isinstance(operand, bool) else str(operand)
        return f"{self.spec.slug}{self.op.value}{value}" + (f" {self.currency}" if self.currency else "")


@dataclass(frozen=True)
class FieldSort:
    spec: FieldSpec
    descending: bool


def _problem(spec: FieldSpec, problem: str) -> FieldFilterError:
    error = FieldFilterError(spec, problem)
    error.hint = f"Give {error.accepted} (filter as {FILTER_FORMS})."
    return error


def _operand(spec: FieldSpec, op: Op, raw: str) -> dict[str, Any]:
    """The typed operand of one filter, read the way the field reads values."""
    kind = spec.type
    if kind is FieldType.BOOLEAN:
        if op not in (Op.EQ, Op.CONTAINS, Op.NE):
            raise _problem(spec, f"{op.value} has no meaning for true/false")
        if raw.lower() not in ("true", "false"):
            raise _problem(spec, f"{raw!r} is not true or false")
        return {"flag": raw.lower() == "true"}
    if kind is FieldType.MONEY:
        amount, _, currency = raw.partition(" ")
        if currency and not CURRENCY_CODE.match(currency.strip().upper()):
            raise _problem(spec, f"the currency {currency!r} is not a three-letter code such as KRW")
        number = parse_value(FieldSpec(spec.id, spec.slug, spec.name, FieldType.DECIMAL), amount).num
        return {"num": number, "currency": currency.strip().upper() or None}
    if kind in TEXT_TYPES and op is Op.CONTAINS and kind is not FieldType.SELECT:
        if not raw:
            raise _problem(spec, "the value is empty")
        return {"txt": raw}
    if kind is FieldType.LONG_TEXT or kind is FieldType.URL:  # compared as text; a partial URL is fine
        if not raw:
            raise _problem(spec, "the value is empty")
        return {"txt": raw}
    typed = parse_value(spec, raw)
    if kind in NUMERIC_TYPES:
        return {"num": typed.num}
    if kind is FieldType.DATE:
        return {"day": typed.day}
    return {"txt": typed.txt}


def parse_filter(spec: FieldSpec, op: Op, raw: str) -> FieldFilter:
    value = raw[1:-1] if len(raw) >= 2 and raw.startswith('"') and raw.endswith('"') else raw
    if value == EMPTY and op in (Op.CONTAINS, Op.EQ, Op.NE):
        return FieldFilter(spec, Op.NE if op is Op.NE else Op.EQ, missing=True)
    if op in ORDERED and spec.type in (FieldType.SELECT, FieldType.URL):
        raise _problem(spec, f"{op.value} has no meaning for a {spec.type.value} field")
    try:
        operand = _operand(spec, op, value)
    except FieldFilterError:
        raise
    except FieldValueError as exc:
        raise _problem(spec, exc.message.split(": ", 1)[-1].rstrip(".")) from None
    return FieldFilter(spec, op, **operand)


def parse_filters(session: Session, raw: Sequence[str]) -> list[FieldFilter]:
    """Parse `slug<op>value` strings against the defined fields; a bad one raises naming its field."""
    if not raw:
        return []
    by_slug = _specs(session)
    out: list[FieldFilter] = []
    for text in raw:
        match = _FILTER.match(text)
        if match is None:
            slug = re.match(r"\s*([a-z][a-z0-9_]*)", text)
            if slug and slug.group(1) in by_slug:
                raise _problem(by_slug[slug.group(1)], f"{text!r} has no operator")
            error = FieldFilterError(FieldSpec(0, text[:40], text[:40], FieldType.TEXT), "not a field filter")
            error.message = f"{text!r} is not a field filter."
            error.hint = f"Filter as {FILTER_FORMS}."
            raise error
        slug, op, value = match.groups()
        spec = by_slug.get(slug)
        if spec is None:
            raise UnknownFieldError(slug, by_slug)
        out.append(parse_filter(spec, Op(op), value))
    return out


def parse_sort(session: Session, raw: str) -> FieldSort | None:
    """`field:due` / `-field:due` → the field to sort by; None for any other sort."""
    match = _SORT.match(raw)
    if match is None:
        return None
    by_slug = _specs(session)
    spec = by_slug.get(match.group(2))
    if spec is None:
        raise UnknownFieldError(match.group(2), by_slug)
    return FieldSort(spec, descending=match.group(1) == "-")


def split_query(text: str) -> tuple[str, list[str]]:
    """A search query without its inline `field:` filters, and those filters (`field:amount>100000 관리비`)."""
    found = [m.group(1) for m in _INLINE.finditer(text)]
    rest = " ".join(_INLINE.sub(" ", text).split())
    return rest, found


def _specs(session: Session) -> dict[str, FieldSpec]:
    return {f.slug: spec_of(f) for f in session.scalars(sa.select(CustomField)).all()}


# ---- SQL ---------------------------------------------------------------------------------------------


def _column(spec: FieldSpec) -> sa.ColumnElement[Any]:
    kind = spec.type
    if kind in NUMERIC_TYPES:
        return V.num
    if kind is FieldType.DATE:
        return V.day
    if kind is FieldType.BOOLEAN:
        return V.flag
    return V.txt


def _compare(column: sa.ColumnElement[Any], op: Op, operand: Any) -> sa.ColumnElement[bool]:
    if op in (Op.EQ, Op.CONTAINS, Op.NE):
        return column == operand
    return {Op.GT: column > operand, Op.GE: column >= operand, Op.LT: column < operand, Op.LE: column <= operand}[op]


def condition(f: FieldFilter, document_id: sa.ColumnElement[Any], index: int = 0) -> sa.ColumnElement[bool]:
    """The condition on a documents row (its id column `document_id`) that `f` puts: an EXISTS (NOT EXISTS for
    `!=` and `:empty`) on the document's value of the field, by its typed column."""
    field_id = sa.bindparam(f"ff{index}_field", f.spec.id, type_=sa.BigInteger)
    where: list[sa.ColumnElement[bool]] = [V.document_id == document_id, V.field_id == field_id]
    if not f.missing:
        operand = next(v for v in (f.num, f.day, f.txt, f.flag) if v is not None)
        column = _column(f.spec)
        bound = sa.bindparam(f"ff{index}_value", operand, type_=column.type)
        if f.op is Op.CONTAINS and f.spec.type in TEXT_TYPES and f.spec.type is not FieldType.SELECT:
            pattern = "%" + operand.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            where.append(column.ilike(sa.bindparam(f"ff{index}_value", pattern, type_=sa.Text), escape="\\"))
        else:
            where.append(_compare(column, f.op, bound))
        if f.currency is not None:
            where.append(V.txt == sa.bindparam(f"ff{index}_currency", f.currency, type_=sa.Text))
    exists = sa.exists().where(*where)
    negate = f.op is Op.NE if not f.missing else f.op is Op.EQ
    return ~exists if negate else exists


def conditions(filters: Sequence[FieldFilter], document_id: sa.ColumnElement[Any]) -> list[sa.ColumnElement[bool]]:
    return [condition(f, document_id, i) for i, f in enumerate(filters)]


_DIALECT = psycopg2.dialect(paramstyle="named")  # renders no ::casts, which text() would misread


def conditions_sql(filters: Sequence[FieldFilter], alias: str = "d") -> tuple[list[str], dict[str, Any]]:
    """The same conditions as SQL text on the documents alias `alias`, with their parameters, for statements
    written as text (the search's)."""
    out: list[str] = []
    params: dict[str, Any] = {}
    for clause in conditions(filters, sa.literal_column(f"{alias}.id")):
        compiled = clause.compile(dialect=_DIALECT)
        out.append(str(compiled))
        params.update(compiled.params)
    return out, params


def sort_key(sort: FieldSort, document_id: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The value a document sorts by: its value of the field in the typed column (NULL without one)."""
    return (
        sa.select(_column(sort.spec))
        .where(
            V.document_id == document_id,
            V.field_id == sa.bindparam("fsort_field", sort.spec.id, type_=sa.BigInteger),
        )
        .scalar_subquery()
    )
