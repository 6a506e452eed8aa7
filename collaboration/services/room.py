"""The live room: messages, moderation, the speaker queue and presence.

Every change is saved first, takes the room's next sequence number, and is broadcast after
commit; the HTML pages, the API and the websocket consumer all call these functions.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.japanese import normalise
from peers.mail import email_lines, language_of, site_url_for
from peers.services import audit_record

from ..models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingInvitation,
    Message,
    ModerationLog,
    SpeakerQueueEntry,
)
from ..presence import present_user_ids
from ..realtime import (
    BroadcastResult,
    ParticipationDue,
    broadcast_on_commit,
    defer_broadcast,
    deferred_results,
    meeting_chairs_group_name,
    message_payload,
)
from ..selectors import (
    MeetingAccess,
    meeting_participation_live,
    participation_for_everyone,
    speaker_order,
    speaker_queue_list,
)
from .honoraria import honorarium_for_attendance


class RoomError(Exception):
    """A refused room action, with a stable code for clients and a translated explanation."""

    MESSAGES = {
        "room_closed": _("The meeting has closed; the room is read-only."),
        "not_found": _("That message does not exist in this room."),
        "bad_reply_to": _("A reply names the number of a message in this room."),
        "reply_gone": _("That message was deleted or hidden, so it cannot be answered."),
        "forbidden": _("You cannot do that in this room."),
        "edit_window_passed": _("Messages can only be changed for a short time after posting."),
        "empty": _("Write a message first."),
        "too_long": _("The message is too long."),
        "reason_required": _("Give a reason for hiding the message."),
        "unhide_reason_required": _("Give a reason for restoring the message."),
        "not_hidden": _("That message is not hidden."),
        "already_raised": _("Your hand is already raised."),
        "bad_agenda_item": _("That agenda item is not part of this meeting."),
        "not_waiting": _("That person is not waiting to speak."),
        "not_invited": _("Only people invited to this meeting can check in."),
        "check_in_not_yet": _("Check-in opens an hour before the meeting starts."),
        "bad_check_in_code": _("That is not the check-in code shown at the venue. Check the number and try again."),
        "check_in_code_tries": _("Too many wrong check-in codes. Wait ten minutes, or check in from the room "
                                 "without a code and tell the chair."),
    }

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def lazy_message(self):
        return self.MESSAGES.get(self.code, self.code)

    @property
    def message(self) -> str:
        return str(self.lazy_message)

    @property
    def http_status(self) -> int:
        """How the API answers it (peers.api.problems): a closed room is a conflict."""
        return 409 if self.code == "room_closed" else 400


def _next_seq(meeting_id: int) -> int:
    """Take the room's next sequence number. The UPDATE locks the meeting's row until commit, so
    concurrent posts (other processes included) get distinct, gap-free, ordered numbers; with
    RETURNING (PostgreSQL, SQLite 3.35+) it is one round trip."""
    table = connection.ops.quote_name(Meeting._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_seq = last_seq + 1 WHERE id = %s AND status <> %s RETURNING last_seq",
            [meeting_id, Meeting.Status.CLOSED],
        )
        row = cursor.fetchone()
    if row is None:
        raise RoomError("room_closed")
    return row[0]


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise RoomError("empty")
    if len(body) > settings.KAKEHASHI_ROOM_MAX_MESSAGE_CHARS:
        raise RoomError("too_long")
    return body


def _agenda_item(meeting: Meeting, agenda_item_id) -> AgendaItem | None:
    """The meeting's agenda item with this id (a whole number, or its digits from a form), or
    None for none. `true`, 1.5, `Infinity` and numbers beyond any id are refused, never asked of
    the database (SQLite and PostgreSQL both fail on an integer that does not fit)."""
    if agenda_item_id in (None, ""):
        return None
    if isinstance(agenda_item_id, str) and agenda_item_id.strip().isdecimal():
        agenda_item_id = int(agenda_item_id)
    if isinstance(agenda_item_id, bool) or not isinstance(agenda_item_id, int) or not 0 < agenda_item_id < 2**63:
        raise RoomError("bad_agenda_item")
    try:
        return AgendaItem.objects.get(pk=agenda_item_id, meeting_id=meeting.pk)
    except AgendaItem.DoesNotExist:
        raise RoomError("bad_agenda_item") from None


def _mentions(meeting: Meeting, body: str, author_id: int | None) -> list:
    """The invitees a text names with @ and their display name (with or without its spaces),
    the author excepted. Longer names are matched first, so "@ピア 陽子" is not also "@ピア"."""
    if "@" not in body and "＠" not in body:
        return []  # the common case costs no query
    text = body.replace("＠", "@")
    people = sorted(
        (i.user for i in MeetingInvitation.objects.filter(meeting=meeting).select_related("user")
         if i.user.display_name.strip()),
        key=lambda u: -len(u.display_name),
    )
    found = []
    for person in people:
        name = person.display_name.strip()
        for variant in {name, "".join(name.split())}:
            if f"@{variant}" in text:
                text = text.replace(f"@{variant}", " ")
                if person.pk != author_id and person not in found:
                    found.append(person)
    return found


def _notify_mentioned(meeting: Meeting, message: Message, people: list) -> None:
    """Tell the people mentioned: in the room by the message itself (its `mentions`), and by
    email for those not in the room now. The email names the meeting and who, not the text: the
    room may hold what should not travel by email."""
    if not people:
        return
    here = present_user_ids(meeting.pk)
    author = str(message.author) if message.author_id else ""
    for person in people:
        if person.pk in here:
            continue
        language = language_of(person)
        url = site_url_for("collaboration:meeting_room", [meeting.pk], language=language) + f"#m{message.seq}"
        email_lines(
            to=person.email, language=language, recipient=person,
            subject=lambda: _("You were mentioned in the room of %(meeting)s") % {"meeting": meeting.title},
            lines=[
                lambda: _("%(author)s mentioned you in the live room of %(meeting)s.") % {
                    "author": author, "meeting": meeting.title},
                lambda url=url: _("Open the room to read the message and reply: %(url)s") % {"url": url},
            ],
        )


def _reply_to(meeting: Meeting, reply_to_seq) -> Message | None:
    """The message of this room a reply answers, named by its number (`seq`), or None.

    Only a whole number is a number here: a string, `true`, 1.5 or a number beyond any message
    is refused (`bad_reply_to`) before the database is asked; a number this room never gave out
    is `not_found` (a message of another meeting is never found, whatever its number there); a
    deleted or hidden message cannot be answered (`reply_gone`): its thread stays as it was."""
    if reply_to_seq is None:
        return None
    if isinstance(reply_to_seq, bool) or not isinstance(reply_to_seq, int) or not 0 < reply_to_seq < 2**63:
        raise RoomError("bad_reply_to")
    parent = Message.objects.filter(meeting_id=meeting.pk, seq=reply_to_seq).select_related("thread").only(
        "id", "seq", "deleted_at", "hidden_at", "thread__id", "thread__seq").first()
    if parent is None:
        raise RoomError("not_found")
    if not parent.is_visible:
        raise RoomError("reply_gone")
    return parent


@transaction.atomic
def message_post(
    *,
    access: MeetingAccess,
    author,
    body: str,
    reply_to_seq: int | None = None,
    agenda_item_id: int | None = None,
    content_note: bool = False,
) -> tuple[Message, BroadcastResult]:
    """Save a message with the room's next number, then broadcast it once committed."""
    meeting = access.meeting
    body = _clean_body(body)
    agenda_item = _agenda_item(meeting, agenda_item_id)
    reply_to = _reply_to(meeting, reply_to_seq)
    seq = _next_seq(meeting.pk)
    message = Message(
        meeting=meeting,
        seq=seq,
        rev=seq,
        author=author,
        body=body,
        reply_to=reply_to,
        thread=(reply_to.thread or reply_to) if reply_to is not None else None,
        agenda_item=agenda_item,
        content_note=bool(content_note),
    )
    mentioned = _mentions(meeting, body, getattr(author, "pk", None))
    message.mentioned = [p.pk for p in mentioned]
    # The related rows were just read or checked above; skip re-reading them (hot path).
    message.full_clean(
        exclude=["meeting", "author", "reply_to", "thread", "agenda_item"],
        validate_unique=False, validate_constraints=False,
    )
    message.save()
    result = broadcast_on_commit(meeting.pk, message_payload(message))
    participation_changed(meeting.pk)
    _notify_mentioned(meeting, message, mentioned)
    return message, result


