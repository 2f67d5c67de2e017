"""A Korean/English household archive and questions about it: (question, document key, fact the answer holds).

Facts sit mid-document and, in the two long documents, thousands of characters in, past where a peer that
reads only a document's start would stop. Cross-language questions ask in one language about a document
written in the other.
"""

from __future__ import annotations

_GARDEN = [
    "The hedge along the north fence was trimmed back by about a foot, and the clippings went to the green bin.",
    "Tomato seedlings were moved from the windowsill to the raised bed once the nights stayed above ten degrees.",
    "The gutters on the garage were cleared of leaves and a loose bracket was screwed back into place.",
    "A new hose reel was mounted beside the back door, replacing the old one that had cracked over winter.",
    "The lawn was aerated and overseeded in the bare patch under the maple, then watered every evening.",
    "Slug pellets were put down around the lettuces after the second batch of seedlings was eaten overnight.",
    "The shed door hinge was oiled and the padlock replaced with a combination lock for the bicycles.",
    "Compost from last year was spread over the vegetable beds before the spring planting started.",
]
_MOVING = [
    "새 집의 방 크기를 재서 가구 배치도를 미리 그려 두었다.",
    "안 쓰는 책과 옷은 정리해서 중고 장터에 올리거나 기부하기로 했다.",
    "주방 그릇은 신문지로 하나씩 싸서 작은 상자에 나누어 담았다.",
    "인터넷과 가스 이전 신청은 이사 일주일 전까지 해 두어야 한다.",
    "전입신고는 이사 후 십사 일 안에 주민센터나 온라인으로 하면 된다.",
    "냉장고는 이사 전날 비우고 전원을 꺼서 물기를 말려 두었다.",
    "아이 학교 전학 서류는 새 학교에 먼저 연락해서 필요한 목록을 받았다.",
    "버릴 가구는 구청에 대형 폐기물 스티커를 신청해서 붙여 내놓았다.",
]


def _long_english() -> str:
    paragraphs = []
    for week in range(1, 15):
        items = " ".join(_GARDEN[(week + i) % len(_GARDEN)] for i in range(3))
        paragraphs.append(f"## Week {week}\n\n{items}")
    paragraphs.append(
        "## Week 15\n\nThe roof was inspected by Carter Roofing on 22 September 2025, who found two cracked tiles "
        "over the bathroom and replaced them the same afternoon."
    )
    return "\n\n".join(paragraphs)


def _long_korean() -> str:
    paragraphs = []
    for week in range(1, 13):
        items = " ".join(_MOVING[(week + i) % len(_MOVING)] for i in range(3))
        paragraphs.append(f"## 준비 {week}\n\n{items}")
    paragraphs.append(
        "## 업체 결정\n\n여러 곳의 견적을 비교한 끝에 이삿짐센터는 한빛익스프레스로 정했고 비용은 120만 원이다."
    )
    return "\n\n".join(paragraphs)


DOCS: dict[str, tuple[str, str]] = {
    "en_plumber": (
        "Plumbing repair invoice",
        "Mike's Plumbing came on 14 March 2025 to fix the leaking pipe under the kitchen sink. "
        "The plumber charged $240 for labour and parts. Payment is due within 30 days of the visit.",
    ),
    "ko_boiler": (
        "보일러 점검 기록",
        "2025년 10월 15일에 린나이 서비스센터에서 보일러 정기 점검을 받았다. 점검 비용은 3만 원이었다. "
        "기사님이 배관 압력은 정상이고 필터만 교체하면 된다고 했다.",
    ),
    "en_car": (
        "Car service record",
        "The car had its oil changed at Speedy Garage on June 2, 2024. The mechanic also replaced the front "
        "brake pads for $380. The next service is due at 60,000 km or in twelve months, whichever comes first.",
    ),
    "ko_rent": (
        "전세 계약서 요약",
        "전세 계약은 2024년 3월 1일에 시작해 2년 동안 유지된다. 전세 보증금은 2억 5천만 원이다. "
        "집주인은 김영수 씨이고 계약은 동네 부동산에서 했다.",
    ),
    "en_dentist": (
        "Dentist visit",
        "Dr. Patel at Bright Smile Dental cleaned my teeth on 9 January 2025. The cleaning cost $120. "
        "The next check-up is booked for July 10, 2025.",
    ),
    "ko_checkup": (
        "건강검진 결과",
        "2025년 5월 20일 서울대병원에서 건강검진을 받았다. 콜레스테롤 수치가 조금 높게 나와 꾸준한 운동을 "
        "권유받았다. 다음 검진은 일 년 뒤에 받으면 된다.",
    ),
    "en_internet": (
        "Internet contract",
        "The fibre internet contract with NetFast runs for 24 months. The monthly fee is $45, billed on the "
        "first of each month. Cancelling the contract early costs a $150 penalty.",
    ),
    "ko_insurance": (
        "자동차 보험 갱신",
        "자동차 보험은 올해도 삼성화재로 갱신했다. 연간 보험료는 85만 원이다. "
        "보험 기간은 2025년 8월 1일부터 일 년이다.",
    ),
    "en_home_log": ("Home maintenance log 2025", _long_english()),
    "ko_moving": ("이사 준비 메모", _long_korean()),
    "en_bread": (
        "Banana bread recipe",
        "Mash three ripe bananas and stir in melted butter, sugar, one egg and a teaspoon of vanilla. "
        "Fold in the flour and baking soda. "
        "Bake the loaf at 175°C for about 60 minutes, until a skewer comes out clean.",
    ),
    "ko_vet": (
        "강아지 예방접종 기록",
        "2025년 4월 3일 행복동물병원에서 강아지에게 광견병 예방접종을 맞혔다. 접종비는 2만 5천 원이었다. "
        "다음 접종은 내년 봄에 하면 된다.",
    ),
}

QUESTIONS: list[tuple[str, str, str]] = [
    ("보일러 점검은 언제 받았지?", "ko_boiler", "10월 15일"),
    ("what did the plumber charge?", "en_plumber", "$240"),
    ("보일러 점검 비용은 얼마였어?", "ko_boiler", "3만 원"),
    ("When did the plumber come?", "en_plumber", "14 March"),
    ("When is the next car service due?", "en_car", "60,000 km"),
    ("How much did the brake pads cost?", "en_car", "$380"),
    ("전세 보증금은 얼마야?", "ko_rent", "2억 5천만 원"),
    ("집주인 이름이 뭐야?", "ko_rent", "김영수"),
    ("When is my next dental check-up?", "en_dentist", "July 10, 2025"),
    ("How much was the teeth cleaning?", "en_dentist", "$120"),
    ("건강검진은 어디서 받았어?", "ko_checkup", "서울대병원"),
    ("What is the monthly internet fee?", "en_internet", "$45"),
    ("자동차 보험료는 얼마야?", "ko_insurance", "85만 원"),
    ("Who inspected the roof?", "en_home_log", "Carter Roofing"),
    ("이삿짐센터 비용은 얼마야?", "ko_moving", "120만 원"),
    ("What temperature do I bake banana bread at?", "en_bread", "175"),
    ("강아지 광견병 접종은 언제 했지?", "ko_vet", "4월 3일"),
    # across languages
    ("인터넷 계약을 일찍 해지하면 위약금이 얼마야?", "en_internet", "$150"),
    ("When did the dog get its rabies shot?", "ko_vet", "4월 3일"),
    ("치과 스케일링 비용은 얼마였지?", "en_dentist", "$120"),
    ("How much is the yearly car insurance premium?", "ko_insurance", "85만 원"),
]
