"""Demo data for training (never in production). Idempotent: running it twice changes nothing.

The demo training body (the organisation peers' demo creates) with its staff trainer@example.org,
initial, renewal and national-scheme courses, cohorts past and upcoming, and certifications in
every state (holder-lapsed@ and holder-revoked@example.org show a lapsed and a revoked one);
peer@example.org holds one that is due for renewal and a completion whose number (with its
check code) verifies with their name shown."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone, translation

from peers.access import acting_for_system  # the demo loader acts for the platform
from peers.demo import TRAINING_BODY_NAME
from peers.models import Organisation, Prefecture, User

from .models import (
    CECategory,
    CEFloor,
    Certification,
    Cohort,
    Completion,
    ContinuingEducation,
    Course,
    CourseKind,
    CredentialType,
    CurriculumModule,
    Instructor,
    ReminderSent,
    TrainingBody,
)
from .selectors import quarter_of, renewal_progress
from .services import (
    PUBLIC_CONFIRM_SALT,
    add_months,
    application_pair_submit,
    application_public_confirm,
    application_public_submit,
    badge_credential_for_certification,
    badge_credential_for_completion,
    certification_issue,
    certification_recertify,
    certification_revoke,
    certification_suspend,
    cohort_day_add,
    completion_issue,
)

COURSES = [
    (CourseKind.INITIAL, "ピアサポート専門員養成研修", [("ピアサポートの理念と歴史", "6"), ("リカバリーとストレングス", "6"), ("協働と職業倫理", "6")]),
    (CourseKind.RENEWAL, "ピアサポート専門員更新研修", [("実践の振り返り", "3"), ("倫理と権利擁護", "3")]),
    (CourseKind.BASIC, "障害者ピアサポート研修 基礎研修", [("ピアサポートの基本", "7")]),
    (CourseKind.SPECIALISED, "障害者ピアサポート研修 専門研修", [("障害福祉サービスでの実践", "7"), ("協働支援", "7")]),
    (CourseKind.FOLLOW_UP, "フォローアップ研修", [("事例検討", "4")]),
]

# (name, year, prefecture code, place, online, days from today of the first day, funding, amount)
COHORTS = [
    ("2011年度 札幌", 2011, "01", "札幌市", False, None, "厚生労働省 障害者総合福祉推進事業", 2280),
    ("2014年度 東京", 2014, "13", "東京都千代田区", False, None, "厚生労働省 障害者総合福祉推進事業", 11050),
    ("2024年度 横浜", 2024, "14", "横浜市", False, -700, "", None),
    ("2025年度 福岡", 2025, "40", "福岡市", False, -300, "", None),
]


def _person(email: str, name: str, kana: str = "") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, display_name=name, name_kana=kana)
    return user


def _pair_applications(cohort: Cohort) -> None:
    """The 基礎研修 takes pairs (issue: applications as the prefecture scheme runs them): the
    manager of the demo office applies for its peer (当事者, employed) and its consultation
    support specialist (協働支援者, co-worker); a visitor without an account applied with a
    partner from the same office and confirmed by email (staff see "no account yet")."""
    from django.core import signing

    from peers.demo import MANAGER_ORGANISATION_NAME

    office = Organisation.objects.get(name=MANAGER_ORGANISATION_NAME)
    manager = User.objects.filter(email="manager@example.org").first()
    if manager is not None and not cohort.applications.filter(applicant__email="peer@example.org").exists():
        application_pair_submit(
            cohort=cohort, submitted_by=manager, organisation=office,
            peer_email="peer@example.org", peer_eligibility="employed",
            supporter_email="pro@example.org", supporter_eligibility="coworker", consent=True,
        )
    if not cohort.applications.filter(applicant_email="visitor@example.org").exists():
        made = application_public_submit(
            cohort=cohort, name="山田 花子", kana="やまだ はなこ", email="visitor@example.org",
            organisation=office, consent=True, role="peer", eligibility="prospect",
            partner_name="佐藤 一郎", partner_kana="さとう いちろう", partner_email="visitor-partner@example.org",
            partner_eligibility="coworker", language="ja",
        )
        if made:
            application_public_confirm(key=signing.dumps({"a": made[0].pk}, salt=PUBLIC_CONFIRM_SALT))


def load() -> dict:
    organisation = Organisation.objects.get(name=TRAINING_BODY_NAME)
    body, _created = TrainingBody.objects.get_or_create(organisation=organisation, defaults={"number_prefix": "PSS"})
    trainer = acting_for_system(User.objects.filter(email="trainer@example.org").first())
    ethics, _ = CECategory.objects.get_or_create(body=body, name="倫理")
    general, _ = CECategory.objects.get_or_create(body=body, name="実践")

    courses = {}
    for kind, title, modules in COURSES:
        course, created = Course.objects.get_or_create(
            body=body, title=title, defaults={"kind": kind, "ce_category": general}
        )
        if created:
            for order, (module_title, hours) in enumerate(modules):
                CurriculumModule.objects.create(course=course, order=order, title=module_title, hours=Decimal(hours))
        courses[kind] = course
    courses[CourseKind.SPECIALISED].prerequisites.add(courses[CourseKind.BASIC])

    ctype, created = CredentialType.objects.get_or_create(
        body=body, name="精神障がい者ピアサポート専門員",
        defaults={
            "initial_course": courses[CourseKind.INITIAL], "expires": True, "validity_months": 36,
            "renewal_window_days": 180, "grace_days": 90, "late_renewal_limit_months": 12,
            "renewal_course": courses[CourseKind.RENEWAL], "ce_hours_required": Decimal("20"),
            "reminder_offsets": [120, 60, 30, 7, -30],
            # Verified peer-support work and confirmed supervision count toward renewal (issue 5).
            "practice_ce_category": general,
        },
    )
    if created:
        CEFloor.objects.create(credential_type=ctype, category=ethics, minimum_hours=Decimal("3"))

    today = timezone.localdate()
    now = timezone.now()
    initial = courses[CourseKind.INITIAL]
    for name, year, code, place, online, offset, funding, amount in COHORTS:
        cohort, created = Cohort.objects.get_or_create(
            course=initial, name=name,
            defaults={
                "year": year, "prefecture": Prefecture.objects.get(code=code), "place": place, "online": online,
                "capacity": 30, "applications_open": timezone.make_aware(datetime.datetime(year, 4, 1)),
                "applications_close": timezone.make_aware(datetime.datetime(year, 5, 31)),
                "funding_source": funding, "funding_thousand_yen": amount, "pair_applications": False,
            },
        )
        if created:
            first = today + datetime.timedelta(days=offset) if offset is not None else datetime.date(year, 9, 1)
            for i in range(3):
                cohort_day_add(cohort=cohort, date=first + datetime.timedelta(days=i),
                               starts_at=datetime.time(10), ends_at=datetime.time(16), actor=trainer)
            Instructor.objects.create(cohort=cohort, name="ピア講師 一郎", is_peer=True)
            Instructor.objects.create(cohort=cohort, name="精神保健福祉士 二郎", is_peer=False)
    upcoming = [
        ("2026年度 東京（募集中）", initial, False, "13", "東京都新宿区", Cohort.Selection.SELECTION, True),
        ("2026年度 更新研修 オンライン", courses[CourseKind.RENEWAL], True, None, "", Cohort.Selection.FIRST_COME, False),
        ("2026年度 基礎研修 仙台", courses[CourseKind.BASIC], False, "04", "仙台市", Cohort.Selection.SELECTION, True),
    ]
    for name, course, online, code, place, selection, pairs in upcoming:
        cohort, created = Cohort.objects.get_or_create(
            course=course, name=name,
            defaults={
                "year": today.year, "online": online, "prefecture": Prefecture.objects.get(code=code) if code else None,
                "place": place, "capacity": 24, "applications_open": now - datetime.timedelta(days=7),
                "applications_close": now + datetime.timedelta(days=60), "selection": selection,
                "pair_applications": pairs, "fee_yen": 10000, "funding_source": "都道府県地域生活支援事業",
            },
        )
        if created:
            for i in range(2):
                cohort_day_add(cohort=cohort, date=today + datetime.timedelta(days=90 + i),
                               starts_at=datetime.time(9, 30), ends_at=datetime.time(16, 30), actor=trainer)

    _pair_applications(Cohort.objects.get(course=courses[CourseKind.BASIC], name="2026年度 基礎研修 仙台"))

    # Certifications in every state; the issue date places each where the dates put it.
    validity = ctype.validity_months
    holders = [
        ("peer@example.org", "ピア 陽子", add_months(today, -validity) + datetime.timedelta(days=100), None),
        ("holder-active@example.org", "認定 あおい", today - datetime.timedelta(days=200), None),
        ("holder-grace@example.org", "認定 みどり", add_months(today, -validity) - datetime.timedelta(days=20), None),
        ("holder-lapsed@example.org", "認定 あかね", add_months(today, -validity) - datetime.timedelta(days=200), None),
        ("holder-suspended@example.org", "認定 しろう", today - datetime.timedelta(days=400), "suspend"),
        ("holder-revoked@example.org", "認定 くろう", today - datetime.timedelta(days=500), "revoke"),
        # Expires before the end of this quarter: counted on the body's home, found by the filter.
        ("holder-quarter@example.org", "認定 はるか", add_months(today, -validity) + datetime.timedelta(
            days=max(0, (quarter_of(today)[1] - today).days // 2)), None),
    ]
    kana = {"holder-active@example.org": "ニンテイ アオイ", "holder-grace@example.org": "にんてい みどり",
            "holder-lapsed@example.org": "ニンテイ アカネ", "holder-quarter@example.org": "にんてい はるか"}
    cohort_2024 = Cohort.objects.get(course=initial, name="2024年度 横浜")
    for email, name, issued_on, action in holders:
        person = _person(email, name, kana.get(email, ""))
        if Certification.objects.filter(holder=person, credential_type=ctype).exists():
            continue
        completion = Completion.objects.filter(person=person, course=initial).first() or completion_issue(
            person=person, course=initial, completed_on=issued_on - datetime.timedelta(days=30), actor=trainer,
            cohort=cohort_2024, hours=Decimal("18"), notify=False,
        )
        certification = certification_issue(credential_type=ctype, holder=person, actor=trainer,
                                             issued_on=issued_on, basis=completion, notify=False)
        # Its digital credential was downloaded before any suspension or revocation, so the
        # status lists show those states (issue 19).
        badge_credential_for_certification(certification=certification, actor=person)
        if action == "suspend":
            certification_suspend(certification=certification, actor=trainer, reason="事実確認のため一時停止")
        elif action == "revoke":
            certification_revoke(certification=certification, actor=trainer, reason="認定要件の重大な違反")
        if email == "peer@example.org":
            certification.show_name_publicly = True
            certification.save(update_fields=["show_name_publicly"])
            ContinuingEducation.objects.create(
                body=body, person=person, date=today - datetime.timedelta(days=60), provider="地域のピアサポート研究会",
                title="ピアサポートと地域づくり", hours=Decimal("6"), category=general,
            )
            with translation.override(person.language or "ja"):
                missing = [str(m) for m in renewal_progress(certification).missing]
            ReminderSent.objects.get_or_create(
                certification=certification, cycle=certification.cycle, offset_days=120,
                channel=ReminderSent.Channel.EMAIL, defaults={"missing": missing},
            )
    # Staff sent the one in grace a reminder by hand from the register (a bulk action), and a
    # record was sampled for evidence review: both show on the body's home and in the lists.
    grace_cert = Certification.objects.filter(holder__email="holder-grace@example.org", credential_type=ctype).first()
    if grace_cert is not None and grace_cert.valid_until is not None:
        ReminderSent.objects.get_or_create(
            certification=grace_cert, cycle=grace_cert.cycle, kind=ReminderSent.Kind.MANUAL,
            defaults={"offset_days": (grace_cert.valid_until - today).days, "missing": ["3 more hours of 倫理."]},
        )
    active = User.objects.filter(email="holder-active@example.org").first()
    if active is not None:
        ContinuingEducation.objects.get_or_create(
            body=body, person=active, provider="ピアサポート協会", title="倫理と権利擁護",
            defaults={"date": today - datetime.timedelta(days=30), "hours": Decimal("3"), "category": ethics,
                      "review": ContinuingEducation.Review.SAMPLED},
        )
    # Audit sampling: evidence asked of the peer (on their home page), sent by one holder and
    # waiting for review, rejected for another who may send it again.
    samples = [
        ("peer@example.org", "倫理研修会", "ピアサポートの倫理", ethics, ContinuingEducation.Review.SAMPLED, ""),
        ("holder-active@example.org", "精神保健福祉センター", "地域移行支援の実際", general,
         ContinuingEducation.Review.SUBMITTED, ""),
        ("holder-grace@example.org", "ピアサポート協会", "傾聴の基礎", general, ContinuingEducation.Review.REJECTED,
         "領収書の宛名がご本人ではありません。受講証明書を送ってください。"),
    ]
    for email, provider, title, category, review, reason in samples:
        person = User.objects.filter(email=email).first()
        if person is None or ContinuingEducation.objects.filter(person=person, provider=provider, title=title).exists():
            continue
        record = ContinuingEducation(
            body=body, person=person, date=today - datetime.timedelta(days=30), provider=provider, title=title,
            hours=Decimal("3"), category=category, review=review, review_reason=reason,
            evidence_due_on=today + datetime.timedelta(days=body.evidence_due_days - 10),
            reviewed_by=trainer if review == ContinuingEducation.Review.REJECTED else None,
        )
        if review != ContinuingEducation.Review.SAMPLED:
            record.evidence = ContentFile(b"%PDF-1.4\n% demo evidence\n%%EOF\n", name="受講証明書.pdf")
            record.evidence_submitted_at = now - datetime.timedelta(days=2)
        record.save()

    # Re-certified after a lapse past the late-renewal limit: the old record keeps its history and
    # its number points to the new certification (holder-recertified@example.org).
    person = _person("holder-recertified@example.org", "認定 さくら")
    if not Certification.objects.filter(holder=person, credential_type=ctype).exists():
        first_issued = add_months(today, -(validity + ctype.late_renewal_limit_months + 6))
        first = completion_issue(
            person=person, course=initial, completed_on=first_issued - datetime.timedelta(days=30), actor=trainer,
            notify=False,
        )
        lapsed = certification_issue(credential_type=ctype, holder=person, actor=trainer, issued_on=first_issued,
                                     basis=first, notify=False)
        badge_credential_for_certification(certification=lapsed, actor=person)
        completion_issue(person=person, course=initial, completed_on=today - datetime.timedelta(days=20),
                         actor=trainer, notify=False)
        certification_recertify(certification=lapsed, actor=trainer, notify=False)
    # Completions are evidence too (issue 12): the peer's shows their name when verified.
    Completion.objects.filter(person__email="peer@example.org", course=initial).update(show_name_publicly=True)
    peer_cert = Certification.objects.filter(holder__email="peer@example.org", credential_type=ctype).first()
    peer_completion = Completion.objects.filter(person__email="peer@example.org", course=initial).first()

    # The staffing check (issue 13): offices that meet each addition and miss by one reason each.
    from .staffing import demo as staffing_demo
    from .staffing.seed import ensure_seeded as ensure_staffing_rules

    ensure_staffing_rules()
    staffing_manager = User.objects.filter(email="manager@example.org").first()
    if staffing_manager is not None:
        staffing_demo.load(courses=courses, manager=staffing_manager)

    # Every certification's current cycle and every completion has its digital credential
    # (issue 19), signed by the development key (made in KAKEHASHI_CREDENTIAL_KEYS_DIR if none).
    for certification in Certification.objects.filter(body=body, replaced_on__isnull=True).exclude(
        status=Certification.Status.REVOKED
    ).exclude(badge_credentials__cycle=F("cycle")):
        badge_credential_for_certification(certification=certification, actor=certification.holder)
    for completion in Completion.objects.filter(body=body, badge_credential__isnull=True):
        badge_credential_for_completion(completion=completion, actor=completion.person)

    def number_of(email: str) -> str:
        found = Certification.objects.filter(holder__email=email, credential_type=ctype).first()
        return found.number if found else ""

    return {
        "body": body, "peer_certificate": peer_cert.number if peer_cert else "",
        # Each case to see on /verify/<number>/ (and the certificate PDFs from the holders' pages).
        "lapsed_certificate": number_of("holder-lapsed@example.org"),
        "revoked_certificate": number_of("holder-revoked@example.org"),
        "peer_completion": peer_completion.number if peer_completion else "",
        "recertified_old_certificate": (
            Certification.objects.filter(holder__email="holder-recertified@example.org", replaced_on__isnull=False)
            .values_list("number", flat=True).first() or ""
        ),
        "recertified_certificate": (
            Certification.objects.filter(holder__email="holder-recertified@example.org", replaced_on__isnull=True)
            .values_list("number", flat=True).first() or ""
        ),
    }
