"""What docmill asks an LLM: a classification (JSON schema) and a summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from docmill.ai.llm import LLMClient, LLMResponseError
from docmill.ai.text import detect_language

LANGUAGE_NAMES = {"ko": "Korean", "en": "English"}
MAX_TAGS = 8


class LLMClassification(BaseModel):
    category: str = Field(max_length=300)
    is_new_category: bool = False
    confidence: float = Field(ge=0.0, le=1.0)
    tags: list[str] = Field(default_factory=list)
    summary: str
    reason: str = ""


CLASSIFICATION_SCHEMA: dict[str, object] = {
    "type": "object",
    "properties": {
        "category": {"type": "string", "description": "Library path such as 'Finance/Invoices', or '' if none fits"},
        "is_new_category": {"type": "boolean"},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_TAGS},
        "summary": {"type": "string"},
        "reason": {"type": "string"},
    },
    "required": ["category", "is_new_category", "confidence", "tags", "summary", "reason"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class CategoryOption:
    path: str
    description: str | None


def _excerpt(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[:max_chars] + "\n[…]"


def classify_with_llm(
    client: LLMClient,
    *,
    title: str | None,
    text: str,
    categories: Sequence[CategoryOption],
    existing_tags: Sequence[str],
    rejected_paths: Sequence[str],
    allow_new_categories: bool,
    max_chars: int,
) -> LLMClassification:
    known = {c.path.casefold(): c.path for c in categories}
    rejected = {p.casefold() for p in rejected_paths}
    language = LANGUAGE_NAMES.get(detect_language(text), "English")
    listing = "\n".join(f"- {c.path}" + (f": {c.description}" if c.description else "") for c in categories)
    rules = [
        "Choose the category from the list of existing categories whenever one fits.",
        (
            "Only if none fits, you may propose a new path in the same style and set is_new_category to true."
            if allow_new_categories
            else "Never invent a category: if none fits, answer an empty string for category."
        ),
        "Prefer tags from the list of existing tags; add a new tag only for an important topic none of them covers.",
        f"Tags are short lower-case keywords; at most {MAX_TAGS}.",
        f"The summary is 1 to 3 sentences in {language}, the document's language.",
        "confidence is your probability (0 to 1) that the category is right.",
    ]
    if rejected_paths:
        rules.append("The user rejected these paths for this document; never answer them: " + ", ".join(rejected_paths))
    system = "You file documents into a personal library. Answer with one JSON object only.\n" + "\n".join(
        f"- {r}" for r in rules
    )
    user = (
        f"Existing categories:\n{listing or '(none yet)'}\n\n"
        f"Existing tags: {', '.join(existing_tags) if existing_tags else '(none yet)'}\n\n"
        f"Document title: {title or '(untitled)'}\n\nDocument:\n{_excerpt(text, max_chars)}"
    )

    def check(answer: LLMClassification) -> list[str]:
        problems = []
        path = answer.category.strip()
        if path and path.casefold() in rejected:
            problems.append(f"the user rejected {path!r} for this document; choose another category or ''")
        elif path and path.casefold() not in known and not allow_new_categories:
            problems.append(
                f"category {path!r} does not exist; answer one of: "
                + ", ".join(repr(c.path) for c in categories)
                + " — or '' if none fits"
            )
        if not answer.summary.strip():
            problems.append("summary is empty")
        if len(answer.tags) > MAX_TAGS:
            problems.append(f"at most {MAX_TAGS} tags")
        return problems

    return client.structured(
        [{"role": "system", "content": system}, {"role": "user", "content": user}],
        LLMClassification,
        schema=CLASSIFICATION_SCHEMA,
        schema_name="classification",
        check=check,
    )


def summarize_with_llm(client: LLMClient, *, title: str | None, text: str, max_chars: int) -> str:
    language = LANGUAGE_NAMES.get(detect_language(text), "English")
    messages = [
        {
            "role": "system",
            "content": f"You write faithful summaries. Use only facts from the document. Write in {language}. "
            "Answer with the summary only: no preamble, no headings, no reasoning.",
        },
        {
            "role": "user",
            "content": f"Summarize this document in 3 to 5 sentences.\n\nTitle: {title or '(untitled)'}\n\n"
            f"{_excerpt(text, max_chars)}",
        },
    ]
    answer = client.chat(messages, temperature=0.2)
    if answer:
        return answer
    # only thinking came back (often cut off by the token limit): ask once more, plainly
    messages.append({"role": "assistant", "content": "(empty)"})
    messages.append({"role": "user", "content": "Write only the summary now, without thinking aloud."})
    answer = client.chat(messages, temperature=0.2)
    if answer:
        return answer
    raise LLMResponseError(
        f"the LLM {client.model!r} answered with thinking only, no summary, twice",
        "it is retried later; if this persists raise the model's token limit or use a non-reasoning model",
    )
