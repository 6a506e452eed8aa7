"""The first terms of the managed vocabularies (seeded by migration; administrators extend them).

Each row: code, Japanese label, English label. Sources: DOMAIN.md, "Where peers work" (seed 000
and 004), "Who is who" (professionals) and "What peers do" / "Three ways of engagement".
"""

ORGANISATION_KINDS: list[tuple[str, str, str]] = [
    ("group-home", "共同生活援助（グループホーム）", "Group home"),
    ("day-care", "精神科デイケア", "Psychiatric day care"),
    ("independence-training", "自立訓練（生活訓練）", "Independence training (daily living)"),
    ("consultation-support", "相談支援事業所", "Consultation support office"),
    ("continued-work-a", "就労継続支援A型", "Continued-work support, type A"),
    ("continued-work-b", "就労継続支援B型", "Continued-work support, type B"),
    ("work-transition", "就労移行支援", "Work-transition support"),
    ("independent-living", "自立生活援助", "Independent-living assistance"),
    ("community-activity-centre", "地域活動支援センター", "Community activity support centre"),
    ("peer-salon", "ピアサロン", "Peer salon"),
    ("psychiatric-hospital", "精神科病院", "Psychiatric hospital"),
    ("clinic", "診療所・精神科クリニック", "Clinic / psychiatric clinic"),
    ("mental-health-welfare-centre", "精神保健福祉センター", "Mental health and welfare centre"),
    ("core-consultation-centre", "基幹相談支援センター", "Core consultation support centre"),
    ("municipal-consultation", "区市町村委託相談支援事業所", "Municipal contracted consultation office"),
    ("public-health-centre", "保健所", "Public health centre"),
    ("company", "企業内", "Company (in-house)"),
    ("hello-work", "ハローワーク", "Hello Work (public employment office)"),
    ("employment-life-support-centre", "障害者就業・生活支援センター", "Employment and life support centre"),
    ("vocational-centre", "地域障害者職業センター", "Regional vocational centre for persons with disabilities"),
    ("training-body", "研修実施主体", "Training body"),
]

PROFESSIONAL_ROLES: list[tuple[str, str, str]] = [
    ("psw", "精神保健福祉士", "Psychiatric social worker (PSW)"),
    ("nurse", "看護師", "Nurse"),
    ("psychiatrist", "精神科医", "Psychiatrist"),
    ("occupational-therapist", "作業療法士", "Occupational therapist"),
    ("certified-psychologist", "公認心理師", "Certified public psychologist"),
    ("public-health-nurse", "保健師", "Public health nurse"),
    ("consultation-support-specialist", "相談支援専門員", "Consultation support specialist"),
    ("service-manager", "サービス管理責任者", "Service manager"),
    ("government-officer", "行政職員", "Government officer"),
]

ACTIVITIES: list[tuple[str, str, str]] = [
    ("peer-group", "ピアグループ", "Peer group"),
    ("tojisha-kenkyu", "当事者研究", "Tojisha-kenkyu (self-directed research)"),
    ("peer-counselling", "ピアカウンセリング", "Peer counselling"),
    ("listening", "傾聴", "Listening"),
    ("family-support", "家族支援", "Family support"),
    ("consultation-support", "相談支援", "Consultation support"),
    ("community-transition", "地域移行・退院支援", "Community transition / discharge support"),
    ("awareness-talk", "啓発・講演", "Awareness talks"),
    ("training-co-facilitation", "研修の共同進行", "Training co-facilitation"),
    ("work-support", "就労支援", "Work support"),
]

# Seed 000's core peer work ("ピアサポート活動従事者ならではの特性"), added by migration
# peers/0011 after the first terms: sort orders continue after ACTIVITIES.
CORE_PEER_WORK: list[tuple[str, str, str]] = [
    ("wishes-into-words", "言語化サポート・思いの代弁",
     "Helping a person put their wishes into words and carrying them to the team"),
    ("role-model", "ロールモデル", "Being a role model of recovery"),
    ("advocacy", "権利擁護", "Advocacy"),
    ("community-settling", "地域定着", "Settling in the community"),
    ("early-support", "早期の相談・受診時の安心", "Early-stage support (early consultation, reassurance at appointments)"),
]

# 指定サービス種別 (the welfare services an office is designated for), with 就労継続支援B型's fee
# types apart: the peer-support delivery addition applies only to the type that rates by
# participation (FY2021: サービス費(III)(IV); FY2024: (IV)–(VI)).
WELFARE_SERVICES: list[tuple[str, str, str]] = [
    ("independent-living", "自立生活援助", "Independent-living assistance"),
    ("plan-consultation", "計画相談支援", "Service-plan consultation support"),
    ("child-consultation", "障害児相談支援", "Consultation support for children with disabilities"),
    ("community-transition", "地域移行支援", "Community transition support"),
    ("community-settlement", "地域定着支援", "Community settlement support"),
    ("continued-work-b-participation", "就労継続支援B型（利用者の就労や生産活動等への参加等をもって一律に評価する報酬体系）",
     "Continued-work support, type B (fee rated by participation)"),
    ("continued-work-b-wage", "就労継続支援B型（平均工賃月額に応じた報酬体系）",
     "Continued-work support, type B (fee rated by average monthly wage)"),
    ("continued-work-a", "就労継続支援A型", "Continued-work support, type A"),
    ("functional-training", "自立訓練（機能訓練）", "Independence training (functional)"),
    ("life-training", "自立訓練（生活訓練）", "Independence training (daily living)"),
    ("work-transition", "就労移行支援", "Work-transition support"),
    ("group-home", "共同生活援助", "Group home"),
    ("community-activity-centre", "地域活動支援センター", "Community activity support centre"),
]


def ensure_seeded() -> None:
    """Create any missing seed row (prefectures and vocabularies) without touching existing ones.

    Migrations seed these; the demo loader calls this too so it also works on a flushed database
    (the browser tests' live server flushes between tests)."""
    from .models import Activity, OrganisationKind, Prefecture, ProfessionalRole, WelfareService
    from .prefectures import PREFECTURES

    for code, name_ja, name_en in PREFECTURES:
        Prefecture.objects.get_or_create(code=code, defaults={"name_ja": name_ja, "name_en": name_en})
    for model, rows in ((OrganisationKind, ORGANISATION_KINDS), (ProfessionalRole, PROFESSIONAL_ROLES),
                        (Activity, ACTIVITIES + CORE_PEER_WORK), (WelfareService, WELFARE_SERVICES)):
        for order, (code, name_ja, name_en) in enumerate(rows, start=1):
            model.objects.get_or_create(
                code=code, defaults={"name_ja": name_ja, "name_en": name_en, "sort_order": order * 10}
            )
