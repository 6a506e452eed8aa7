"""Reads about consultation bodies and meetings. Who may see or run a meeting is decided here."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peers.access import two_step_passed
from peers.models import DataCategory, Role
from peers.selectors import role_assignment_list_for, user_is_admin
from peers.selectors.privacy import sensitive_access_record

from .models import (
    ActionItem,
    AgendaItem,
    Attendance,
    BodyMember,
    CalendarFeed,
    ConsultationBody,
    Material,
    Meeting,
    MeetingInvitation,
    Message,
    Minutes,
    ModerationLog,
    Sector,
    SpeakerQueueEntry,
)
from .redaction import Person, Proposal, propose_redactions


def _coordinated_body_q(user, prefix: str = "") -> Q:
    """Bodies a user coordinates: named coordinator of the body, or a COORDINATOR role over the
    body's prefecture (whole) or region."""
    p = prefix
    # A body's named coordinator moderates without a staff role: only after two-step sign-in.
    if two_step_passed(user):
        q = Q(**{f"{p}members__user": user, f"{p}members__is_coordinator": True})
    else:
        q = Q(pk__in=[])
    prefectures = []
    regions = []
    for assignment in role_assignment_list_for(user):
        if assignment.role == Role.COORDINATOR:
            if assignment.prefecture_id:
                prefectures.append(assignment.prefecture_id)
            else:
                regions.append(assignment.region_id)
    if prefectures:
        q |= Q(**{f"{p}prefecture_id__in": prefectures})
    if regions:
        q |= Q(**{f"{p}region_id__in": regions})
    return q


def body_list_coordinated_by(user) -> QuerySet[ConsultationBody]:
    qs = ConsultationBody.objects.select_related("prefecture", "region")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user_is_admin(user):
        return qs.all()
    ids = ConsultationBody.objects.filter(_coordinated_body_q(user)).values("id")
    return qs.filter(id__in=ids)


def body_list_for(user) -> QuerySet[ConsultationBody]:
    """Bodies a person may see: those they sit on, and those they coordinate."""
    qs = ConsultationBody.objects.select_related("prefecture", "region")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user_is_admin(user):
        return qs.all()
    ids = ConsultationBody.objects.filter(Q(members__user=user) | _coordinated_body_q(user)).values("id")
    return qs.filter(id__in=ids)


def body_get_for(user, pk: int) -> ConsultationBody | None:
    return body_list_for(user).filter(pk=pk).first()


def body_member_list(body: ConsultationBody) -> QuerySet[BodyMember]:
    return body.members.select_related("user").order_by("sector", "user__display_name")


def meeting_list_for(user) -> QuerySet[Meeting]:
    """Meetings a person may see and join: invitees, the body's coordinators, administrators.
    The one place this rule lives (pages, API and the websocket all ask here)."""
    qs = Meeting.objects.select_related("body__prefecture", "body__region")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user_is_admin(user):
        return qs.all()
    coordinated = ConsultationBody.objects.filter(_coordinated_body_q(user)).values("id")
    return qs.filter(Q(invitations__user=user) | Q(body_id__in=coordinated)).distinct()


def meeting_list_coordinated_by(user) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("body__prefecture", "body__region")
    if user_is_admin(user):
        return qs.all()
    return qs.filter(body__in=body_list_coordinated_by(user))


@dataclass(frozen=True)
class MeetingAccess:
    meeting: Meeting
    can_coordinate: bool
    invitation: MeetingInvitation | None

    @property
    def sector(self) -> str:
        if self.invitation is not None:
            return self.invitation.sector
        return Sector.ADMINISTRATION if self.can_coordinate else Sector.OTHER


