"""Demo people, places and roles for `make run` (never in production). Idempotent."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from .access import acting_for_system  # the demo loader acts for the platform
from .models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    Prefecture,
    ProfessionalRole,
    Profile,
    Region,
    Role,
    User,
)
from .services import role_grant
from .vocabularies import ensure_seeded

DEMO_PASSWORD = "kakehashi-demo"
# A fixed TOTP secret for the demo staff accounts, so a tester can generate codes
# (for example: python -c "import pyotp; print(pyotp.TOTP('<secret>').now())").
DEMO_TOTP_SECRET = "KAKEHASHIDEMOKAKEHASHIDEMO234567"

DEMO_REGIONS = [
    ("13", "北多摩北部", "Kitatama-hokubu"),
    ("14", "横浜", "Yokohama"),
    ("01", "札幌", "Sapporo"),
]

TRAINING_BODY_NAME = "日本メンタルヘルスピアサポート専門員研修機構"
MANAGER_ORGANISATION_NAME = "ピアサポートセンターかけはし"

# email, display name, kana, roles, staff (MFA enrolled)
DEMO_ACCOUNTS = [
    ("admin@example.org", "管理者 デモ", "カンリシャ デモ", "admin", True),
    ("trainer@example.org", "研修 花子", "ケンシュウ ハナコ", "trainer", True),
    ("manager@example.org", "管理 太郎", "カンリ タロウ", "manager", True),
    ("coordinator@example.org", "調整 さくら", "チョウセイ サクラ", "coordinator", True),
    ("peer@example.org", "ピア 陽子", "ピア ヨウコ", "peer", False),
    ("pro@example.org", "専門 健", "センモン ケン", "professional", False),
]


def _user(email: str, display_name: str, kana: str, *, superuser: bool) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            display_name=display_name,
            name_kana=kana,
            is_staff=superuser,
            is_superuser=superuser,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _enrol_totp(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


def load() -> dict:
    """Create the demo accounts; return what `make run` prints."""
    # Normally seeded by migration; restored here too so the loader works on a flushed database.
    ensure_seeded()
    regions = {}
    for code, name_ja, name_en in DEMO_REGIONS:
        region, _created = Region.objects.get_or_create(
            prefecture_id=code, name_ja=name_ja, defaults={"name_en": name_en}
        )
        regions[code] = region
    tokyo = Prefecture.objects.get(code="13")
    training_body, _ = Organisation.objects.get_or_create(
        name=TRAINING_BODY_NAME, defaults={"prefecture": tokyo}
    )
    organisation, _ = Organisation.objects.get_or_create(
        name=MANAGER_ORGANISATION_NAME, defaults={"prefecture": tokyo}
    )

    accounts = []
    for email, display_name, kana, role, staff in DEMO_ACCOUNTS:
        user = _user(email, display_name, kana, superuser=(role == "admin"))
        scope = {}
        if role == Role.TRAINER:
            scope = {"organisation": training_body}
        elif role == Role.MANAGER:
            scope = {"organisation": organisation}
        elif role == Role.COORDINATOR:
            scope = {"prefecture": tokyo}
        role_grant(user=user, role=role, **scope)
        if staff:
            _enrol_totp(user)
        accounts.append((email, Role(role).label, staff))
    load_workforce(manager=acting_for_system(User.objects.get(email="manager@example.org")))
    return {"accounts": accounts, "password": DEMO_PASSWORD, "totp_secret": DEMO_TOTP_SECRET}


# --- The workforce: organisations, peers and professionals, engagements ------------------------

# name, kind code, prefecture, municipality, corporation
DEMO_ORGANISATIONS = [
    (MANAGER_ORGANISATION_NAME, "consultation-support", "13", "新宿区", "NPO法人かけはし"),
    ("就労継続支援B型 ひだまり", "continued-work-b", "13", "八王子市", "社会福祉法人ひだまり会"),
    ("こころの診療所 たまがわ", "clinic", "13", "世田谷区", "医療法人たまがわ"),
    ("東京都立 精神保健福祉センター（デモ）", "mental-health-welfare-centre", "13", "台東区", ""),
    ("グループホーム みなと", "group-home", "14", "横浜市", "社会福祉法人みなと福祉会"),
    ("ピアサロン よこはま", "peer-salon", "14", "横浜市", "NPO法人よこはまピア"),
    ("精神科デイケア かわさき", "day-care", "14", "川崎市", "医療法人かわさき会"),
    ("地域活動支援センター さがみ", "community-activity-centre", "14", "相模原市", "NPO法人さがみ"),
    ("相談支援事業所 さっぽろ", "consultation-support", "01", "札幌市", "社会福祉法人北の里"),
    ("就労移行支援 あさひかわ", "work-transition", "01", "旭川市", "株式会社あさひ"),
    ("精神科病院 はこだて（デモ）", "psychiatric-hospital", "01", "函館市", "医療法人はこだて"),
    ("ハローワーク 札幌（デモ）", "hello-work", "01", "札幌市", ""),
]
# Organisations the demo manager manages, besides their own.
MANAGED_EXTRA = ["就労継続支援B型 ひだまり", "グループホーム みなと"]

# email, display name, kana, role, prefecture, languages, professional role codes
DEMO_PEOPLE = [
    ("peer2@example.org", "ピア 誠", "ピア マコト", "peer", "13", "日本語", []),
    ("peer3@example.org", "ピア 美咲", "ピア ミサキ", "peer", "14", "日本語, English", []),
    ("peer4@example.org", "ピア 大地", "ピア ダイチ", "peer", "01", "日本語", []),
    ("peer5@example.org", "ピア 恵", "ピア メグミ", "peer", "14", "日本語, 日本手話", []),
    ("nurse@example.org", "看護 由美", "カンゴ ユミ", "professional", "14", "日本語", ["nurse"]),
    ("ot@example.org", "作業 翔", "サギョウ ショウ", "professional", "01", "日本語", ["occupational-therapist"]),
]
# Profiles of the existing demo accounts.
DEMO_PROFILES = {
    "peer@example.org": ("13", "日本語, English", []),
    "pro@example.org": ("13", "日本語", ["psw", "consultation-support-specialist"]),
}

# email, organisation, kind, job title, activity codes, start, terms
DEMO_ENGAGEMENTS = [
    ("peer@example.org", MANAGER_ORGANISATION_NAME, "employed", "ピアサポート専門員",
     ["consultation-support", "community-transition"], "2023-04-01",
     {"weekly_hours": "30", "full_time_weekly_hours": "40"}),
    ("peer@example.org", "ピアサロン よこはま", "volunteer", "傾聴ボランティア",
     ["listening", "peer-group"], "2022-10-01", {}),
    ("peer@example.org", "東京都立 精神保健福祉センター（デモ）", "honorarium", "講演",
     ["awareness-talk"], "2024-06-01", {"honorarium_rate": 10000, "honorarium_unit": "session"}),
    ("peer2@example.org", "就労継続支援B型 ひだまり", "employed", "ピアスタッフ",
     ["work-support", "peer-group"], "2024-04-01",
     {"weekly_hours": "20", "full_time_weekly_hours": "40"}),
    ("peer2@example.org", MANAGER_ORGANISATION_NAME, "volunteer", "ピアグループ進行",
     ["peer-group", "tojisha-kenkyu"], "2023-01-15", {}),
    ("peer3@example.org", "グループホーム みなと", "employed", "世話人（ピアスタッフ）",
     ["listening", "family-support"], "2022-04-01",
     {"weekly_hours": "24", "full_time_weekly_hours": "40"}),
    ("peer3@example.org", "精神科デイケア かわさき", "honorarium", "当事者研究ファシリテーター",
     ["tojisha-kenkyu"], "2024-01-10", {"honorarium_rate": 3000, "honorarium_unit": "hour"}),
    ("peer4@example.org", "相談支援事業所 さっぽろ", "employed", "ピアサポーター",
     ["consultation-support", "community-transition"], "2021-07-01",
     {"weekly_hours": "32", "full_time_weekly_hours": "40"}),
    ("peer4@example.org", "精神科病院 はこだて（デモ）", "honorarium", "退院支援ピア",
     ["community-transition"], "2023-09-01", {"honorarium_rate": 5000, "honorarium_unit": "day"}),
    ("peer5@example.org", "地域活動支援センター さがみ", "volunteer", "ピアカウンセラー",
     ["peer-counselling"], "2024-02-01", {}),
    ("peer2@example.org", MANAGER_ORGANISATION_NAME, "honorarium", "研修の進行補助",
     ["awareness-talk"], "2024-10-01", {"honorarium_rate": 8000, "honorarium_unit": "session"}),
    ("pro@example.org", MANAGER_ORGANISATION_NAME, "employed", "相談支援専門員",
     ["consultation-support"], "2020-04-01", {"weekly_hours": "40", "full_time_weekly_hours": "40"}),
    ("nurse@example.org", "精神科デイケア かわさき", "employed", "看護師",
     [], "2019-04-01", {"weekly_hours": "40", "full_time_weekly_hours": "40"}),
    ("ot@example.org", "就労移行支援 あさひかわ", "employed", "作業療法士",
     ["work-support"], "2022-04-01", {"weekly_hours": "20", "full_time_weekly_hours": "40"}),
]


def load_workforce(*, manager: User) -> None:
    """A dozen organisations in Tokyo, Kanagawa and Hokkaido; peers in all three kinds of
    engagement; professionals of several roles. Idempotent."""
    import datetime
    from decimal import Decimal

    from .services.workforce import engagement_start

    organisations = {}
    for name, kind, prefecture, municipality, corporation in DEMO_ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"prefecture_id": prefecture}
        )
        organisation.kind = OrganisationKind.objects.get(code=kind)
        organisation.prefecture_id = prefecture
        organisation.municipality = municipality
        organisation.corporation = corporation
        organisation.save()
        organisations[name] = organisation
    for name in MANAGED_EXTRA:
        role_grant(user=manager, role=Role.MANAGER, organisation=organisations[name])

    profiles = dict(DEMO_PROFILES)
    for email, display_name, kana, role, prefecture, languages, roles in DEMO_PEOPLE:
        user = _user(email, display_name, kana, superuser=False)
        role_grant(user=user, role=role)
        profiles[email] = (prefecture, languages, roles)
    for email, (prefecture, languages, roles) in profiles.items():
        profile, _ = Profile.objects.get_or_create(user=User.objects.get(email=email))
        profile.prefecture_id = prefecture
        profile.languages = languages
        profile.directory_opt_in = True
        profile.public_engagements = True
        profile.public_roles = True
        profile.save()
        profile.professional_roles.set(ProfessionalRole.objects.filter(code__in=roles))

    for email, org_name, kind, title, activities, start, terms in DEMO_ENGAGEMENTS:
        person = acting_for_system(User.objects.get(email=email))
        organisation = organisations[org_name]
        if Engagement.objects.filter(person=person, organisation=organisation, kind=kind).exists():
            continue
        managed = org_name == MANAGER_ORGANISATION_NAME or org_name in MANAGED_EXTRA
        values = {k: Decimal(v) if k.endswith("hours") else v for k, v in terms.items()}
        engagement_start(
            actor=manager if managed else person, person=person, organisation=organisation,
            kind=kind, job_title=title, start_date=datetime.date.fromisoformat(start),
            activities=Activity.objects.filter(code__in=activities), **values,
        )
    load_honoraria(manager=manager)


# --- Honorarium payments (第二群 謝金): paid, confirmed, corrected ------------------------------

# email, organisation, occasion (days ago), kind (区分), what for, amount, tax withheld, paid (days ago)
DEMO_PAYMENTS = [
    ("peer2@example.org", MANAGER_ORGANISATION_NAME, 400, "謝金", "ピアサポーター養成講座の進行補助（1日目）", 8000, 817, 380),
    ("peer2@example.org", MANAGER_ORGANISATION_NAME, 120, "謝金", "ピアサポーター養成講座の進行補助（2日目）", 8000, 817, 100),
    ("peer2@example.org", MANAGER_ORGANISATION_NAME, 10, "謝金", "家族会での体験談", 8000, None, None),
    ("peer@example.org", "東京都立 精神保健福祉センター（デモ）", 200, "講演料", "市民公開講座「リカバリーの話」", 10000, 1021, 170),
    ("peer@example.org", "東京都立 精神保健福祉センター（デモ）", 40, "講演料", "職員研修での講話", 10000, 1021, 20),
]


def load_honoraria(*, manager: User) -> None:
    """A few payments: paid ones (on the people's statements and totals), one confirmed and not
    yet paid. Recorded by the organisation's manager, or by the administrator for an
    organisation the demo manager does not run. Idempotent (by what each was for)."""
    import datetime

    from django.utils import timezone

    from .models import HonorariumPayment
    from .services.payments import honorarium_payment_mark_paid, honorarium_payment_record

    admin = acting_for_system(User.objects.get(email="admin@example.org"))
    today = timezone.localdate()
    for email, org_name, ago, category, what, amount, tax, paid_ago in DEMO_PAYMENTS:
        person = User.objects.get(email=email)
        if HonorariumPayment.objects.filter(person=person, description=what).exists():
            continue
        engagement = Engagement.objects.filter(person=person, organisation__name=org_name,
                                               kind=Engagement.Kind.HONORARIUM).first()
        if engagement is None:
            continue
        actor = manager if org_name == MANAGER_ORGANISATION_NAME else admin
        day = max(today - datetime.timedelta(days=ago), engagement.start_date)
        payment = honorarium_payment_record(actor=actor, engagement=engagement, occasion_date=day,
                                            category=category, description=what, amount=amount,
                                            withholding_tax=tax)
        if paid_ago is not None:
            honorarium_payment_mark_paid(actor=actor, payment=payment,
                                         paid_on=max(today - datetime.timedelta(days=paid_ago), day))
