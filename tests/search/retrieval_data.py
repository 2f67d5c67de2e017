"""A labelled retrieval set: Korean and English documents, and queries with the document each should find.

Queries paraphrase their document rather than copy it, so semantic search has work to do; the
cross-language queries ask in one language for a document written in the other.
"""

from __future__ import annotations

KOREAN_DOCS: dict[str, tuple[str, str]] = {
    "ko_kimchi": (
        "김치 담그는 법",
        "배추를 반으로 갈라 굵은 소금에 여섯 시간 정도 절인 뒤 깨끗한 물에 헹궈 물기를 뺀다. "
        "고춧가루, 다진 마늘, 생강, 젓갈, 무채를 섞어 양념을 만든다. "
        "절인 배추 잎 사이사이에 양념을 골고루 바르고 항아리에 담아 서늘한 곳에서 익힌다.",
    ),
    "ko_budget": (
        "2025년 부서 예산 계획",
        "이번 예산 회의에서는 내년도 부서 운영비를 검토했다. 인건비는 작년 대비 5퍼센트 늘리고 "
        "마케팅비는 줄이기로 했다. 예산안은 다음 달 이사회에 상정되며, 각 팀장은 분기별 집행 계획을 제출해야 한다.",
    ),
    "ko_jeju": (
        "제주도 3박 4일 여행 일정",
        "첫째 날은 공항에서 차를 빌려 서쪽 해안 도로를 따라 협재 해변에 간다. 둘째 날은 새벽에 한라산 "
        "성판악 코스로 백록담까지 오른다. 셋째 날에는 성산일출봉에서 해돋이를 보고 우도에 들어간다.",
    ),
    "ko_rent": (
        "전세 계약 시 주의사항",
        "전세 계약 전에는 반드시 등기부등본을 떼어 집주인과 근저당 설정 여부를 확인해야 한다. "
        "계약 후에는 전입신고와 함께 확정일자를 받아 두어야 보증금을 돌려받을 권리가 생긴다. "
        "전세보증금 반환보증 보험에 가입하는 것도 좋은 방법이다.",
    ),
    "ko_diabetes": (
        "당뇨병 환자의 생활 관리",
        "당뇨병 환자는 매일 아침 공복 혈당을 측정하고 기록하는 습관이 필요하다. 흰쌀밥 대신 잡곡을 먹고 "
        "단 음료를 피하는 식단이 혈당을 안정시킨다. 식후 30분 걷기 운동도 도움이 되며, "
        "처방받은 인슐린은 거르지 않는다.",
    ),
    "ko_python": (
        "파이썬 가상환경 만들기",
        "프로젝트마다 python -m venv 명령으로 가상환경을 만들면 패키지 버전 충돌을 피할 수 있다. "
        "가상환경을 활성화한 뒤 pip로 필요한 라이브러리를 설치하고 requirements 파일에 의존성을 기록한다.",
    ),
    "ko_tax": (
        "연말정산 준비하기",
        "연말정산에서는 의료비, 교육비, 신용카드 사용액 등을 소득공제나 세액공제로 반영할 수 있다. "
        "홈택스 간소화 서비스에서 자료를 내려받아 회사에 제출하면 된다. 부양가족 공제 요건도 미리 확인하자.",
    ),
    "ko_baseball": (
        "한국시리즈 7차전 경기 결과",
        "한국시리즈 마지막 경기에서 선발 투수가 7이닝 무실점으로 호투했다. 8회 말 대타가 역전 3점 홈런을 "
        "터뜨리며 팀은 통산 열두 번째 우승을 차지했다. 시리즈 최우수선수는 타율 4할을 기록한 유격수에게 돌아갔다.",
    ),
    "ko_dog": (
        "강아지 배변 훈련 요령",
        "강아지가 잠에서 깨거나 밥을 먹은 직후에 배변 패드 위로 데려가는 것이 좋다. 패드에 제대로 볼일을 보면 "
        "바로 간식으로 보상하고 칭찬한다. 실수했을 때 혼내면 오히려 숨어서 배변하는 습관이 생길 수 있다.",
    ),
    "ko_climate": (
        "기후 변화와 여름철 폭염",
        "온실가스 배출이 늘면서 지구 평균 기온이 상승하고 여름철 폭염 일수도 해마다 늘고 있다. "
        "정부는 2050년 탄소 중립을 목표로 석탄 발전을 줄이고 재생에너지 비중을 높이는 정책을 추진한다.",
    ),
    "ko_earthquake": (
        "지진 발생 시 대피 요령",
        "흔들림이 느껴지면 먼저 튼튼한 책상 아래로 들어가 머리를 보호한다. 흔들림이 멈추면 가스 밸브와 전기를 "
        "차단하고 문을 열어 출구를 확보한다. 엘리베이터 대신 계단을 이용해 넓은 공터나 운동장으로 대피한다.",
    ),
    "ko_semiconductor": (
        "반도체 수출 동향 보고",
        "지난달 메모리 반도체 수출액은 전년 같은 달보다 30퍼센트 증가했다. 인공지능 서버용 고대역폭 메모리 "
        "수요가 늘어난 덕분이다. 다만 중국으로의 수출 비중은 줄고 미국과 대만으로의 수출이 늘었다.",
    ),
    "ko_hangul": (
        "한글 창제의 역사",
        "세종대왕은 백성이 쉽게 글을 익히도록 1443년 훈민정음을 만들고 1446년에 반포했다. "
        "집현전 학자들이 해례본을 지어 글자의 원리를 설명했다. 자음은 발음 기관의 모양을 본떠 만들었다.",
    ),
    "ko_coffee": (
        "핸드드립 커피 추출",
        "원두는 추출 직전에 중간 굵기로 분쇄하고 물 온도는 90도 정도로 맞춘다. 먼저 소량의 물로 30초간 뜸을 "
        "들인 뒤 나선형으로 천천히 물을 붓는다. 전체 추출 시간은 2분 30초 안팎이 적당하다.",
    ),
    "ko_sleep": (
        "불면증을 줄이는 수면 습관",
        "밤에 잠이 잘 오지 않는다면 매일 같은 시간에 자고 일어나는 습관부터 들여야 한다. 오후에는 카페인을 "
        "피하고 잠들기 한 시간 전부터 휴대폰 화면을 보지 않는다. 침실은 어둡고 서늘하게 유지한다.",
    ),
    "ko_car": (
        "자동차 엔진오일 교체 주기",
        "일반적인 가솔린 차량은 주행거리 1만 킬로미터마다 엔진오일을 교환하는 것이 권장된다. "
        "짧은 거리를 자주 달리거나 언덕길이 많으면 교체 주기를 앞당긴다. 오일을 갈 때 오일 필터도 함께 바꾼다.",
    ),
    "ko_interview": (
        "취업 면접 준비",
        "면접에서는 1분 자기소개를 미리 연습해 두는 것이 중요하다. 지원 동기와 회사에 대한 조사 내용을 준비하고 "
        "예상 질문에 대한 답변을 소리 내어 말해 본다. 단정한 복장과 약속 시간보다 일찍 도착하는 태도도 평가된다.",
    ),
    "ko_recycle": (
        "올바른 분리수거 방법",
        "플라스틱 용기는 내용물을 비우고 물로 헹군 뒤 라벨을 떼어 배출한다. 종이 상자는 테이프를 제거하고 "
        "납작하게 접는다. 음식물 쓰레기는 물기를 최대한 빼서 전용 수거함에 버린다.",
    ),
    "ko_stock": (
        "주식 투자 기초",
        "처음 주식 투자를 시작할 때는 한 종목에 몰지 말고 여러 업종에 분산 투자하는 것이 안전하다. "
        "배당을 꾸준히 주는 기업에 장기 투자하면 단기 주가 변동의 영향을 줄일 수 있다.",
    ),
    "ko_hiking": (
        "겨울 등산 장비 준비",
        "겨울 산행에는 방수 등산화와 아이젠, 보온 장갑을 꼭 챙겨야 한다. 배낭에는 여벌 옷과 따뜻한 물, "
        "비상식량을 넣는다. 출발 전에 산악 기상 예보를 확인하고 해가 지기 전에 하산한다.",
    ),
    "ko_wedding": (
        "결혼식 준비 체크리스트",
        "결혼식 1년 전에는 예식장을 예약하고 6개월 전에는 스튜디오 촬영과 드레스를 고른다. "
        "청첩장은 두 달 전에 돌리고 하객 명단과 식사 인원을 확정한다. 신혼여행 항공권도 일찍 예약하면 저렴하다.",
    ),
    "ko_privacy": (
        "개인정보 보호법 준수 안내",
        "회사가 고객의 개인정보를 수집할 때는 목적과 보관 기간을 알리고 동의를 받아야 한다. "
        "개인정보가 유출되면 지체 없이 당사자에게 통지하고 관계 기관에 신고해야 하며, 위반 시 과징금이 부과된다.",
    ),
    "ko_piano": (
        "피아노 연습 방법",
        "피아노 연습은 매일 스케일과 아르페지오로 손가락을 푸는 것부터 시작한다. 어려운 구간은 메트로놈을 "
        "느리게 맞춰 한 손씩 반복한 뒤 점차 속도를 올린다. 녹음해서 들어 보면 고칠 점이 잘 보인다.",
    ),
    "ko_flu": (
        "독감 예방접종 안내",
        "인플루엔자 예방접종은 유행 전인 10월에서 11월 사이에 맞는 것이 좋다. 65세 이상 어르신과 임신부, "
        "어린이는 무료 접종 대상이다. 백신 효과는 접종 2주 뒤부터 나타나 약 6개월간 유지된다.",
    ),
}