def meeting_access_for(user, pk: int) -> MeetingAccess | None:
    """A meeting with what this person may do there, or None when they may not see it
    (unknown and forbidden look the same from outside: 404)."""
    meeting = meeting_list_for(user).filter(pk=pk).first()
    if meeting is None:
        return None
    can_coordinate = user_is_admin(user) or body_list_coordinated_by(user).filter(pk=meeting.body_id).exists()
    invitation = MeetingInvitation.objects.filter(meeting=meeting, user=user).first()
    if invitation is None and can_coordinate:
        member = BodyMember.objects.filter(body_id=meeting.body_id, user=user).first()
        if member is not None:
            invitation = MeetingInvitation(meeting=meeting, user=user, sector=member.sector)
    return MeetingAccess(meeting=meeting, can_coordinate=can_coordinate, invitation=invitation)


def agenda_item_list(meeting: Meeting) -> QuerySet[AgendaItem]:
    return (
        meeting.agenda_items.select_related("presenter", "action_item__owner", "action_item__meeting")
        .order_by("order", "id")
    )


def action_item_list_to_carry(meeting: Meeting) -> QuerySet[ActionItem]:
    """Open action items from the body's earlier meetings that are not yet on this meeting's
    agenda (closed ones, done or dropped, are never carried)."""
    return (
        ActionItem.objects.filter(
            meeting__body_id=meeting.body_id,
            meeting__starts_at__lt=meeting.starts_at,
            status__in=ActionItem.OPEN_STATUSES,
        )
        .exclude(follow_ups__meeting=meeting)
        .select_related("owner", "meeting")
        .order_by(F("due_on").asc(nulls_last=True), "meeting__starts_at", "id")
    )


def material_list_for(access: MeetingAccess) -> QuerySet[Material]:
    return access.meeting.materials.order_by("uploaded_at", "id")


def material_list_public() -> QuerySet[Material]:
    return Material.objects.filter(is_published=True)


def minutes_list_published() -> QuerySet[Minutes]:
    """Minutes published on the public site (their public text only is shown), newest meeting
    first, with the meeting and its body."""
    return (
        Minutes.objects.filter(status=Minutes.Status.PUBLISHED)
        .select_related("meeting__body")
        .order_by("-meeting__starts_at", "-id")
    )


def minutes_get_published(meeting_id: int) -> Minutes | None:
    return minutes_list_published().filter(meeting_id=meeting_id).first()


def minutes_people_list(meeting: Meeting) -> list[Person]:
    """Everyone the minutes of this meeting may name by a registered name: the body's members,
    the meeting's invitees (guests too), whoever drafted or approved the minutes, and presenters
    named in the agenda; each stands for their sector in the public version."""
    labels = dict(Sector.choices)
    people: list[Person] = []
    seen: set[int] = set()

    def add(user, sector) -> None:
        if user is None or user.pk in seen:
            return
        seen.add(user.pk)
        names = tuple(n for n in (user.display_name, user.name_kana) if n and n.strip())
        if names:
            people.append(Person(names=names, replacement=f"[{labels.get(sector, sector)}]"))

    for invitation in MeetingInvitation.objects.filter(meeting=meeting).select_related("user"):
        add(invitation.user, invitation.sector)
    for member in BodyMember.objects.filter(body_id=meeting.body_id).select_related("user"):
        add(member.user, member.sector)
    minutes = Minutes.objects.filter(meeting=meeting).select_related("drafted_by", "approved_by").first()
    if minutes is not None:
        add(minutes.drafted_by, Sector.ADMINISTRATION)
        add(minutes.approved_by, Sector.ADMINISTRATION)
    for item in AgendaItem.objects.filter(meeting=meeting).select_related("presenter"):
        add(item.presenter, Sector.OTHER)
        if item.presenter_name.strip():
            people.append(Person(names=(item.presenter_name,), replacement=_("[presenter]")))
    return people


def minutes_redaction_proposals(access: MeetingAccess, text: str) -> list[Proposal]:
    """What the coordinator is asked to remove from `text` before it goes public."""
    if not access.can_coordinate:
        return []
    return propose_redactions(text, minutes_people_list(access.meeting))


