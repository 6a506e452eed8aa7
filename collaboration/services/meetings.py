"""Bodies, meetings, agenda, materials, invitations, replies, attendance and calendar feeds."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.mail import email_templates, language_of, site_url
from peers.models import Consent
from peers.services import audit_record
from peers.services.privacy import accommodation_consent_for

from ..models import (
    AgendaItem,
    Attendance,
    BodyMember,
    CalendarFeed,
    ConsultationBody,
    Material,
    Meeting,
    MeetingInvitation,
    Reply,
    Sector,
)
from ..selectors import MeetingAccess, body_list_coordinated_by
from .honoraria import honorarium_for_attendance
from .room import participation_changed


def _require_coordinator(user, body: ConsultationBody) -> None:
    if not body_list_coordinated_by(user).filter(pk=body.pk).exists():
        raise PermissionDenied(_("Only the body's coordinators can do this."))


@transaction.atomic
def body_create(*, user, name: str, level: str, prefecture, region=None, municipality: str = "",
                description: str = "") -> ConsultationBody:
    body = ConsultationBody(
        name=name, level=level, prefecture=prefecture, region=region,
        municipality=municipality, description=description,
    )
    body.full_clean()
    _require_coordinator_of_area(user, body)
    body.save()
    audit_record(actor=user, action="body.create", target=body)
    return body


def _require_coordinator_of_area(user, body: ConsultationBody) -> None:
    """A coordinator of a whole prefecture may create any body there; a regional coordinator
    only bodies in their region."""
    from peers.models import Role
    from peers.selectors import role_assignment_list_for, user_is_admin

    if user_is_admin(user):
        return
    for assignment in role_assignment_list_for(user):
        if assignment.role != Role.COORDINATOR:
            continue
        if assignment.prefecture_id == body.prefecture_id:
            return
        if assignment.region_id and assignment.region_id == body.region_id:
            return
    raise PermissionDenied(_("You can only create bodies in the area you coordinate."))


@transaction.atomic
def body_member_add(*, user, body: ConsultationBody, member, sector: str, affiliation: str = "",
                    is_coordinator: bool = False) -> BodyMember:
    _require_coordinator(user, body)
    row, _created = BodyMember.objects.get_or_create(
        body=body, user=member,
        defaults={"sector": sector, "affiliation": affiliation, "is_coordinator": is_coordinator},
    )
    if not _created:
        row.sector, row.affiliation, row.is_coordinator = sector, affiliation, is_coordinator
    row.full_clean(validate_unique=False)
    row.save()
    audit_record(actor=user, action="body.member_add", target=row, data={"user": member.pk, "sector": sector})
    return row


@transaction.atomic
def meeting_create(*, user, body: ConsultationBody, title: str, starts_at, ends_at, place: str = "",
                   online_url: str = "", description: str = "") -> Meeting:
    _require_coordinator(user, body)
    meeting = Meeting(
        body=body, title=title, starts_at=starts_at, ends_at=ends_at, place=place,
        online_url=online_url, description=description, created_by=user,
    )
    meeting.full_clean()
    meeting.save()
    audit_record(actor=user, action="meeting.create", target=meeting)
    # Open action items of the body's earlier meetings come up on the new meeting's agenda.
    from .minutes import carry_over_open_action_items

    carry_over_open_action_items(meeting, user=user)
    return meeting


@transaction.atomic
def agenda_item_add(*, access: MeetingAccess, user, title: str, minutes_allotted: int = 10,
                    presenter=None, presenter_name: str = "", notes: str = "") -> AgendaItem:
    if not access.can_coordinate:
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    last = access.meeting.agenda_items.order_by("-order").values_list("order", flat=True).first() or 0
    item = AgendaItem(
        meeting=access.meeting, order=last + 1, title=title, minutes_allotted=minutes_allotted,
        presenter=presenter, presenter_name=presenter_name, notes=notes,
    )
    item.full_clean()
    item.save()
    audit_record(actor=user, action="meeting.agenda_add", target=item)
    return item


@transaction.atomic
def material_add(*, access: MeetingAccess, user, title: str, file) -> Material:
    if not access.can_coordinate:
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    material = Material(meeting=access.meeting, title=title, file=file, uploaded_by=user)
    material.full_clean()
    material.save()
    audit_record(actor=user, action="meeting.material_add", target=material)
    return material


@transaction.atomic
def material_publish(*, access: MeetingAccess, user, material: Material) -> Material:
    if not access.can_coordinate or material.meeting_id != access.meeting.pk:
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    material.is_published = True
    material.save(update_fields=["is_published"])
    audit_record(actor=user, action="meeting.material_publish", target=material)
    return material


def _send_meeting_email(invitation: MeetingInvitation, template: str) -> None:
    """The invitation or reminder, in the invitee's language, once the transaction commits."""
    email_templates(
        to=invitation.user.email, language=language_of(invitation.user), prefix=f"collaboration/email/{template}",
        recipient=invitation.user,
        context=lambda: {
            "invitation": invitation,
            "meeting": invitation.meeting,
            "url": site_url(reverse("collaboration:meeting_detail", args=[invitation.meeting_id])),
            "ics_url": site_url(reverse("collaboration:meeting_ics", args=[invitation.meeting_id])),
        },
    )


