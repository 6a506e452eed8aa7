"""Demo offices for the staffing check (called from training.demo.load; idempotent, quick).

All are managed by manager@example.org and run by one operator. Each shows one case, in the
current month (FY2024 version) and in October 2023 (FY2021 version, transitional measure):
one office meets the system addition, one (B型) the delivery addition, and one misses by each
reason — an unconfirmed engagement, an untrained co-worker (which FY2021's transitional measure
still allowed), 0.4 FTE without 兼務 (and 0.6 with it, at the office beside it), a staff training
given only by an outside lecturer, and a service the additions do not cover (就労継続支援A型)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from peers.models import (
    Engagement,
    Organisation,
    Prefecture,
    Role,
    RoleAssignment,
    User,
    WelfareService,
)

from ..models import (
    Completion,
    CourseKind,
    InHouseTraining,
    PeerSupportDeliveryCount,
    StaffingPublication,
)
from ..services import completion_issue
from .check import fiscal_year_of

OPERATOR = "社会福祉法人かけはし会（デモ）"
PAST_MONTH = datetime.date(2023, 10, 1)
# office, designated services, case
OFFICES = [
    ("相談支援 あおば（体制加算を満たす）", ["plan-consultation"], "meets"),
    ("就労継続支援B型 こもれび（実施加算を満たす）", ["continued-work-b-participation"], "meets"),
    ("相談支援 いずみ（勤務条件が未確認）", ["plan-consultation"], "unconfirmed"),
    ("相談支援 かえで（協働する職員が専門研修未修了）", ["plan-consultation"], "untrained"),
    ("自立生活援助 さくら（常勤換算0.4・兼務なし）", ["independent-living"], "short"),
    ("地域移行支援 つばき（常勤換算0.4＋兼務0.2）", ["community-transition"], "shared"),
    ("地域定着支援 つばき（兼務先）", ["community-settlement"], "neighbour"),
    ("相談支援 なでしこ（外部講師だけの職員研修）", ["plan-consultation"], "outsider"),
    ("就労継続支援A型 ひまわり（対象外のサービス）", ["continued-work-a"], "ineligible"),
]


def _person(email: str, name: str, role: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, display_name=name)
    if role == Role.PEER and not RoleAssignment.objects.filter(user=user, role=Role.PEER).exists():
        RoleAssignment.objects.create(user=user, role=Role.PEER)
    return user


def _employ(person, office, hours, *, manager, confirmed=True):
    if Engagement.objects.filter(person=person, organisation=office).exists():
        return
    now = timezone.now()
    Engagement.objects.create(
        person=person, organisation=office, kind=Engagement.Kind.EMPLOYED, job_title="ピアスタッフ",
        start_date=datetime.date(2023, 4, 1), weekly_hours=Decimal(hours), full_time_weekly_hours=Decimal(40),
        created_by=person if not confirmed else manager, created_at=now,
        confirmed_by=manager if confirmed else None, confirmed_at=now if confirmed else None,
    )


def load(*, courses: dict, manager: User) -> list[Organisation]:
    tokyo = Prefecture.objects.get(code="13")
    today = timezone.localdate()
    years = sorted({fiscal_year_of(PAST_MONTH), fiscal_year_of(today)})
    offices = {}
    for number, (name, services, case) in enumerate(OFFICES, start=1):
        office, created = Organisation.objects.get_or_create(
            name=name, defaults={"prefecture": tokyo, "municipality": "杉並区", "corporation": OPERATOR})
        offices[case] = office
        if not created:
            continue
        office.designated_services.set(WelfareService.objects.filter(code__in=services))
        RoleAssignment.objects.get_or_create(user=manager, role=Role.MANAGER, organisation=office)
        if case == "neighbour":
            continue
        peer = _person(f"staffing-peer{number}@example.org", f"ピアスタッフ {number}号", Role.PEER)
        partner = _person(f"staffing-partner{number}@example.org", f"協働職員 {number}号", Role.PROFESSIONAL)
        _employ(peer, office, 16 if case in ("short", "shared") else 20, manager=manager)
        _employ(partner, office, 32, manager=manager, confirmed=case != "unconfirmed")
        for person in (peer, partner):
            kinds = [CourseKind.BASIC] if (person == partner and case == "untrained") else [
                CourseKind.BASIC, CourseKind.SPECIALISED]
            for kind in kinds:
                if not Completion.objects.filter(person=person, course=courses[kind]).exists():
                    completion_issue(person=person, course=courses[kind], completed_on=datetime.date(2022, 11, 1),
                                     actor=None, notify=False)
        for year in years:
            training = InHouseTraining.objects.create(
                organisation=office, held_on=datetime.date(year, 9, 15), title="障害特性の理解と合理的配慮",
                trainer="外部講師 山田" if case == "outsider" else "", recorded_by=manager)
            if case != "outsider":
                training.given_by.set([peer, partner])  # the pair gives it together
            training.attendees.set([partner])
            StaffingPublication.objects.create(organisation=office, fiscal_year=year,
                                               published_on=datetime.date(year, 4, 10),
                                               where="事業所のウェブサイトと入口の掲示板", recorded_by=manager)
        if case == "meets" and "B型" in name:
            for month in (PAST_MONTH, today.replace(day=1)):
                PeerSupportDeliveryCount.objects.get_or_create(
                    organisation=office, month=month, defaults={"service_users": 6, "recorded_by": manager})
    shared, neighbour = offices["shared"], offices["neighbour"]
    if not shared.co_located.exists():
        shared.co_located.add(neighbour)
        peer = Engagement.objects.filter(organisation=shared, person__role_assignments__role=Role.PEER).first()
        if peer is not None:
            _employ(peer.person, neighbour, 8, manager=manager)
    return list(offices.values())