def invitation_list(meeting: Meeting) -> QuerySet[MeetingInvitation]:
    return meeting.invitations.select_related("user", "reply__accommodation_consent").order_by(
        "sector", "user__display_name")


def reply_accommodations_read(*, access: MeetingAccess, viewer, invitations, context: str) -> dict[int, str]:
    """Accommodation requests in the replies to `invitations` that `viewer` may read, by
    invitation id: the invitee's own, and everyone's for the meeting's coordinators, while
    the request's consent is active. Each read by someone else goes to the invitee's access
    log (one insert)."""
    shown = {}
    for invitation in invitations:
        reply = getattr(invitation, "reply", None)
        consent = reply.accommodation_consent if reply else None
        if not reply or not reply.accommodation_request or consent is None or not consent.covers(
                DataCategory.ACCOMMODATIONS):
            continue
        if invitation.user_id == viewer.pk or access.can_coordinate:
            shown[invitation.pk] = invitation
    sensitive_access_record(
        viewer=viewer, person_ids=[i.user_id for i in shown.values()],
        category=DataCategory.ACCOMMODATIONS, context=context,
    )
    return {pk: i.reply.accommodation_request for pk, i in shown.items()}


def invitation_list_for_user(user) -> QuerySet[MeetingInvitation]:
    return MeetingInvitation.objects.filter(user=user).select_related("meeting__body", "reply")


def attendance_list(meeting: Meeting) -> QuerySet[Attendance]:
    return meeting.attendances.select_related("user").order_by("sector", "user__display_name")


def message_list_after(meeting: Meeting, after: int = 0, limit: int | None = None) -> QuerySet[Message]:
    """Messages posted or changed after sequence number `after`, in the order of their change."""
    qs = (
        Message.objects.filter(meeting=meeting, rev__gt=after)
        .select_related("author", "reply_to", "thread")
        .order_by("rev")
    )
    return qs[:limit] if limit else qs


def message_list(meeting: Meeting) -> QuerySet[Message]:
    return (
        Message.objects.filter(meeting=meeting)
        .select_related("author", "agenda_item", "reply_to__author", "thread")
        .order_by("seq")
    )


def message_thread_list(meeting: Meeting) -> list[Message]:
    """The room's history as threads, for the page that shows it without the script: the
    messages that are in no thread, in order, each with `thread_messages` (the replies in its
    thread, in order; empty for most). One query."""
    roots: list[Message] = []
    replies: dict[int, list[Message]] = {}
    for message in message_list(meeting):
        if message.thread_id is None:
            roots.append(message)
        else:
            replies.setdefault(message.thread_id, []).append(message)
    for message in roots:
        message.thread_messages = replies.get(message.pk, [])
    return roots


def message_list_hidden(meeting: Meeting) -> QuerySet[Message]:
    """Hidden messages, with their text, for the body's coordinators (who may restore them)."""
    return (
        Message.objects.filter(meeting=meeting, hidden_at__isnull=False, deleted_at__isnull=True)
        .select_related("author", "hidden_by")
        .order_by("seq")
    )


def moderation_log_list(meeting: Meeting) -> QuerySet[ModerationLog]:
    return meeting.moderation_log.select_related("actor", "message").order_by("-at", "-id")


def speaker_queue_list(meeting: Meeting) -> QuerySet[SpeakerQueueEntry]:
    return (
        meeting.speaker_queue.filter(status__in=[SpeakerQueueEntry.Status.WAITING, SpeakerQueueEntry.Status.CALLED])
        .select_related("user")
        .order_by("raised_at", "id")
    )