ENGLISH_DOCS: dict[str, tuple[str, str]] = {
    "en_sourdough": (
        "Baking sourdough bread",
        "A sourdough starter is a mix of flour and water that captures wild yeast. Feed it every day with equal "
        "weights of flour and water until it doubles within six hours. Mix the levain into the dough, let it "
        "ferment slowly overnight in the fridge, and bake it in a hot Dutch oven.",
    ),
    "en_kubernetes": (
        "Deploying services on Kubernetes",
        "Kubernetes runs containers in pods scheduled across a cluster of nodes. A Deployment keeps the desired "
        "number of replicas running and rolls out new images gradually. A Service gives the pods a stable "
        "address, and an Ingress routes outside HTTP traffic to it.",
    ),
    "en_marathon": (
        "Sixteen-week marathon training plan",
        "Build your weekly mileage slowly and add one long run every weekend, peaking at about 32 kilometres. "
        "Mix in tempo runs and intervals to raise your threshold pace. Taper for the last three weeks before "
        "race day so your legs arrive fresh at the start line.",
    ),
    "en_mortgage": (
        "Should you refinance your mortgage?",
        "Refinancing replaces your home loan with a new one, ideally at a lower interest rate. Compare the "
        "monthly savings with the closing costs to find your break-even point. A shorter term raises the "
        "payment but cuts the total interest paid over the life of the loan.",
    ),
    "en_photosynthesis": (
        "How photosynthesis works",
        "Plants capture sunlight with chlorophyll in their leaves. In the chloroplasts, light energy splits "
        "water and the plant turns carbon dioxide into glucose, releasing oxygen as a by-product. The sugar "
        "feeds the plant's growth.",
    ),
    "en_vacation_policy": (
        "Paid time off policy",
        "Full-time employees accrue 1.5 days of paid time off per month. Up to five unused days may be carried "
        "over into the next calendar year; the rest expire on December 31. Requests longer than a week need "
        "manager approval four weeks in advance.",
    ),
    "en_invoice": (
        "Invoice 2024-117 from Northwind Supplies",
        "This invoice covers 40 office chairs and 12 standing desks delivered on March 3. The amount due is "
        "$18,450 with payment terms net 30. Please pay by bank transfer quoting the invoice number; late "
        "payments incur a 1.5% monthly fee.",
    ),
    "en_solar": (
        "Installing rooftop solar panels",
        "Before installing solar panels, check that the roof faces south and has little shade. An inverter "
        "converts the panels' direct current into alternating current for the house. With net metering, "
        "surplus electricity is sold back to the grid.",
    ),
    "en_git": (
        "Resolving merge conflicts in git",
        "A merge conflict happens when two branches change the same lines. Git marks the conflicting hunks "
        "in the file; edit them, remove the markers, then stage the file and commit. Rebasing often keeps "
        "history linear but rewrites commits.",
    ),
    "en_roman": (
        "The fall of the Western Roman Empire",
        "By the fifth century the Western Roman Empire was weakened by civil wars, a debased currency and "
        "overstretched borders. Germanic tribes crossed the Rhine, and in 476 Odoacer deposed the last "
        "emperor, Romulus Augustulus.",
    ),
    "en_gardening": (
        "Growing tomatoes at home",
        "Tomatoes need at least six hours of direct sun a day. Water them deeply at the base twice a week "
        "rather than a little every day. Pinch off the side shoots and tie the stems to stakes as the plants grow.",
    ),
    "en_cybersecurity": (
        "Staying safe from phishing",
        "Phishing emails pretend to come from your bank or a colleague and ask you to click a link or share a "
        "password. Check the sender's address, never enter credentials on a linked page, and turn on "
        "two-factor authentication for every account.",
    ),
    "en_chess": (
        "Chess opening principles",
        "In the opening, control the centre with your pawns, develop knights before bishops and castle early "
        "to protect your king. Avoid moving the same piece twice and do not bring the queen out too soon.",
    ),
    "en_volcano": (
        "What happens when a volcano erupts",
        "Magma rises from the mantle and collects in a chamber under the volcano. When pressure builds, gas "
        "and molten rock burst out as lava flows, ash clouds and pyroclastic flows that can bury towns.",
    ),
    "en_meeting": (
        "Q3 sales meeting minutes",
        "The sales team reviewed third-quarter revenue, which reached 92% of target. The Asia region "
        "outperformed while Europe lagged. Action items: update the pipeline forecast and hire two account "
        "managers before the end of the year.",
    ),
    "en_cat": (
        "Feeding your cat well",
        "Cats are obligate carnivores and need protein from meat. Wet food helps them stay hydrated because "
        "they drink little water. Measure portions to avoid obesity and keep fresh water available.",
    ),
    "en_ev": (
        "Charging an electric car",
        "Most electric car owners charge overnight at home with a level 2 charger. DC fast chargers can add "
        "200 kilometres of range in twenty minutes on road trips. Keeping the battery between 20 and 80 "
        "percent extends its life.",
    ),
    "en_jazz": (
        "A short history of jazz",
        "Jazz grew out of blues and ragtime in New Orleans in the early twentieth century. Louis Armstrong "
        "made the improvised solo central, and later bebop musicians such as Charlie Parker played at "
        "dazzling tempos.",
    ),
    "en_resume": (
        "Writing a resume that gets interviews",
        "Keep the resume to one page and lead each bullet with a strong verb. Show achievements with numbers "
        "instead of listing duties, and tailor the keywords to each job posting.",
    ),
    "en_coral": (
        "Coral reef bleaching",
        "When ocean water stays too warm, corals expel the algae living in their tissue and turn white. "
        "Bleached reefs can recover if temperatures drop, but repeated heatwaves kill large parts of reefs "
        "such as the Great Barrier Reef.",
    ),
    "en_moon": (
        "The Apollo 11 moon landing",
        "On July 20, 1969 the lunar module Eagle landed on the Moon. Neil Armstrong became the first person to "
        "walk on its surface, followed by Buzz Aldrin, while Michael Collins orbited above.",
    ),
    "en_knitting": (
        "Knitting your first scarf",
        "Choose a thick wool yarn and a pair of 8 mm needles. Cast on thirty stitches and work the garter "
        "stitch, knitting every row, until the scarf is long enough, then bind off and weave in the ends.",
    ),
    "en_quantum": (
        "Quantum computing basics",
        "A quantum computer stores information in qubits, which can be in a superposition of zero and one. "
        "Entangled qubits let some algorithms, such as Shor's factoring algorithm, outpace classical computers.",
    ),
    "en_bees": (
        "Why honeybee colonies collapse",
        "Beekeepers have lost many hives to colony collapse disorder. Varroa mites, pesticides and a lack of "
        "flowering plants weaken the colonies. Bees matter because they pollinate a third of our crops.",
    ),
}

