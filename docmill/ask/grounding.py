"""The grounded prompt and the checks on what the model answered: citations that point at no passage are
removed, an answer that cites nothing (and used no tool) or says NOT FOUND becomes "not found"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docmill.ask.sentences import split_sentences
from docmill.ask.terms import overlap, question_terms
from docmill.ask.types import Citation, Passage, Turn

NOT_FOUND_MARK = "NOT FOUND"
SYSTEM_PROMPT = f"""You answer questions from the user's own documents. Follow these rules:
1. Use only the numbered passages you are given and the results of the tools. Never use outside knowledge.
2. After every claim, cite the passage it comes from as [n], for example: "The boiler was serviced on 15 October [2]."
   Cite only numbers of passages that exist.
3. If the passages do not contain the answer, reply with exactly: {NOT_FOUND_MARK}
4. Questions about the archive itself (how many documents, which documents, lists of documents) must be answered
   by calling the tools count_documents, list_documents or search_documents, never by counting passages.
5. Answer in the language of the question. Quote numbers, dates and names exactly as the passages write them.
   Be brief: one to three sentences."""

_CITES = re.compile(r"\s?\[(\d+(?:\s*,\s*\d+)*)\]")
_NOT_FOUND = re.compile(r"^\W*NOT[ _]FOUND\W*$|\bNOT[ _]FOUND\b", re.IGNORECASE)


def passages_block(passages: list[Passage]) -> str:
    parts = []
    for p in passages:
        where = f"{p.title} — {p.heading}" if p.heading and p.heading != p.title else p.title
        parts.append(f"[{p.n}] ({where})\n{p.text.strip()}")
    return "\n\n".join(parts) if parts else "(no passages matched the question)"


def prompt_messages(question: str, passages: list[Passage], turns: list[Turn]) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = [{"role": "system", "content": SYSTEM_PROMPT}]
    for turn in turns[-6:]:
        messages.append({"role": "user", "content": turn.question})
        messages.append({"role": "assistant", "content": turn.answer})
    messages.append({"role": "user", "content": f"Passages:\n\n{passages_block(passages)}\n\nQuestion: {question}"})
    return messages


@dataclass
class Checked:
    text: str
    cited: list[int] = field(default_factory=list)  # valid passage numbers, in order of first citation
    removed: list[int] = field(default_factory=list)  # numbers that point at no passage
    found: bool = True
    unsupported: bool = False  # an answer that cites no passage and rests on no tool result


def check_answer(text: str, passages: list[Passage], *, used_tools: bool) -> Checked:
    """`text` (thinking already stripped) with its citations checked against the passages."""
    valid = {p.n for p in passages}
    checked = Checked(text="")

    def rewrite(match: re.Match[str]) -> str:
        numbers = [int(n) for n in re.split(r"\s*,\s*", match.group(1))]
        keep = [n for n in numbers if n in valid]
        checked.removed.extend(n for n in numbers if n not in valid and n not in checked.removed)
        for n in keep:
            if n not in checked.cited:
                checked.cited.append(n)
        return " " + "".join(f"[{n}]" for n in keep) if keep else ""

    out = _CITES.sub(rewrite, text).strip()
    out = re.sub(r"\s+([.,;:!?。])", r"\1", out)
    if not out or _NOT_FOUND.search(out):
        return Checked(text="", removed=checked.removed, found=False)
    checked.text = out
    if not checked.cited and not used_tools:
        checked.found = False
        checked.unsupported = True
    return checked


def citations_of(answer_text: str, cited: list[int], passages: list[Passage]) -> list[Citation]:
    """A citation per cited passage; its quote is the passage's sentence closest to the claims that cite it."""
    by_n = {p.n: p for p in passages}
    claims = split_sentences(answer_text)
    out = []
    for n in cited:
        passage = by_n[n]
        claim = " ".join(c for c in claims if f"[{n}]" in c) or answer_text
        terms = question_terms(_CITES.sub("", claim))
        sentences = split_sentences(passage.text) or [passage.text.strip()]
        quote = max(sentences, key=lambda s: overlap(terms, s))
        out.append(Citation(n, passage.document_id, passage.title, passage.original_name, passage.chunk_id, quote))
    return out