@transaction.atomic
def meeting_invite(*, access: MeetingAccess, user, invitees, sector: str | None = None,
                   is_guest: bool = False) -> list[MeetingInvitation]:
    """Invite people (members take their sector from the body; guests need one); each gets an
    email in their own language once the invitation is committed. Inviting twice sends nothing."""
    if not access.can_coordinate:
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    meeting = access.meeting
    sectors = dict(BodyMember.objects.filter(body_id=meeting.body_id).values_list("user_id", "sector"))
    created = []
    for person in invitees:
        person_sector = sector or sectors.get(person.pk)
        if person_sector not in Sector.values:
            raise ValidationError({"sector": _("Choose the sector of a guest.")})
        invitation, was_created = MeetingInvitation.objects.get_or_create(
            meeting=meeting, user=person,
            defaults={"sector": person_sector, "is_guest": is_guest or person.pk not in sectors,
                      "invited_by": user},
        )
        if was_created:
            created.append(invitation)
            audit_record(actor=user, action="meeting.invite", target=invitation, data={"user": person.pk})
    for invitation in created:
        _send_meeting_email(invitation, "invitation")
    return created


@transaction.atomic
def meeting_invite_members(*, access: MeetingAccess, user) -> list[MeetingInvitation]:
    members = [m.user for m in BodyMember.objects.filter(body_id=access.meeting.body_id).select_related("user")]
    return meeting_invite(access=access, user=user, invitees=members)


@transaction.atomic
def reminders_send(*, now=None, within: timedelta = timedelta(hours=24)) -> int:
    """Remind invitees who have not declined of meetings starting within `within` (once each)."""
    now = now or timezone.now()
    invitations = list(
        MeetingInvitation.objects.select_for_update(of=("self",))
        .filter(
            reminded_at__isnull=True,
            meeting__starts_at__gt=now,
            meeting__starts_at__lte=now + within,
            user__is_active=True,
        )
        .exclude(reply__response=Reply.Response.NOT_ATTENDING)
        .select_related("meeting", "user")
    )
    for invitation in invitations:
        invitation.reminded_at = now
        invitation.save(update_fields=["reminded_at"])
        _send_meeting_email(invitation, "reminder")
    return len(invitations)


@transaction.atomic
def reply_save(*, invitation: MeetingInvitation, user, response: str,
               accommodation_request: str = "", accommodation_consent: bool = False) -> Reply:
    """The invitee answers (and may change their answer) with an optional accommodation request,
    stored only under their consent to share it with the meeting's coordinators
    (`accommodation_consent`, recorded in the consent ledger, or an active one given before)."""
    if invitation.user_id != user.pk:
        raise PermissionDenied(_("You can only answer your own invitation."))
    reply = Reply.objects.filter(invitation=invitation).first() or Reply(invitation=invitation)
    reply.response = response
    reply.accommodation_request = (accommodation_request or "").strip()
    reply.accommodation_consent = accommodation_consent_for(
        person=user, purpose=Consent.Purpose.MEETING_ACCOMMODATIONS, given=accommodation_consent,
    ) if reply.accommodation_request else None
    reply.replied_at = timezone.now()
    reply.full_clean()
    reply.save()
    # The accommodation request itself is not copied into the audit log (it may be sensitive).
    audit_record(actor=user, action="meeting.reply", target=reply, data={"response": response})
    return reply


@transaction.atomic
def attendance_record(*, access: MeetingAccess, user, person, present: bool = True,
                      sector: str | None = None) -> Attendance:
    if not access.can_coordinate:
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    invitation = MeetingInvitation.objects.filter(meeting=access.meeting, user=person).first()
    if invitation is None:
        raise ValidationError({"user": _("Only invited people can be marked present.")})
    row = Attendance.objects.filter(meeting=access.meeting, user=person).first()
    if row is not None and row.present == present and row.sector == (sector or row.sector):
        # Saving the whole list again leaves a person's own check-in (and its record) as it is.
        return row
    row, _created = Attendance.objects.update_or_create(
        meeting=access.meeting, user=person,
        defaults={"present": present, "sector": sector or invitation.sector, "recorded_by": user,
                  "recorded_at": timezone.now(), "source": Attendance.Source.RECORDED},
    )
    audit_record(actor=user, action="meeting.attendance", target=row, data={"present": present})
    honorarium_for_attendance(actor=user, attendance=row)  # a peer member's payment to confirm
    participation_changed(access.meeting.pk)  # who is here and has not spoken yet
    return row


def calendar_feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    CalendarFeed.objects.filter(user=user).delete()
    feed = CalendarFeed.objects.create(user=user)
    audit_record(actor=user, action="calendar_feed.reset", target=feed)
    return feed


@transaction.atomic
def material_remove(*, access: MeetingAccess, user, material: Material) -> None:
    """Remove a material from the meeting (and its file, once the removal is committed)."""
    if not access.can_coordinate or material.meeting_id != access.meeting.pk:
        raise PermissionDenied(_("Only the body's coordinators can do this."))
    file, pk, title = material.file, material.pk, material.title
    material.delete()
    audit_record(actor=user, action="meeting.material_remove", target=access.meeting,
                 data={"material": pk, "title": title})
    if file:
        storage, name = file.storage, file.name
        transaction.on_commit(lambda: storage.delete(name))