KOREAN_QUERIES: list[tuple[str, str]] = [
    ("배추 절이는 방법", "ko_kimchi"),
    ("내년 예산", "ko_budget"),
    ("한라산 등반 코스", "ko_jeju"),
    ("보증금 지키는 법", "ko_rent"),
    ("혈당 조절 식단", "ko_diabetes"),
    ("의료비 공제 서류", "ko_tax"),
    ("강아지 배변 교육", "ko_dog"),
    ("지진 났을 때 어떻게 해야 하나", "ko_earthquake"),
    ("훈민정음을 만든 왕", "ko_hangul"),
    ("잠이 안 올 때", "ko_sleep"),
    ("엔진오일 언제 갈아야 하나", "ko_car"),
    ("면접 자기소개", "ko_interview"),
]

ENGLISH_QUERIES: list[tuple[str, str]] = [
    ("how to feed a sourdough starter", "en_sourdough"),
    ("container orchestration with pods", "en_kubernetes"),
    ("preparing for a 42 km race", "en_marathon"),
    ("lower the interest on my home loan", "en_mortgage"),
    ("how plants make food from light", "en_photosynthesis"),
    ("can unused vacation days carry over", "en_vacation_policy"),
    ("payment terms of the vendor bill", "en_invoice"),
    ("rooftop panels and inverter", "en_solar"),
    ("fix a merge conflict", "en_git"),
    ("why did Rome collapse", "en_roman"),
    ("protect my account from fake emails", "en_cybersecurity"),
    ("first man on the moon", "en_moon"),
]