def _own_message_for_change(access: MeetingAccess, user, seq) -> Message:
    try:
        message = Message.objects.select_related("author", "reply_to", "thread").get(meeting=access.meeting, seq=int(seq))
    except (Message.DoesNotExist, TypeError, ValueError, OverflowError):  # `Infinity` is valid JSON
        raise RoomError("not_found") from None
    if message.author_id != user.pk or message.deleted_at or message.hidden_at:
        raise RoomError("forbidden")
    window = timedelta(seconds=settings.KAKEHASHI_ROOM_EDIT_SECONDS)
    if timezone.now() - message.created_at > window:
        raise RoomError("edit_window_passed")
    return message


def _revise(message: Message, fields: list[str]) -> None:
    message.rev = _next_seq(message.meeting_id)
    message.save(update_fields=[*fields, "rev"])


@transaction.atomic
def message_edit(*, access: MeetingAccess, user, seq: int, body: str) -> tuple[Message, BroadcastResult]:
    """The author changes their own message within the edit window."""
    body = _clean_body(body)
    message = _own_message_for_change(access, user, seq)
    message.body = body
    message.edited_at = timezone.now()
    mentioned = _mentions(access.meeting, body, user.pk)
    added = [p for p in mentioned if p.pk not in (message.mentioned or [])]
    message.mentioned = [p.pk for p in mentioned]
    _revise(message, ["body", "edited_at", "mentioned"])
    _notify_mentioned(access.meeting, message, added)  # only people newly named
    ModerationLog.objects.create(meeting=access.meeting, message=message, actor=user, action=ModerationLog.Action.EDIT)
    return message, broadcast_on_commit(access.meeting.pk, message_payload(message))


