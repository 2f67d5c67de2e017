"""The offline extractive summary, in Korean and English."""

from __future__ import annotations

from docmill.ai.summarizer import extractive_summary

ENGLISH = """# Quarterly report

The company grew revenue by 12 percent in the third quarter. Growth came mostly from the cloud business.
The weather was pleasant during the company picnic. Cloud revenue grew 40 percent as new customers signed
long contracts. Costs rose 5 percent because of hiring in the cloud division. The cafeteria now serves
soup on Fridays. Management expects cloud revenue growth to continue next quarter.
"""

KOREAN = """# 3분기 실적 보고

회사의 3분기 매출은 전년 대비 12퍼센트 증가했다. 매출 증가는 주로 클라우드 사업에서 나왔다.
회사 야유회 날에는 날씨가 좋았다. 클라우드 매출은 신규 고객의 장기 계약으로 40퍼센트 늘었다.
클라우드 부문 채용으로 비용은 5퍼센트 늘었다. 구내식당은 금요일마다 국을 제공한다.
경영진은 다음 분기에도 클라우드 매출 증가가 이어질 것으로 본다.
"""


def test_english_summary_keeps_central_sentences_in_order() -> None:
    summary = extractive_summary(ENGLISH)
    assert "cloud" in summary.lower()
    assert "picnic" not in summary and "soup" not in summary
    assert summary.index("revenue") < summary.rindex("cloud")
    assert len(summary) <= 700


def test_korean_summary() -> None:
    summary = extractive_summary(KOREAN)
    assert "클라우드" in summary
    assert "야유회" not in summary and "구내식당" not in summary
    assert summary.count("다.") >= 2


def test_short_and_empty_documents() -> None:
    assert extractive_summary("") == ""
    assert extractive_summary("Just one sentence here.") == "Just one sentence here."
    long_one = "word " * 400
    assert len(extractive_summary(long_one)) <= 701
