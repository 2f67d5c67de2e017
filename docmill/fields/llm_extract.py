"""Field extraction by an LLM: one structured-output call whose JSON schema is built from the field types.

The answer must be exactly one JSON object (thinking removed) with one key per asked field, each null or
{"value", "confidence", "evidence"}; every value is validated with docmill.fields.types.parse_value. Any
deviation — prose or code fences around the JSON, a missing or extra key, a value of the wrong type —
rejects the whole answer with an `LLMFieldsError` (a Permanent error: the classify row fails now, its error
naming the field and what was wrong). A server that is down raises BackendUnavailableError from the client
(the row waits, attempts kept).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from docmill.ai.http import BackendRequestError
from docmill.ai.llm import LLMClient
from docmill.ai.text import detect_language
from docmill.errors import PermanentStageError
from docmill.fields.extract import Extracted
from docmill.fields.types import FieldSpec, FieldType, FieldValueError, accepted_forms, parse_value

LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}
# Types an LLM is asked for (ids of documents and users are not in a document's text).
ASKABLE = frozenset(FieldType) - {FieldType.DOCUMENT_LINK, FieldType.USER}
SCHEMA_NAME = "fields"


class LLMFieldsError(PermanentStageError):
    """The LLM's field answer is unusable; the message names the field (or the problem) and the model."""

    code = "llm_fields_invalid"


def value_schema(spec: FieldSpec) -> dict[str, Any]:
    """The JSON schema of a field's value."""
    match spec.type:
        case FieldType.INTEGER:
            return {"type": "integer"}
        case FieldType.DECIMAL:
            return {"type": "number"}
        case FieldType.MONEY:
            return {
                "type": "object",
                "properties": {
                    "amount": {"type": "string", "description": "digits with an optional decimal point, e.g. 125000"},
                    "currency": {"type": "string", "description": "ISO 4217 code such as KRW, USD, EUR"},
                },
                "required": ["amount", "currency"],
                "additionalProperties": False,
            }
        case FieldType.DATE:
            return {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "YYYY-MM-DD"}
        case FieldType.BOOLEAN:
            return {"type": "boolean"}
        case FieldType.SELECT:
            return {"type": "string", "enum": list(spec.options)}
        case _:
            schema: dict[str, Any] = {"type": "string"}
            if spec.pattern:
                schema["pattern"] = spec.pattern
            return schema


def fields_schema(fields: Sequence[FieldSpec]) -> dict[str, Any]:
    properties = {
        spec.slug: {
            "description": f"{spec.name}: {spec.extraction_hint or accepted_forms(spec)}; null if the document "
            "does not say",
            "anyOf": [
                {
                    "type": "object",
                    "properties": {
                        "value": value_schema(spec),
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "evidence": {"type": "string", "description": "the document's words the value is read from"},
                    },
                    "required": ["value", "confidence", "evidence"],
                    "additionalProperties": False,
                },
                {"type": "null"},
            ],
        }
        for spec in fields
    }
    return {
        "type": "object",
        "properties": properties,
        "required": [s.slug for s in fields],
        "additionalProperties": False,
    }


def _fail(client: LLMClient, problem: str) -> LLMFieldsError:
    return LLMFieldsError(
        f"the LLM {client.model!r} gave an unusable field answer: {problem}",
        "use a model that follows JSON schemas, change the field's extraction hint, or unset DOCMILL_LLM_URL to "
        "extract fields offline; then retry the classify row",
    )


def _confidence(client: LLMClient, slug: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not 0 <= raw <= 1:
        raise _fail(client, f"field '{slug}': confidence {raw!r} is not a number from 0 to 1")
    return float(raw)


def validate_answer(client: LLMClient, answer: str, fields: Sequence[FieldSpec]) -> list[Extracted]:
    """The proposals of a field answer, or LLMFieldsError saying exactly what is wrong with it."""
    text = answer.strip()
    if not text:
        raise _fail(client, "the answer was empty")
    try:
        obj = json.loads(text)
    except ValueError:
        start = text.find("{")
        if start > 0 or (start == 0 and not text.endswith("}")):
            raise _fail(client, "there is text around the JSON object; answer only the object") from None
        raise _fail(client, "the answer is not JSON") from None
    if not isinstance(obj, dict):
        raise _fail(client, f"the answer is a JSON {type(obj).__name__}, not an object")
    by_slug = {s.slug: s for s in fields}
    extra = sorted(set(obj) - set(by_slug))
    if extra:
        raise _fail(client, "unknown field(s) " + ", ".join(repr(e) for e in extra) + "; answer only the asked ones")
    missing = sorted(set(by_slug) - set(obj))
    if missing:
        raise _fail(client, "missing field(s) " + ", ".join(repr(m) for m in missing) + " (null when not found)")
    out: list[Extracted] = []
    for slug, item in obj.items():
        if item is None:
            continue
        if not isinstance(item, dict) or set(item) != {"value", "confidence", "evidence"}:
            raise _fail(client, f"field '{slug}': expected {{value, confidence, evidence}} or null, got {item!r:.120}")
        spec = by_slug[slug]
        try:
            typed = parse_value(spec, item["value"])
        except FieldValueError as exc:
            raise _fail(client, exc.message + " " + (exc.hint or "")) from None
        if spec.type is FieldType.INTEGER and not isinstance(item["value"], int):
            raise _fail(client, f"field '{slug}': {item['value']!r} is not an integer")
        evidence = item["evidence"] if isinstance(item["evidence"], str) else ""
        out.append(Extracted(slug, typed.value, _confidence(client, slug, item["confidence"]), evidence[:500]))
    return out


def extract_with_llm(
    client: LLMClient, *, title: str | None, text: str, fields: Sequence[FieldSpec], max_chars: int
) -> list[Extracted]:
    """Ask the LLM for the fields' values in one JSON-schema call; validated proposals (see the module doc)."""
    asked = [f for f in fields if f.type in ASKABLE]
    if not asked or not text.strip():
        return []
    schema = fields_schema(asked)
    language = LANGUAGE_NAMES.get(detect_language(text), "English")
    listing = "\n".join(
        f"- {f.slug} ({f.type.value}): {f.extraction_hint or f.name}; accepts {accepted_forms(f)}" for f in asked
    )
    system = (
        "You read values out of documents into typed fields. Answer with exactly one JSON object matching the "
        "schema, nothing before or after it. For each field give the value the document states, your "
        "confidence (0 to 1) and the words you read it from, or null if the document does not say. Never "
        f"guess. The document is in {language}; dates as YYYY-MM-DD, amounts as digits with the currency code."
    )
    excerpt = text if len(text) <= max_chars else text[:max_chars] + "\n[…]"
    user = f"Fields:\n{listing}\n\nDocument title: {title or '(untitled)'}\n\nDocument:\n{excerpt}"
    response_format = {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": True}}
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    try:
        answer = client.chat(messages, temperature=0.0, response_format=response_format)
    except BackendRequestError as exc:
        if exc.status_code not in (400, 422):
            raise
        # a server without JSON-schema output: the schema goes into the request's words instead
        messages[0]["content"] += "\nThe JSON schema:\n" + json.dumps(schema, ensure_ascii=False)
        answer = client.chat(messages, temperature=0.0)
    return validate_answer(client, answer, asked)