@transaction.atomic
def message_delete(*, access: MeetingAccess, user, seq: int) -> tuple[Message, BroadcastResult]:
    """The author removes their own message within the edit window; its number stays taken."""
    message = _own_message_for_change(access, user, seq)
    message.deleted_at = timezone.now()
    _revise(message, ["deleted_at"])
    ModerationLog.objects.create(meeting=access.meeting, message=message, actor=user, action=ModerationLog.Action.DELETE)
    result = broadcast_on_commit(access.meeting.pk, message_payload(message))
    participation_changed(access.meeting.pk)
    return message, result


def _message_to_moderate(access: MeetingAccess, seq) -> tuple[Message, int]:
    """The message a coordinator acts on, read after taking the room's next number: that UPDATE
    locks the meeting's row until commit, so a hide and an un-hide of one message cannot
    interleave (and the lock order, meeting then message, is the same as everywhere else). A
    refusal rolls the number back with the rest of the transaction."""
    rev = _next_seq(access.meeting.pk)
    try:
        message = Message.objects.select_related("author", "reply_to", "thread").get(meeting=access.meeting, seq=int(seq))
    except (Message.DoesNotExist, TypeError, ValueError, OverflowError):  # `Infinity` is valid JSON
        raise RoomError("not_found") from None
    return message, rev


@transaction.atomic
def message_hide(*, access: MeetingAccess, user, seq: int, reason: str) -> tuple[Message, BroadcastResult]:
    """A coordinator hides a message with a reason; the moderation log keeps who, when and why."""
    if not access.can_coordinate:
        raise RoomError("forbidden")
    reason = (reason or "").strip()[:300]
    if not reason:
        raise RoomError("reason_required")
    message, rev = _message_to_moderate(access, seq)
    message.hidden_at = timezone.now()
    message.hidden_by = user
    message.hidden_reason = reason
    message.rev = rev
    message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "rev"])
    ModerationLog.objects.create(
        meeting=access.meeting, message=message, actor=user, action=ModerationLog.Action.HIDE, reason=reason
    )
    audit_record(actor=user, action="meeting.message_hide", target=message, data={"reason": reason})
    result = broadcast_on_commit(access.meeting.pk, message_payload(message))
    participation_changed(access.meeting.pk)
    return message, result


