"""strip_thinking: every shape of reasoning a model may leave in its answer."""

from __future__ import annotations

import pytest

from docmill.ai.thinking import strip_thinking


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("<think>Let me see. The user wants…</think>\n\nThe answer.", "The answer."),
        ("<THINK>caps</THINK>Answer", "Answer"),
        ('<thinking>\nplan\n</thinking>\n{"a": 1}', '{"a": 1}'),
        ("<think>one</think>A<think>two</think>B", "AB"),
        ("<think>cut off by the token limit, never closed", ""),
        ("Useful part. <think>then it started thinking and was cut", "Useful part."),
        ("thoughts without an opening tag</think>\nThe answer.", "The answer."),
        ("<reasoning>r</reasoning>Done", "Done"),
        ("Thinking Process:\n1. Read the text.\n2. Pick a category.\n\nFinal Answer: Finance", "Finance"),
        ('Thinking Process:\n\n1. Analyze\n   - details\n2. Draft\n\n{"category": "A"}', '{"category": "A"}'),
        (
            "**Thinking Process:**\n\n1. **Analyze**: it is a memo.\n2. **Summarize**.\n\nThe memo sets the budget.",
            "The memo sets the budget.",
        ),
        ("Thinking Process:\n1. only steps\n2. and it stops", ""),
        ("A normal answer mentioning thinking process: fine.", "A normal answer mentioning thinking process: fine."),
        ("", ""),
        (None, ""),
    ],
)
def test_strip_thinking(answer: str | None, expected: str) -> None:
    assert strip_thinking(answer) == expected
