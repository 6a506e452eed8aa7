"""Demo people, places and roles for `make run` (never in production). Idempotent."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from .models import Organisation, Prefecture, Region, Role, User
from .prefectures import PREFECTURES
from .services import role_grant

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
    for code, name_ja, name_en in PREFECTURES:
        Prefecture.objects.get_or_create(code=code, defaults={"name_ja": name_ja, "name_en": name_en})
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
    return {"accounts": accounts, "password": DEMO_PASSWORD, "totp_secret": DEMO_TOTP_SECRET}