@transaction.atomic
def message_unhide(*, access: MeetingAccess, user, seq: int, reason: str) -> tuple[Message, BroadcastResult]:
    """A coordinator restores a hidden message, with a reason (for example: hidden by mistake).
    It takes the room's next number, so everyone sees it again, live or when they catch up; the
    moderation log keeps who restored it, when and why (the earlier hide stays in the log)."""
    if not access.can_coordinate:
        raise RoomError("forbidden")
    reason = (reason or "").strip()[:300]
    if not reason:
        raise RoomError("unhide_reason_required")
    message, rev = _message_to_moderate(access, seq)
    if message.hidden_at is None or message.deleted_at is not None:
        raise RoomError("not_hidden")  # a deleted message has nothing to show again
    message.hidden_at = None
    message.hidden_by = None
    message.hidden_reason = ""
    message.rev = rev
    message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "rev"])
    ModerationLog.objects.create(
        meeting=access.meeting, message=message, actor=user, action=ModerationLog.Action.UNHIDE, reason=reason
    )
    audit_record(actor=user, action="meeting.message_unhide", target=message, data={"reason": reason})
    result = broadcast_on_commit(access.meeting.pk, message_payload(message))
    participation_changed(access.meeting.pk)
    return message, result


# The speaker queue -------------------------------------------------------------------------


def queue_payload(meeting: Meeting) -> dict:
    """The open hands in the order the chair should call them (raised order, or the balanced
    list when the meeting uses it), each saying whether it is the person's first turn on its
    agenda item."""
    balanced = Meeting.objects.filter(pk=meeting.pk).values_list("balanced_queue", flat=True).first()
    rows = speaker_order(meeting.pk, list(speaker_queue_list(meeting)), balanced=bool(balanced))
    return {
        "type": "queue",
        "balanced": bool(balanced),
        "entries": [
            {
                "id": entry.pk,
                "user": entry.user_id,
                "name": str(entry.user),
                "sector": entry.sector,
                "status": entry.status,
                "agenda_item": entry.agenda_item_id,
                "first_on_item": first,
            }
            for entry, first in rows
        ],
    }


def participation_changed(meeting_id: int) -> None:
    """After a change that moves the figures (a turn given or ended, a message posted or
    removed, a setting): the full figures to the meeting's coordinators in the room, and the
    sector figures to everyone when the chair shares them; sent once the transaction commits.

    The figures are worked out once the transaction has committed, not inside it: a message's
    transaction holds the meeting's row (its sequence number) until it ends, and the figures'
    queries would lengthen that hold for every post in the room.

    From the room's socket (deferred), the consumer is told once the change commits and works
    the figures out itself, coalesced (realtime.ParticipationDue)."""
    if defer_broadcast.get():
        collected = deferred_results.get()
        if collected is not None:
            due = ParticipationDue(meeting_id)
            transaction.on_commit(lambda: collected.append(due))
            return
    figures: dict = {}

    def computed() -> dict:
        if not figures:
            figures.update(meeting_participation_live(meeting_id))
        return figures

    broadcast_on_commit(meeting_id, lambda: {**computed(), "audience": "coordinators"},
                        meeting_chairs_group_name(meeting_id))
    broadcast_on_commit(meeting_id, lambda: participation_for_everyone(computed()) if computed()["shared"] else None)


def _queue_changed(meeting: Meeting) -> BroadcastResult:
    return broadcast_on_commit(meeting.pk, queue_payload(meeting))


def _check_open(meeting: Meeting) -> None:
    if Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.CLOSED).exists():
        raise RoomError("room_closed")


@transaction.atomic
def hand_raise(*, access: MeetingAccess, user, agenda_item_id: int | None = None) -> SpeakerQueueEntry:
    meeting = access.meeting
    _check_open(meeting)
    if agenda_item_id in (None, ""):
        # A hand raised in the room is for the item under discussion.
        agenda_item_id = Meeting.objects.filter(pk=meeting.pk).values_list("current_agenda_item_id", flat=True).first()
    agenda_item = _agenda_item(meeting, agenda_item_id)
    entry = SpeakerQueueEntry(meeting=meeting, user=user, sector=access.sector, agenda_item=agenda_item)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise RoomError("already_raised") from None
    _queue_changed(meeting)
    return entry


@transaction.atomic
def hand_lower(*, access: MeetingAccess, user) -> int:
    """Withdraw one's own waiting hand (a hand already called is finished by the coordinator)."""
    changed = SpeakerQueueEntry.objects.filter(
        meeting=access.meeting, user=user, status=SpeakerQueueEntry.Status.WAITING
    ).update(status=SpeakerQueueEntry.Status.WITHDRAWN, done_at=timezone.now())
    if changed:
        _queue_changed(access.meeting)
    return changed


