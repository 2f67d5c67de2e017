"""Offline summaries and tags a person could have written: on the corpus and on the cases that went wrong
(repeats, IDs of a spreadsheet, wiki citation markup, transcript timestamps, LaTeX tags, cookie banners)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docmill.ai.summarizer import extractive_summary
from docmill.ai.tags import OFFLINE_TAGS, choose_tags
from docmill.ai.text import split_sentences
from docmill.convert.dispatch import convert
from docmill.stages.stt import transcript_markdown

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-", re.IGNORECASE)
TIMESTAMP = re.compile(r"\d{1,2}:\d{2}(?:[.:]\d)")
CORPUS_FILES = [
    ("html/test_wikipedia.html", "text/html"),
    ("html/test_blog.html", "text/html"),
    ("html/test_serp.html", "text/html"),
    ("docx/test.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("docx/equations.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx/test.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("pdf/REPAIR-2022-INV-001_multipage.pdf", "application/pdf"),
    ("pdf/movie-theater-booking-2024.pdf", "application/pdf"),
]


def assert_readable(summary: str) -> None:
    sentences = [" ".join(s.lower().split()) for s in split_sentences(summary)]
    assert len(sentences) == len(set(sentences)), f"a sentence repeated: {summary}"
    assert not UUID.search(summary), summary
    assert "](#" not in summary and "[[" not in summary and "cite_note" not in summary, summary
    assert not TIMESTAMP.search(summary), summary
    if summary:
        letters = sum(ch.isalpha() for ch in summary)
        assert letters / len(summary) >= 0.5, f"mostly digits or signs: {summary}"
        markup = sum(summary.count(c) for c in "[]{}<>|\\#*`")
        assert markup <= len(summary) / 40, f"markup: {summary}"


@pytest.mark.parametrize(("name", "media_type"), CORPUS_FILES)
def test_corpus_summaries_and_tags_read_well(corpus: Path, name: str, media_type: str) -> None:
    markdown = convert(corpus / name, media_type).markdown
    summary = extractive_summary(markdown)
    print(f"{name}: {summary!r}")
    assert_readable(summary)
    assert len(summary) <= 701
    tags = choose_tags(markdown, [])
    assert len(tags) <= OFFLINE_TAGS
    assert not {"frac", "left", "right", "begin", "mathrm", "the", "and"} & set(tags), tags


def test_a_spreadsheet_is_summarized_from_its_headers_and_shape(corpus: Path) -> None:
    markdown = convert(corpus / "xlsx/test.xlsx", CORPUS_FILES[5][1]).markdown
    summary = extractive_summary(markdown)
    assert summary.startswith("Sheet 'Sheet1', 23 rows: Alpha, Beta, Gamma, Delta.")
    assert "ColA, ColB, ColC, ColD" in summary and not UUID.search(summary)
    sales = "## Sales\n\n| Region | Product | Units | Revenue |\n| --- | --- | --- | --- |\n" + "".join(
        f"| R{i % 4} | P{i} | {i} | {i * 10} |\n" for i in range(1200)
    )
    assert extractive_summary(sales) == "Sheet 'Sales', 1,200 rows: Region, Product, Units, Revenue."


def test_a_transcript_summary_has_no_timestamps_and_no_repeats() -> None:
    lines = [
        "Welcome to the weekly planning call for the product team.",
        "Today we review the launch schedule and the marketing budget.",
        "The launch moves to March because testing found two serious bugs.",
        "Welcome to the weekly planning call for the product team.",
        "Marketing will hold the budget until the new date is confirmed.",
        "Okay.",
        "The next call is on Thursday at ten.",
    ]
    markdown = transcript_markdown(
        [{"start": i * 7.0, "end": i * 7.0 + 6.5, "text": text} for i, text in enumerate(lines)]
    )
    assert "→" in markdown
    summary = extractive_summary(markdown)
    assert_readable(summary)
    assert "→" not in summary and "launch" in summary


def test_boilerplate_citations_and_ids_stay_out() -> None:
    page = (
        "We use cookies to improve your experience. Accept all cookies to continue.\n\n"
        "# Moon\n\nThe Moon is Earth's only natural satellite.[[2]](#cite_note-2) It formed about 4.5 billion "
        "years ago, not long after Earth.[3] Its surface is covered in craters and dark basalt plains. "
        "The Moon is Earth's only natural satellite.\n\n"
        "Reference 6ff4173b-42a5-4784-9b19-f49caff4d93d 0x1f3a 20241002 77 12 99\n\n"
        "Privacy policy | Terms of use | Sign in\n\n© 2024 Example Media. All rights reserved."
    )
    summary = extractive_summary(page)
    assert_readable(summary)
    assert "cookies" not in summary.lower() and "rights reserved" not in summary and "Privacy" not in summary
    assert summary.count("only natural satellite") == 1 and "craters" in summary


def test_korean_summary_keeps_the_document_language() -> None:
    text = (
        "# 회의 결과\n\n이번 회의에서 내년 예산을 확정했다. 예산은 올해보다 10퍼센트 늘었다. "
        "늘어난 예산은 신규 채용에 쓰기로 했다. 예산 집행은 1월에 시작한다. 채용 공고는 다음 달에 낸다.\n\n"
        "Click here to subscribe to our newsletter."
    )
    summary = extractive_summary(text)
    assert "예산" in summary and "subscribe" not in summary


def test_tags_leave_out_latex_code_stop_words_and_variants() -> None:
    text = (
        "The invoice lists the invoices of March. $$\\frac{a}{b} \\left( x \\right)$$ frac left right frac left "
        "right. `def main(): return None` def def return return. Invoice totals, invoice dates and invoices. "
        "Shipping costs rose; shipping delays too. 그리고 그리고 것은 것은 배송비가 올랐다. 배송비를 줄인다."
    )
    tags = choose_tags(text, [])
    assert "invoice" in tags and "invoices" not in tags
    assert not {"frac", "left", "right", "def", "return", "그리고", "것"} & set(tags), tags
    assert "배송비" in tags and len(tags) <= OFFLINE_TAGS
    many = choose_tags(text, ["invoice", "shipping", "march", "totals", "costs", "delays", "배송비"])
    assert len(many) <= OFFLINE_TAGS and many[0] in ("invoice", "shipping")
