"""Markdown-structured chunking with overlap."""

from __future__ import annotations

import itertools

from docmill.ai.chunking import MAX_TOKENS, chunk_markdown, estimate_tokens


def test_headings_start_chunks_and_are_remembered() -> None:
    md = "# Report\n\nIntro text.\n\n## Budget\n\nMoney talk.\n\n### 2025\n\nNext year.\n\n## Staff\n\nPeople."
    chunks = chunk_markdown(md)
    assert [(c.heading, c.text) for c in chunks] == [
        ("Report", "Intro text."),
        ("Report > Budget", "Money talk."),
        ("Report > Budget > 2025", "Next year."),
        ("Report > Staff", "People."),
    ]
    assert [c.ordinal for c in chunks] == [0, 1, 2, 3]


def test_long_sections_split_by_sentence_with_overlap() -> None:
    sentences = [f"Sentence number {i} talks about topic {i}." for i in range(120)]
    chunks = chunk_markdown("# Long\n\n" + " ".join(sentences))
    assert len(chunks) > 2
    for chunk in chunks:
        assert estimate_tokens(chunk.text) <= MAX_TOKENS
        assert chunk.heading == "Long"
    for before, after in itertools.pairwise(chunks):
        first_of_next = after.text.split(". ", 1)[0] + "."
        assert first_of_next in before.text[-400:], "the next chunk starts with the end of the previous one"
        assert not after.text.startswith(before.text[:60]), "an overlap, not a repeat"
    joined = " ".join(c.text for c in chunks)
    assert all(s in joined for s in sentences)


def test_korean_is_sized_by_syllables() -> None:
    paragraph = "예산 회의에서 다음 분기 계획을 논의했다. " * 60
    chunks = chunk_markdown(paragraph)
    assert len(chunks) >= 3
    assert all(estimate_tokens(c.text) <= MAX_TOKENS for c in chunks)


def test_code_blocks_stay_whole_and_headings_inside_them_are_text() -> None:
    md = "# Doc\n\nBefore.\n\n```python\n# not a heading\n\nprint(1)\n```\n\nAfter."
    chunks = chunk_markdown(md)
    assert len(chunks) == 1
    assert "# not a heading\n\nprint(1)" in chunks[0].text and chunks[0].heading == "Doc"


def test_empty_and_headings_only() -> None:
    assert chunk_markdown("") == []
    assert chunk_markdown("   \n\n") == []
    only = chunk_markdown("# Title\n## Subtitle")
    assert [c.text for c in only] == ["Title Subtitle"]