@transaction.atomic
def speaker_call(*, access: MeetingAccess, user, entry_id: int) -> SpeakerQueueEntry:
    """The coordinator gives the floor to a waiting person; whoever was speaking is done."""
    if not access.can_coordinate:
        raise RoomError("forbidden")
    _check_open(access.meeting)
    try:
        entry = SpeakerQueueEntry.objects.select_for_update().get(
            pk=int(entry_id), meeting=access.meeting, status=SpeakerQueueEntry.Status.WAITING
        )
    except (SpeakerQueueEntry.DoesNotExist, TypeError, ValueError):
        raise RoomError("not_waiting") from None
    now = timezone.now()
    SpeakerQueueEntry.objects.filter(meeting=access.meeting, status=SpeakerQueueEntry.Status.CALLED).update(
        status=SpeakerQueueEntry.Status.DONE, done_at=now
    )
    entry.status = SpeakerQueueEntry.Status.CALLED
    entry.called_at = now
    entry.called_by = user
    entry.save(update_fields=["status", "called_at", "called_by"])
    _queue_changed(access.meeting)
    participation_changed(access.meeting.pk)
    return entry


@transaction.atomic
def speaker_done(*, access: MeetingAccess, user) -> int:
    if not access.can_coordinate:
        raise RoomError("forbidden")
    changed = SpeakerQueueEntry.objects.filter(
        meeting=access.meeting, status=SpeakerQueueEntry.Status.CALLED
    ).update(status=SpeakerQueueEntry.Status.DONE, done_at=timezone.now())
    _queue_changed(access.meeting)
    if changed:
        participation_changed(access.meeting.pk)
    return changed


# Opening and closing -----------------------------------------------------------------------


@transaction.atomic
def meeting_set_status(*, access: MeetingAccess, user, status: str) -> Meeting:
    """Open the room, or close it (read-only from then on)."""
    if not access.can_coordinate:
        raise RoomError("forbidden")
    meeting = Meeting.objects.select_for_update().get(pk=access.meeting.pk)
    if status not in Meeting.Status.values or meeting.status == status:
        return meeting
    meeting.status = status
    meeting.save(update_fields=["status"])
    if status == Meeting.Status.CLOSED:
        # The turn in progress ends with the meeting: its time stops counting here.
        SpeakerQueueEntry.objects.filter(meeting=meeting, status=SpeakerQueueEntry.Status.CALLED).update(
            status=SpeakerQueueEntry.Status.DONE, done_at=timezone.now())
    action = ModerationLog.Action.CLOSE if status == Meeting.Status.CLOSED else ModerationLog.Action.OPEN
    ModerationLog.objects.create(meeting=meeting, actor=user, action=action)
    audit_record(actor=user, action=f"meeting.{status}", target=meeting)
    broadcast_on_commit(meeting.pk, {"type": "status", "status": status})
    return meeting


# The chair's settings and self check-in (issue 18) ----------------------------------------


@transaction.atomic
def meeting_room_settings(
    *, access: MeetingAccess, user, balanced_queue: bool | None = None,
    participation_shared: bool | None = None, current_agenda_item_id=False,
) -> Meeting:
    """The chair turns the balanced speaker list on or off, shares the participation figures
    with everyone in the room (or stops), or names the agenda item under discussion (None: no
    item). Only what is given changes; the room hears the new order and figures."""
    if not access.can_coordinate:
        raise RoomError("forbidden")
    _check_open(access.meeting)
    meeting = Meeting.objects.select_for_update().get(pk=access.meeting.pk)
    changed = []
    if balanced_queue is not None and meeting.balanced_queue != bool(balanced_queue):
        meeting.balanced_queue = bool(balanced_queue)
        changed.append("balanced_queue")
    if participation_shared is not None and meeting.participation_shared != bool(participation_shared):
        meeting.participation_shared = bool(participation_shared)
        changed.append("participation_shared")
    if current_agenda_item_id is not False:
        item = _agenda_item(meeting, current_agenda_item_id)
        if meeting.current_agenda_item_id != (item.pk if item else None):
            meeting.current_agenda_item = item
            changed.append("current_agenda_item")
    if not changed:
        return meeting
    meeting.save(update_fields=changed)
    audit_record(actor=user, action="meeting.room_settings", target=meeting,
                 data={field: getattr(meeting, field if field != "current_agenda_item" else "current_agenda_item_id")
                       for field in changed})
    access.meeting.balanced_queue = meeting.balanced_queue
    access.meeting.participation_shared = meeting.participation_shared
    access.meeting.current_agenda_item_id = meeting.current_agenda_item_id
    _queue_changed(meeting)
    participation_changed(meeting.pk)
    if "participation_shared" in changed and not meeting.participation_shared:
        # Members' panels close: they no longer receive the figures.
        broadcast_on_commit(meeting.pk, {"type": "participation_hidden"})
    return meeting


CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
CHECK_IN_CODE_TRIES = 5  # wrong venue codes per person and meeting …
CHECK_IN_CODE_PAUSE = 10 * 60  # … before a pause of this many seconds


@transaction.atomic
def check_in_code_issue(*, access: MeetingAccess, user) -> str:
    """The chair shows a new check-in code at the venue (the previous one stops working)."""
    if not access.can_coordinate:
        raise RoomError("forbidden")
    _check_open(access.meeting)
    code = f"{secrets.randbelow(10**6):06d}"
    Meeting.objects.filter(pk=access.meeting.pk).update(check_in_code=code)
    access.meeting.check_in_code = code
    audit_record(actor=user, action="meeting.check_in_code", target=access.meeting)
    return code


@transaction.atomic
def attendance_check_in(*, access: MeetingAccess, user, code: str | None = None) -> tuple[Attendance, bool]:
    """An invitee says they are here: from the room (no code: online or in the room), or at the
    venue with the code shown there. Their attendance is recorded as present, by themselves, in
    the sector they were invited for, from an hour before the start until the meeting closes.
    Returns the row and whether it changed; checking in twice changes nothing (except that a
    valid venue code upgrades a check-in from the room)."""
    invitation = access.invitation
    if invitation is None or invitation.pk is None:
        raise RoomError("not_invited")
    _check_open(access.meeting)
    if timezone.now() < access.meeting.starts_at - CHECK_IN_OPENS_BEFORE:
        raise RoomError("check_in_not_yet")
    source = Attendance.Source.ROOM
    # Typed on a phone: full-width digits (a Japanese keyboard's default) and spaces are the same code.
    code = "".join(normalise(code or "").split())
    if code:
        # Six digits are guessed in time without a limit: a few wrong tries per person and
        # meeting, then a pause (the page and the socket alike).
        tries_key = f"check-in-tries:{access.meeting.pk}:{user.pk}"
        if (cache.get(tries_key) or 0) >= CHECK_IN_CODE_TRIES:
            raise RoomError("check_in_code_tries")
        expected = Meeting.objects.filter(pk=access.meeting.pk).values_list("check_in_code", flat=True).first() or ""
        if not expected or not secrets.compare_digest(code.encode(), expected.encode()):
            if not cache.add(tries_key, 1, timeout=CHECK_IN_CODE_PAUSE):
                try:
                    cache.incr(tries_key)
                except ValueError:  # expired between the two
                    cache.set(tries_key, 1, timeout=CHECK_IN_CODE_PAUSE)
            raise RoomError("bad_check_in_code")
        source = Attendance.Source.VENUE
    row = Attendance.objects.select_for_update().filter(meeting=access.meeting, user=user).first()
    if row is not None and row.present and (row.source == Attendance.Source.VENUE or source == Attendance.Source.ROOM):
        return row, False
    if row is None:
        row = Attendance(meeting=access.meeting, user=user, sector=invitation.sector)
    row.present = True
    row.source = source
    row.recorded_by = user
    row.recorded_at = timezone.now()
    row.full_clean(exclude=["meeting", "user", "recorded_by"], validate_unique=False, validate_constraints=False)
    row.save()
    audit_record(actor=user, action="meeting.check_in", target=access.meeting, data={"source": source})
    honorarium_for_attendance(actor=user, attendance=row)  # a peer member's payment to confirm
    participation_changed(access.meeting.pk)
    return row, True
