"""Field types and their values: what each type accepts, its canonical JSON and its typed column.

Canonical JSON per type: text, long_text, url, select: a string; integer: an int; decimal: a string
("12.50", exact); money: {"amount": "<decimal string>", "currency": "<ISO 4217>"}; date: "YYYY-MM-DD";
boolean: true/false; document_link, user: an id (int). `parse_value` turns what a user or an extractor
gives into that form, or raises `FieldValueError` naming the field and the accepted forms.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from docmill.errors import Invalid

MAX_TEXT = 1000
MAX_LONG_TEXT = 100_000
MAX_DIGITS = 30


class FieldType(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"
    BOOLEAN = "boolean"
    URL = "url"
    SELECT = "select"
    DOCUMENT_LINK = "document_link"
    USER = "user"


ACCEPTED_FORMS: dict[FieldType, str] = {
    FieldType.TEXT: f"a string of at most {MAX_TEXT} characters",
    FieldType.LONG_TEXT: f"a string of at most {MAX_LONG_TEXT} characters",
    FieldType.INTEGER: "a whole number such as 42 or -7",
    FieldType.DECIMAL: 'a number such as 12.5 or "12.50"',
    FieldType.MONEY: 'an amount with a currency: {"amount": "125000", "currency": "KRW"}, "125000 KRW" or a number '
    "(the field's default currency)",
    FieldType.DATE: 'a date as YYYY-MM-DD, such as "2026-03-14"',
    FieldType.BOOLEAN: "true or false",
    FieldType.URL: 'an http(s) address such as "https://example.com/bill"',
    FieldType.SELECT: "one of the field's options",
    FieldType.DOCUMENT_LINK: "the id of a document you can see",
    FieldType.USER: "the id of a user",
}

# Types whose typed column is `num`, `day`, `txt` or `flag` (money also writes its currency to `txt`).
NUMERIC_TYPES = frozenset(
    {FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY, FieldType.DOCUMENT_LINK, FieldType.USER}
)
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL, FieldType.SELECT})

CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
_MONEY_TEXT = re.compile(r"^\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*([A-Za-z]{3})?\s*$")


@dataclass(frozen=True)
class FieldSpec:
    """What parsing and extraction need to know about a field (read from a CustomField row)."""

    id: int
    slug: str
    name: str
    type: FieldType
    options: tuple[str, ...] = ()
    default_currency: str | None = None
    extraction_hint: str | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class TypedValue:
    """A canonical value and the typed column it is filtered and sorted by."""

    value: Any
    num: Decimal | None = None
    day: date | None = None
    txt: str | None = None
    flag: bool | None = None


class FieldValueError(Invalid):
    """A value a field does not accept; the message names the field and what it accepts."""

    code = "invalid_field_value"

    def __init__(self, spec: FieldSpec, problem: str) -> None:
        super().__init__(
            f"Field '{spec.name}' ({spec.slug}, {spec.type.value}): {problem}.",
            f"Give {accepted_forms(spec)}.",
        )
        self.field = spec.slug
        self.accepted = accepted_forms(spec)


def accepted_forms(spec: FieldSpec) -> str:
    if spec.type is FieldType.SELECT and spec.options:
        return "one of: " + ", ".join(spec.options)
    if spec.type is FieldType.TEXT and spec.pattern:
        return f"a string matching {spec.pattern}"
    return ACCEPTED_FORMS[spec.type]


def _decimal(spec: FieldSpec, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, Decimal)):
        raise FieldValueError(spec, f"{raw!r} is not a number")
    text = str(raw).strip().replace(",", "") if isinstance(raw, str) else str(raw)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise FieldValueError(spec, f"{raw!r} is not a number") from None
    if not number.is_finite() or len(number.as_tuple().digits) > MAX_DIGITS:
        raise FieldValueError(spec, f"{raw!r} is not a finite number of at most {MAX_DIGITS} digits")
    return number


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _string(spec: FieldSpec, raw: Any, limit: int) -> str:
    if not isinstance(raw, str):
        raise FieldValueError(spec, f"{raw!r} is not a string")
    text = raw.strip()
    if not text:
        raise FieldValueError(spec, "the value is empty (clear the field instead)")
    if len(text) > limit:
        raise FieldValueError(spec, f"the value has {len(text)} characters, more than {limit}")
    return text


def _id(spec: FieldSpec, raw: Any) -> int:
    if isinstance(raw, bool):
        raise FieldValueError(spec, f"{raw!r} is not an id")
    try:
        number = int(raw)
    except (TypeError, ValueError):
        raise FieldValueError(spec, f"{raw!r} is not an id") from None
    if number < 1 or number > 2**63 - 1:
        raise FieldValueError(spec, f"{raw!r} is not an id")
    return number


def _money(spec: FieldSpec, raw: Any) -> TypedValue:
    amount: Any
    currency: Any
    if isinstance(raw, dict):
        if set(raw) - {"amount", "currency"} or "amount" not in raw:
            raise FieldValueError(spec, f"{raw!r} is not an amount with a currency")
        amount, currency = raw["amount"], raw.get("currency") or spec.default_currency
    elif isinstance(raw, str):
        match = _MONEY_TEXT.match(raw)
        if match is None:
            raise FieldValueError(spec, f"{raw!r} is not an amount with a currency")
        amount, currency = match.group(1), match.group(2) or spec.default_currency
    else:
        amount, currency = raw, spec.default_currency
    number = _decimal(spec, amount)
    if not isinstance(currency, str) or not CURRENCY_CODE.match(currency.upper()):
        raise FieldValueError(spec, f"the currency {currency!r} is not a three-letter code such as KRW, USD or EUR")
    code = currency.upper()
    return TypedValue({"amount": _plain(number), "currency": code}, num=number, txt=code)


def _text(spec: FieldSpec, raw: Any) -> TypedValue:
    text = _string(spec, raw, MAX_TEXT)
    if spec.pattern and re.fullmatch(spec.pattern, text) is None:
        raise FieldValueError(spec, f"{text!r} does not match {spec.pattern}")
    return TypedValue(text, txt=text)


def _long_text(spec: FieldSpec, raw: Any) -> TypedValue:
    text = _string(spec, raw, MAX_LONG_TEXT)
    return TypedValue(text, txt=text[:MAX_TEXT])


def _integer(spec: FieldSpec, raw: Any) -> TypedValue:
    number = _decimal(spec, raw)
    if number != number.to_integral_value():
        raise FieldValueError(spec, f"{raw!r} is not a whole number")
    return TypedValue(int(number), num=Decimal(int(number)))


def _decimal_value(spec: FieldSpec, raw: Any) -> TypedValue:
    number = _decimal(spec, raw)
    return TypedValue(_plain(number), num=number)


def _date(spec: FieldSpec, raw: Any) -> TypedValue:
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        raise FieldValueError(spec, f"{raw!r} is not a date")
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise FieldValueError(spec, f"{raw!r} is not a date in the calendar") from None
    return TypedValue(day.isoformat(), day=day)


def _boolean(spec: FieldSpec, raw: Any) -> TypedValue:
    if not isinstance(raw, bool):
        raise FieldValueError(spec, f"{raw!r} is not true or false")
    return TypedValue(raw, flag=raw)


def _url(spec: FieldSpec, raw: Any) -> TypedValue:
    text = _string(spec, raw, MAX_TEXT)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FieldValueError(spec, f"{text!r} is not an http(s) address")
    return TypedValue(text, txt=text)


def _select(spec: FieldSpec, raw: Any) -> TypedValue:
    text = _string(spec, raw, MAX_TEXT)
    if text not in spec.options:
        raise FieldValueError(spec, f"{text!r} is not one of the options")
    return TypedValue(text, txt=text)


def _reference(spec: FieldSpec, raw: Any) -> TypedValue:
    number = _id(spec, raw)
    return TypedValue(number, num=Decimal(number))


PARSERS: dict[FieldType, Callable[[FieldSpec, Any], TypedValue]] = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _long_text,
    FieldType.INTEGER: _integer,
    FieldType.DECIMAL: _decimal_value,
    FieldType.MONEY: _money,
    FieldType.DATE: _date,
    FieldType.BOOLEAN: _boolean,
    FieldType.URL: _url,
    FieldType.SELECT: _select,
    FieldType.DOCUMENT_LINK: _reference,
    FieldType.USER: _reference,
}


def parse_value(spec: FieldSpec, raw: Any) -> TypedValue:
    """The canonical value of `raw` for `spec`, or FieldValueError. Ids are not checked to exist here."""
    if raw is None:
        raise FieldValueError(spec, "no value (clear the field instead)")
    return PARSERS[spec.type](spec, raw)