def meeting_participation(meeting: Meeting) -> dict:
    """The staff page's figures: attendees by sector and the share of peers among them, beside
    the room's own figures (collaboration.participation: turns, speaking time and messages per
    sector), so the page and the chair's panel in the room count the same way."""
    present = Counter(
        dict(
            meeting.attendances.filter(present=True)
            .values_list("sector")
            .annotate(n=Count("id"))
            .values_list("sector", "n")
        )
    )
    live = meeting_participation_live(meeting.pk)
    spoken = {row["sector"]: row for row in live["sectors"]}
    total = sum(present.values())
    rows = [
        {
            "label": label,
            "attendees": present.get(value, 0),
            **spoken[value],
            "minutes": divmod(spoken[value]["seconds"], 60),
        }
        for value, label in Sector.choices
    ]
    return {
        "rows": rows,
        "attendees": total,
        "turns": live["totals"]["turns"],
        "peer_share": (present.get(Sector.PEER, 0) / total) if total else None,
        "peer_turn_share": spoken[Sector.PEER]["share_turns"],
        "peer_seconds_share": spoken[Sector.PEER]["share_seconds"],
    }


def meeting_list_for_calendar(user) -> QuerySet[Meeting]:
    """Meetings a person is invited to (their calendar), newest first."""
    return (
        Meeting.objects.filter(invitations__user=user)
        .select_related("body")
        .order_by("-starts_at")[:200]
    )


def calendar_feed_get(token: str) -> CalendarFeed | None:
    return CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()


def meeting_list_with_counts(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.annotate(
        invitee_count=Count("invitations", distinct=True),
    )


def body_list_with_members(qs: QuerySet[ConsultationBody]) -> QuerySet[ConsultationBody]:
    return qs.annotate(member_count=Count("members", distinct=True))


def has_reply_q(user) -> Exists:
    return Exists(MeetingInvitation.objects.filter(meeting=OuterRef("pk"), user=user, reply__isnull=False))


def meeting_detail_prefetch(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.prefetch_related(Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("presenter")))


# --- Homes ------------------------------------------------------------------------------------


def meeting_invitation_upcoming_for(user) -> QuerySet[MeetingInvitation]:
    """This person's invitations to meetings not yet over (scheduled or open), soonest first,
    with the meeting, its body and the reply."""
    return (
        MeetingInvitation.objects.filter(user=user, meeting__ends_at__gte=timezone.now())
        .exclude(meeting__status=Meeting.Status.CLOSED)
        .select_related("meeting__body", "reply")
        .order_by("meeting__starts_at", "meeting_id")
    )


def meeting_invitation_counts_for(user) -> dict:
    """How many meetings this person is invited to that are still ahead, and how many of them
    wait for their reply: one query."""
    return meeting_invitation_upcoming_for(user).order_by().aggregate(
        upcoming=Count("id"), unanswered=Count("id", filter=Q(reply__isnull=True))
    )


def coordinator_waiting_for(user) -> dict:
    """A coordinator's counts for their home (administrators: every body): meetings ahead,
    action items open and overdue. Two queries whatever the numbers."""
    meetings = meeting_list_coordinated_by(user).order_by()
    now = timezone.now()
    counts = meetings.aggregate(
        upcoming=Count("id", filter=Q(ends_at__gte=now) & ~Q(status=Meeting.Status.CLOSED)),
        to_close=Count("id", filter=Q(ends_at__lt=now) & ~Q(status=Meeting.Status.CLOSED)),
    )
    items = ActionItem.objects.filter(meeting__in=meetings.values("pk"), status__in=ActionItem.OPEN_STATUSES)
    counts.update(items.aggregate(
        open_items=Count("id"),
        overdue_items=Count("id", filter=Q(due_on__lt=timezone.localdate())),
    ))
    return counts


# Participation in the room (issue 18) lives in its own module (selectors too).
# isort: split
from .participation import (  # noqa: E402, F401
    meeting_participation_live,
    participation_for,
    participation_for_everyone,
    speaker_order,
)

# Proposals and votes (issue 18): their own module too.
# isort: split
from .proposals import (  # noqa: E402, F401
    proposal_list,
    proposal_list_for,
    proposal_payload,
    vote_list,
    voting_member_for,
)
