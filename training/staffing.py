"""The staffing check for the peer-support welfare-fee addition (ピアサポート体制加算 and
ピアサポート実施加算), per organisation and fiscal year (April–March), DOMAIN.md:

- a peer (a person with the peer-supporter role) who completed basic and specialised training
  (基礎研修 + 専門研修) and works at least 0.5 FTE (常勤換算) at the organisation;
- a manager or co-worker, another person, who also completed both and works at least 0.5 FTE;
- at least one in-house training for the staff recorded in the fiscal year;
- the staffing published for the fiscal year.

Reads run a fixed number of queries whatever the number of staff; writes are services.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peers.models import Engagement, Organisation, Role, RoleAssignment, User
from peers.services import audit_record

from .models import Completion, CourseKind, InHouseTraining, StaffingPublication

FTE_FLOOR = Decimal("0.5")


def fiscal_year_of(day: datetime.date) -> int:
    """Japan's fiscal year starts on 1 April: 2026-03-31 is in FY2025."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)


@dataclass
class StaffMember:
    person: User
    fte: Decimal
    basic: bool
    specialised: bool
    is_peer: bool

    @property
    def trained(self) -> bool:
        return self.basic and self.specialised

    @property
    def counts(self) -> bool:
        return self.trained and self.fte >= FTE_FLOOR


@dataclass
class StaffingResult:
    organisation: Organisation
    fiscal_year: int
    staff: list[StaffMember]
    peer: StaffMember | None
    coworker: StaffMember | None
    trainings: list[InHouseTraining]
    publication: StaffingPublication | None
    missing: list[str] = field(default_factory=list)

    @property
    def meets_rule(self) -> bool:
        return not self.missing


def staffing_check(*, organisation: Organisation, on: datetime.date | None = None) -> StaffingResult:
    """Whether the organisation's peer-support staffing meets the rule, and exactly what is
    missing. Five queries, however many people work there."""
    day = on or timezone.localdate()
    year = fiscal_year_of(day)
    start, end = fiscal_year_range(year)

    engagements = list(
        Engagement.objects.filter(
            organisation=organisation,
            kind=Engagement.Kind.EMPLOYED,
            on_leave=False,
            start_date__lte=day,
        )
        .exclude(end_date__lt=day)
        .select_related("person")
    )
    fte_by_person: dict[int, Decimal] = {}
    people: dict[int, User] = {}
    for engagement in engagements:
        fte_by_person[engagement.person_id] = fte_by_person.get(engagement.person_id, Decimal(0)) + (
            engagement.fte or Decimal(0)
        )
        people[engagement.person_id] = engagement.person
    kinds_by_person: dict[int, set[str]] = {}
    for person_id, kind in Completion.objects.filter(
        person_id__in=people, course__kind__in=[CourseKind.BASIC, CourseKind.SPECIALISED]
    ).values_list("person_id", "course__kind"):
        kinds_by_person.setdefault(person_id, set()).add(kind)
    peer_ids = set(
        RoleAssignment.objects.filter(user_id__in=people, role=Role.PEER).values_list("user_id", flat=True)
    )
    staff = sorted(
        (
            StaffMember(
                person=people[pid],
                fte=fte_by_person[pid],
                basic=CourseKind.BASIC in kinds_by_person.get(pid, set()),
                specialised=CourseKind.SPECIALISED in kinds_by_person.get(pid, set()),
                is_peer=pid in peer_ids,
            )
            for pid in people
        ),
        key=lambda member: (not member.counts, -member.fte, member.person.display_name),
    )
    peer = next((m for m in staff if m.is_peer and m.counts), None)
    coworker = next((m for m in staff if m.counts and (peer is None or m.person.pk != peer.person.pk)), None)
    trainings = list(
        InHouseTraining.objects.filter(organisation=organisation, held_on__range=(start, end)).order_by(
            "-held_on"
        )
    )
    publication = StaffingPublication.objects.filter(organisation=organisation, fiscal_year=year).first()

    missing = []
    if peer is None:
        missing.append(
            _("A peer supporter who completed basic and specialised training and works at least 0.5 FTE here.")
        )
    if coworker is None:
        missing.append(
            _("A manager or co-worker who completed basic and specialised training and works at least 0.5 FTE here.")
        )
    if not trainings:
        missing.append(_("An in-house training for the staff recorded in this fiscal year."))
    if publication is None:
        missing.append(_("The staffing published for this fiscal year."))
    return StaffingResult(
        organisation=organisation, fiscal_year=year, staff=staff, peer=peer, coworker=coworker,
        trainings=trainings, publication=publication, missing=missing,
    )


@transaction.atomic
def in_house_training_record(
    *,
    organisation: Organisation,
    held_on: datetime.date,
    title: str,
    trainer: str,
    attendees: list[User],
    materials=None,
    recorded_by: User,
) -> InHouseTraining:
    training = InHouseTraining(
        organisation=organisation, held_on=held_on, title=title, trainer=trainer,
        recorded_by=recorded_by,
    )
    if materials:
        training.materials = materials
    training.full_clean()
    training.save()
    training.attendees.set(attendees)
    audit_record(
        actor=recorded_by, action="in_house_training.record", target=training,
        data={"organisation": organisation.pk, "attendees": len(attendees)},
    )
    return training


@transaction.atomic
def staffing_publication_record(
    *, organisation: Organisation, fiscal_year: int, published_on: datetime.date, where: str, recorded_by: User
) -> StaffingPublication:
    publication, _created = StaffingPublication.objects.update_or_create(
        organisation=organisation, fiscal_year=fiscal_year,
        defaults={"published_on": published_on, "where": where, "recorded_by": recorded_by},
    )
    publication.full_clean()
    audit_record(
        actor=recorded_by, action="staffing.publish", target=publication,
        data={"organisation": organisation.pk, "fiscal_year": fiscal_year},
    )
    return publication
