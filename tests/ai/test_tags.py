"""Tag normalization and the offline choice that prefers existing tags."""

from __future__ import annotations

from docmill.ai.tags import choose_tags, normalize_tag, prefer_existing


def test_normalize() -> None:
    assert normalize_tag("#Machine Learning") == "machine-learning"
    assert normalize_tag("  C++ ") == "c++"
    assert normalize_tag("예산 / 회의") == "예산-회의"
    assert normalize_tag("!!!") is None
    assert len(normalize_tag("x" * 100) or "") == 40


def test_prefer_existing_spelling() -> None:
    assert prefer_existing(["Machine Learning", "new one", "#invoice"], ["machine-learning", "invoice"]) == [
        "machine-learning",
        "new-one",
        "invoice",
    ]


def test_existing_tags_found_in_text_come_first_and_new_ones_only_fill_up() -> None:
    text = "The invoice for the budget meeting. Invoice total due. Budget approved. Budget review next week."
    tags = choose_tags(text, ["invoice", "travel", "budget-meeting"])
    assert tags[:2] == ["invoice", "budget-meeting"]
    assert "travel" not in tags
    assert "budget" not in tags, "a variant of budget-meeting"
    assert len(tags) == 2


def test_neighbour_tags_vote() -> None:
    tags = choose_tags("Nothing in common.", ["finance", "travel"], [(("finance",), 1.0), (("finance", "x"), 0.8)])
    assert tags[0] == "finance" and "travel" not in tags


def test_korean_keywords_lose_their_particles() -> None:
    tags = choose_tags("예산을 검토했다. 예산이 부족하다. 인건비가 늘었다. 인건비를 줄인다.", [])
    assert "예산" in tags and "인건비" in tags
