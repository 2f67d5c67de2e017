"""A labelled classification set: categories with descriptions, documents the user already filed, and new
documents with the category each belongs in (Korean and English mixed)."""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "Finance/Invoices": "Invoices, bills and receipts to pay or paid. 청구서, 영수증, 대금 결제",
    "Finance/Tax": "Tax returns, deductions and year-end tax settlement. 세금 신고, 연말정산, 소득공제",
    "Health": "Medical records, prescriptions, illnesses and fitness. 병원 진료, 처방전, 건강 검진",
    "Travel": "Trips, flights, hotel bookings and itineraries. 여행 일정, 항공권, 숙소 예약",
    "Work/Meetings": "Meeting minutes, agendas and action items. 회의록, 회의 안건, 결정 사항",
    "Home/Recipes": "Cooking recipes and ingredients. 요리법, 레시피, 재료",
    "Tech/Programming": "Software development, code, servers and tools. 프로그래밍, 개발, 서버",
    "Legal/Contracts": "Contracts, leases, agreements and their terms. 계약서, 임대차 계약, 약관",
}

# (category, title, text): documents the user filed already
FILED: list[tuple[str, str, str]] = [
    ("Finance/Invoices", "Invoice INV-3391", "Amount due: 1,200 EUR for web hosting, payable within 14 days."),
    (
        "Finance/Invoices",
        "전기요금 청구서",
        "이번 달 전기요금은 48,300원이며 납부 기한은 25일입니다. 자동이체 계좌에서 출금됩니다.",
    ),
    ("Finance/Tax", "2023 tax return", "Form 1040 with itemized deductions for mortgage interest and charity."),
    ("Finance/Tax", "연말정산 간소화 자료", "의료비와 교육비, 신용카드 사용액 공제 내역을 정리한 연말정산 자료입니다."),
    ("Health", "Blood test results", "Cholesterol slightly high; the doctor advises more exercise and less salt."),
    ("Health", "건강검진 결과표", "혈압과 혈당은 정상 범위이며 간 수치가 약간 높아 3개월 뒤 재검사가 필요합니다."),
    (
        "Travel",
        "Flight confirmation",
        "Your flight from Seoul to Lisbon departs at 10:40; check-in opens 3 hours before.",
    ),
    ("Travel", "오사카 여행 일정", "첫날 도톤보리 관광, 둘째 날 유니버설 스튜디오, 셋째 날 교토 당일치기 일정입니다."),
    (
        "Work/Meetings",
        "Weekly sync notes",
        "Attendees reviewed the roadmap; action item: Jin updates the release plan.",
    ),
    ("Work/Meetings", "주간 회의록", "참석자는 신규 기능 일정과 인력 배치를 논의했고 다음 회의는 목요일에 열린다."),
    ("Home/Recipes", "Pancake recipe", "Whisk flour, milk, two eggs and a pinch of salt; fry in butter until golden."),
    ("Home/Recipes", "된장찌개 레시피", "멸치 육수에 된장을 풀고 두부, 애호박, 양파를 넣어 끓인다."),
    ("Tech/Programming", "Python logging tips", "Configure the root logger once and use module-level loggers in code."),
    ("Tech/Programming", "서버 배포 절차", "도커 이미지를 빌드해 레지스트리에 올리고 쿠버네티스 배포를 갱신한다."),
    ("Legal/Contracts", "Office lease agreement", "The tenant leases the premises for 24 months; rent is due monthly."),
    (
        "Legal/Contracts",
        "용역 계약서",
        "갑과 을은 다음과 같이 소프트웨어 개발 용역 계약을 체결한다. 계약 기간은 6개월로 한다.",
    ),
]

# (category, title, text): new documents to classify
UNFILED: list[tuple[str, str, str]] = [
    ("Finance/Invoices", "Receipt from Office Depot", "Paid 89.90 USD by card for printer toner and paper."),
    ("Finance/Invoices", "수도요금 고지서", "상하수도 요금 21,500원을 이달 말까지 납부해 주시기 바랍니다."),
    ("Finance/Invoices", "Invoice 2024-117", "Please transfer 18,450 USD for 40 office chairs; payment terms net 30."),
    ("Finance/Tax", "Quarterly VAT filing", "Value added tax return for Q2: output tax 4,300, input tax 2,100."),
    (
        "Finance/Tax",
        "종합소득세 신고 안내",
        "5월은 종합소득세 신고 기간입니다. 사업소득과 필요경비를 입력해 신고하세요.",
    ),
    (
        "Finance/Tax",
        "Charitable donation receipt for taxes",
        "Keep this receipt to deduct your donation on your tax return.",
    ),
    ("Health", "Prescription", "Amoxicillin 500 mg three times a day for seven days; finish the full course."),
    ("Health", "치과 진료 기록", "어금니 충치 치료를 받았고 다음 주에 신경 치료를 이어서 진행하기로 했다."),
    (
        "Health",
        "Physiotherapy plan",
        "Knee rehabilitation: stretching daily and strength exercises three times a week.",
    ),
    ("Travel", "Hotel booking", "Reservation confirmed: two nights in a double room in Kyoto, breakfast included."),
    ("Travel", "제주 렌터카 예약", "제주공항에서 차량을 인수해 4일간 이용하는 렌터카 예약이 확정되었습니다."),
    ("Travel", "Rome itinerary", "Day one Colosseum and Forum, day two the Vatican museums, day three Trastevere."),
    (
        "Work/Meetings",
        "Board meeting agenda",
        "Agenda: approve last minutes, budget review, hiring plan, any other business.",
    ),
    (
        "Work/Meetings",
        "프로젝트 킥오프 회의",
        "킥오프 회의에서 역할 분담과 마일스톤을 정하고 매주 화요일 점검 회의를 하기로 했다.",
    ),
    (
        "Work/Meetings",
        "Retrospective notes",
        "What went well, what to improve; action items assigned to each team member.",
    ),
    ("Home/Recipes", "Tomato pasta", "Cook spaghetti; simmer garlic, olive oil and crushed tomatoes; toss with basil."),
    ("Home/Recipes", "김치볶음밥 만들기", "잘 익은 김치를 잘게 썰어 밥과 함께 볶고 참기름과 계란 프라이를 올린다."),
    (
        "Home/Recipes",
        "Banana bread",
        "Mash three ripe bananas, mix with butter, sugar, egg and flour; bake 60 minutes.",
    ),
    (
        "Tech/Programming",
        "Git branching model",
        "Feature branches merge into main through pull requests after code review.",
    ),
    (
        "Tech/Programming",
        "파이썬 비동기 프로그래밍",
        "asyncio의 이벤트 루프와 await 키워드로 입출력 작업을 동시에 처리하는 코드를 작성한다.",
    ),
    (
        "Tech/Programming",
        "Database index tuning",
        "Add a composite index and check the query plan with EXPLAIN ANALYZE.",
    ),
    (
        "Legal/Contracts",
        "Non-disclosure agreement",
        "The parties agree to keep confidential information secret for five years.",
    ),
    (
        "Legal/Contracts",
        "전세 임대차 계약서",
        "임대인과 임차인은 보증금 3억 원, 계약 기간 2년으로 주택 임대차 계약을 맺는다.",
    ),
    (
        "Legal/Contracts",
        "Terms of service update",
        "By continuing to use the service you accept the revised terms and liability limits.",
    ),
]