CROSS_QUERIES: list[tuple[str, str]] = [
    ("사워도우 빵 발효", "en_sourdough"),
    ("양자 컴퓨터 큐비트", "en_quantum"),
    ("산호초 백화 현상", "en_coral"),
    ("꿀벌 군집 붕괴 원인", "en_bees"),
    ("체스 오프닝 원칙", "en_chess"),
    ("how to make kimchi", "ko_kimchi"),
    ("King Sejong invented the Korean alphabet", "ko_hangul"),
    ("memory chip exports", "ko_semiconductor"),
    ("flu vaccine for the elderly", "ko_flu"),
    ("practising piano with a metronome", "ko_piano"),
]

# Two-syllable Korean words that occur inside longer words with particles ("예산안은", "혈당을"), and the
# document each must be found in by full text alone.
KOREAN_BIGRAM_TERMS: list[tuple[str, str]] = [
    ("예산", "ko_budget"),
    ("혈당", "ko_diabetes"),
    ("배추", "ko_kimchi"),
    ("계단", "ko_earthquake"),
    ("원두", "ko_coffee"),
]

# More queries over the same documents, for the embedding-model comparison (bench/embed_models.py and
# tests/search/test_model_choice.py): every group at least 20 queries, cross-language in both directions.
MORE_KOREAN_QUERIES: list[tuple[str, str]] = [
    ("탄소 중립 정책", "ko_climate"),
    ("고대역폭 메모리 수요", "ko_semiconductor"),
    ("커피 물 온도는 몇 도", "ko_coffee"),
    ("페트병 버리는 법", "ko_recycle"),
    ("분산 투자와 배당주", "ko_stock"),
    ("겨울 산에 갈 때 챙길 것", "ko_hiking"),
    ("청첩장은 언제 보내나", "ko_wedding"),
    ("고객 정보 유출 신고", "ko_privacy"),
    ("역전 홈런으로 우승", "ko_baseball"),
    ("패키지 버전 충돌 피하기", "ko_python"),
]

