"""Honoraria for peer members of a consultation body (第二群 謝金, issue 18): the body sets a rate
per meeting and the organisation that pays it; each peer member who attends a meeting gets a
payment "to confirm", once, through peers' service (peers.services.payments). The body's
coordinators confirm it on peers' payment pages (their reach is registered in apps.py).

The payment names its source by strings only (`collaboration.meeting:<id>`,
`collaboration.body:<id>`), so peers, the ground floor, names nothing above it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import Organisation
from peers.services import audit_record
from peers.services.payments import (
    honorarium_payment_from_source,
    honorarium_payment_source_withdrawn,
)

from ..models import Attendance, BodyMember, ConsultationBody, Meeting, Sector
from ..selectors import body_list_coordinated_by


def meeting_reference(meeting: Meeting | int) -> str:
    return f"collaboration.meeting:{getattr(meeting, 'pk', meeting)}"


def body_reference(body: ConsultationBody | int) -> str:
    return f"collaboration.body:{getattr(body, 'pk', body)}"


def payment_reach(user) -> Q | None:
    """For peers.selectors.payments: the payments from the meetings of bodies the user
    coordinates (after two-step sign-in: body_list_coordinated_by decides)."""
    if not getattr(user, "is_authenticated", False):
        return None
    bodies = list(body_list_coordinated_by(user).values_list("pk", flat=True)[:500])
    if not bodies:
        return None
    return Q(source_group__in=[body_reference(pk) for pk in bodies])


def honorarium_payer_choices(body: ConsultationBody):
    """Organisations that may pay a body's honoraria: those in the body's prefecture."""
    return Organisation.objects.filter(prefecture_id=body.prefecture_id).order_by("name", "id")


@transaction.atomic
def body_honorarium_set(*, user, body: ConsultationBody, amount: int | None,
                        payer: Organisation | None) -> ConsultationBody:
    """A coordinator sets (or clears, with amount None) the honorarium per meeting for the body's
    peer members and the organisation that pays it. Payments already made keep their amount."""
    if not body_list_coordinated_by(user).filter(pk=body.pk).exists():
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    body = ConsultationBody.objects.select_for_update().get(pk=body.pk)
    if amount is None:
        payer = None
    elif payer is not None and not honorarium_payer_choices(body).filter(pk=payer.pk).exists():
        raise ValidationError({"honorarium_payer": _("Choose an organisation in the body's prefecture.")})
    body.honorarium_per_meeting = amount
    body.honorarium_payer = payer
    body.full_clean()
    body.save(update_fields=["honorarium_per_meeting", "honorarium_payer"])
    audit_record(actor=user, action="body.honorarium", target=body,
                 data={"amount": amount, "payer": payer.pk if payer else None})
    return body


def _is_paid_member(meeting: Meeting, person) -> bool:
    return BodyMember.objects.filter(body_id=meeting.body_id, user=person, sector=Sector.PEER).exists()


def honorarium_for_attendance(*, actor, attendance: Attendance) -> tuple[object | None, bool]:
    """After attendance is saved (recorded by a coordinator or checked in by the person): a
    payment to confirm for a present peer member of a body with a rate, once; marked absent, a
    payment still to confirm is withdrawn. Returns (payment or None, whether it changed)."""
    meeting = attendance.meeting
    body = ConsultationBody.objects.filter(pk=meeting.body_id).select_related("honorarium_payer").first()
    reference = meeting_reference(meeting)
    if not attendance.present:
        return None, honorarium_payment_source_withdrawn(actor=actor, person=attendance.user,
                                                         source_reference=reference)
    if body is None or not body.honorarium_per_meeting or body.honorarium_payer is None:
        return None, False
    if not _is_paid_member(meeting, attendance.user):
        return None, False
    day = timezone.localdate(meeting.starts_at)
    return honorarium_payment_from_source(
        actor=actor, person=attendance.user, organisation=body.honorarium_payer, occasion_date=day,
        description=f"{body.name}: {meeting.title}"[:200], amount=body.honorarium_per_meeting,
        source_reference=reference, source_group=body_reference(body),
    )
