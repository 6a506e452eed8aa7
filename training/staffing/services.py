"""Writes for the staffing check: in-house trainings, publications, monthly delivery counts
and filing packs. Each checks nothing about access (the views and API decide through
training.staffing.selectors) but validates and audits."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peers.models import Organisation, User
from peers.services import audit_record

from ..models import InHouseTraining, PeerSupportDeliveryCount, StaffingFiling, StaffingPublication


@transaction.atomic
def in_house_training_record(
    *,
    organisation: Organisation,
    held_on: datetime.date,
    title: str,
    trainer: str,
    attendees: list[User],
    given_by: list[User] = (),
    materials=None,
    recorded_by: User,
) -> InHouseTraining:
    """A staff training on consideration for disabled people: date, topic, who gave it (the
    placed staff, and an outside lecturer if any, in `trainer`), who attended, materials."""
    given_by = list(given_by)
    if not given_by and not trainer.strip():
        raise ValidationError({"given_by": _("Say who gave the training.")})
    training = InHouseTraining(
        organisation=organisation, held_on=held_on, title=title, trainer=trainer.strip(),
        recorded_by=recorded_by,
    )
    if materials:
        training.materials = materials
    training.full_clean()
    training.save()
    training.attendees.set(attendees)
    training.given_by.set(given_by)
    audit_record(
        actor=recorded_by, action="in_house_training.record", target=training,
        data={"organisation": organisation.pk, "attendees": len(attendees), "given_by": len(given_by)},
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


@transaction.atomic
def delivery_count_record(
    *, organisation: Organisation, month: datetime.date, service_users: int, recorded_by: User
) -> PeerSupportDeliveryCount:
    """How many service users received peer support in `month` (a number; no one is named)."""
    if service_users is None or service_users < 0:
        raise ValidationError({"service_users": _("Give the number of service users, 0 or more.")})
    count, _created = PeerSupportDeliveryCount.objects.update_or_create(
        organisation=organisation, month=month.replace(day=1),
        defaults={"service_users": service_users, "recorded_by": recorded_by},
    )
    count.full_clean()
    audit_record(actor=recorded_by, action="staffing.delivery_count", target=count,
                 data={"organisation": organisation.pk, "month": f"{count.month:%Y-%m}", "service_users": service_users})
    return count


@transaction.atomic
def staffing_filing_prepare(*, organisation: Organisation, month: datetime.date, prepared_by: User) -> StaffingFiling:
    """Keep the filing pack for `month` as the records stand now (the Excel and PDF files are
    drawn from it, the same on every download)."""
    from .check import staffing_check
    from .pack import filing_snapshot

    check = staffing_check(organisation=organisation, month=month)
    filing = StaffingFiling(organisation=organisation, month=check.month, snapshot=filing_snapshot(check),
                            prepared_by=prepared_by)
    filing.full_clean()
    filing.save()
    audit_record(actor=prepared_by, action="staffing.filing_prepare", target=filing,
                 data={"organisation": organisation.pk, "month": check.month_text})
    return filing