MORE_ENGLISH_QUERIES: list[tuple[str, str]] = [
    ("magma chamber pressure", "en_volcano"),
    ("opening moves in chess", "en_chess"),
    ("wet food keeps cats hydrated", "en_cat"),
    ("fast charging an EV on a road trip", "en_ev"),
    ("Louis Armstrong and New Orleans", "en_jazz"),
    ("one-page CV with numbers", "en_resume"),
    ("casting on stitches for a scarf", "en_knitting"),
    ("third-quarter revenue against target", "en_meeting"),
    ("how much sun do tomato plants need", "en_gardening"),
    ("mites and pesticides killing hives", "en_bees"),
]

MORE_CROSS_QUERIES: list[tuple[str, str]] = [
    ("쿠버네티스 파드 배포", "en_kubernetes"),
    ("마라톤 훈련 계획", "en_marathon"),
    ("주택 담보 대출 갈아타기", "en_mortgage"),
    ("광합성 원리", "en_photosynthesis"),
    ("지붕 태양광 패널 설치", "en_solar"),
    ("로마 제국의 멸망", "en_roman"),
    ("피싱 메일 구별법", "en_cybersecurity"),
    ("화산 폭발", "en_volcano"),
    ("아폴로 달 착륙", "en_moon"),
    ("전기차 충전", "en_ev"),
    ("jeonse deposit protection when renting", "ko_rent"),
    ("blood sugar diet for diabetics", "ko_diabetes"),
    ("year-end tax settlement medical expenses", "ko_tax"),
    ("potty training a puppy", "ko_dog"),
    ("what to do in an earthquake", "ko_earthquake"),
    ("hand drip coffee brewing", "ko_coffee"),
    ("cannot fall asleep at night", "ko_sleep"),
    ("when to change engine oil", "ko_car"),
    ("winter hiking gear", "ko_hiking"),
    ("wedding preparation checklist", "ko_wedding"),
]

ALL_GROUPS: dict[str, list[tuple[str, str]]] = {
    "korean": KOREAN_QUERIES + MORE_KOREAN_QUERIES,
    "english": ENGLISH_QUERIES + MORE_ENGLISH_QUERIES,
    "cross": CROSS_QUERIES + MORE_CROSS_QUERIES,
}
