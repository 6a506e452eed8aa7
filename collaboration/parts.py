"""collaboration's parts of the person's record (registered in CollaborationConfig.ready)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peers.parts import rule_for
from peers.personal_data import Part, RetentionKind, Table, add_period, kept_for, subtract_period

from .activity.models import EntryStatus as _EntryStatus
from .activity.models import VolunteerSession, VolunteerThanks
from .activity.services.rollups import waiting_forget as _waiting_forget
from .models import (
    ActionItem,
    ActivityColleague,
    ActivityEntry,
    ActivityStatusChange,
    ActivityVerifier,
    AgendaItem,
    Attendance,
    BodyMember,
    CalendarFeed,
    Meeting,
    MeetingInvitation,
    Message,
    Minutes,
    Reply,
    SpeakerQueueEntry,
    SupervisionSession,
    Vote,
)

MEETING_ACCOMMODATION_REQUESTS = RetentionKind(
    "meeting_accommodation_requests", _("Accommodation requests in meeting replies"), ("ended",), 30, "days",
    "会議への合理的配慮の申出は、その会議の終了から30日後に消去します（配慮の提供という目的を終えたため）。",
    "Accommodation requests in meeting replies are erased 30 days after the meeting, once they have "
    "served their purpose.",
)
ROOM_MESSAGES = RetentionKind(
    "room_messages", _("Messages in meeting rooms"), ("ended",), 1, "years",
    "会議室のメッセージは、議事録の作成と確認のため会議の終了から1年間保存し、その後消去します。",
    "Messages in a meeting's room serve the minutes and are kept for 1 year after the meeting, then erased.",
)
ACTIVITY_RECORDS = RetentionKind(
    "activity_records", _("Activity entries"), ("created",), 5, "years",
    "確認済みの活動記録は、実践時間の証明（認定更新）と障害福祉サービス等報酬の根拠として、活動日から5年間保存します。",
    "Verified activity entries prove practice hours (renewal) and support welfare-fee claims; they are "
    "kept for 5 years after the activity date.",
)
SUPERVISION_RECORDS = RetentionKind(
    "supervision_records", _("Supervision sessions"), ("created",), 5, "years",
    "スーパービジョンの記録は、実践時間の証明（認定更新）のため実施日から5年間保存します（相談内容は削除時に消去）。",
    "Supervision sessions prove practice hours for renewal and are kept for 5 years after the date "
    "(their topics are erased with the person's record).",
)


def erased_text() -> str:
    """What replaces an erased person's message: in the site's first language (the room's)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("(deleted)")


class MeetingsPart(Part):
    name = "meetings"
    label = _("Consultation meetings")
    person_fields = (
        "collaboration.BodyMember.user", "collaboration.MeetingInvitation.user",
        "collaboration.Attendance.user", "collaboration.Message.author",
        "collaboration.SpeakerQueueEntry.user", "collaboration.AgendaItem.presenter",
        "collaboration.ActionItem.owner", "collaboration.CalendarFeed.user",
    )
    actor_fields = (
        "collaboration.Meeting.created_by", "collaboration.Material.uploaded_by",
        "collaboration.MeetingInvitation.invited_by", "collaboration.Attendance.recorded_by",
        "collaboration.Message.hidden_by", "collaboration.ModerationLog.actor",
        "collaboration.SpeakerQueueEntry.called_by", "collaboration.Minutes.drafted_by",
        "collaboration.Minutes.approved_by", "collaboration.Minutes.published_by",
        "collaboration.Proposal.created_by",
    )
    retention_kinds = (MEETING_ACCOMMODATION_REQUESTS, ROOM_MESSAGES)

    def tables(self):
        return [
            Table("body_memberships", BodyMember, ("body__name", "sector", "affiliation", "is_coordinator",
                                                   "joined_at"),
                  lambda user: BodyMember.objects.filter(user=user)),
            Table("meeting_invitations", MeetingInvitation, (
                "meeting__title", "meeting__starts_at", "sector", "is_guest", "invited_at", "reply__response",
                "reply__accommodation_request", "reply__replied_at"),
                lambda user: MeetingInvitation.objects.filter(user=user)),
            Table("meeting_attendance", Attendance, ("meeting__title", "meeting__starts_at", "sector", "present"),
                  lambda user: Attendance.objects.filter(user=user)),
            Table("room_messages", Message, ("meeting__title", "seq", "body", "created_at", "edited_at",
                                              "deleted_at", "hidden_at"),
                  lambda user: Message.objects.filter(author=user)),
            # Votes on proposals (an erased member's go with their seat; the totals stay).
            Table("proposal_votes", Vote, ("proposal__text", "choice", "cast_at"),
                  lambda user: Vote.objects.filter(member__user=user)),
            Table("speaker_queue", SpeakerQueueEntry, ("meeting__title", "status", "raised_at", "done_at"),
                  lambda user: SpeakerQueueEntry.objects.filter(user=user)),
            Table("agenda_presentations", AgendaItem, ("meeting__title", "title"),
                  lambda user: AgendaItem.objects.filter(presenter=user)),
            Table("action_items", ActionItem, ("meeting__title", "description", "due_on", "status"),
                  lambda user: ActionItem.objects.filter(owner=user)),
            Table("calendar_feed", CalendarFeed, ("created_at",),
                  lambda user: CalendarFeed.objects.filter(user=user)),
        ]

    def consent_withdrawn(self, consent_ids) -> int:
        return Reply.objects.filter(accommodation_consent_id__in=consent_ids).exclude(
            accommodation_request="").update(accommodation_request="", accommodation_consent=None)

    def erase(self, user, *, request, now):
        name = user.display_name
        meeting_ids = set(MeetingInvitation.objects.filter(user=user).values_list("meeting_id", flat=True))
        meeting_ids |= set(Attendance.objects.filter(user=user).values_list("meeting_id", flat=True))
        Reply.objects.filter(invitation__user=user).delete()
        MeetingInvitation.objects.filter(user=user).delete()
        Attendance.objects.filter(user=user).delete()
        BodyMember.objects.filter(user=user).delete()
        SpeakerQueueEntry.objects.filter(user=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        AgendaItem.objects.filter(presenter=user).update(presenter=None, presenter_name="")
        ActionItem.objects.filter(owner=user).update(owner=None)
        # Messages stay in their place in the room's history (others replied to them), with
        # neither author nor text; each takes a new revision so that clients replay the change.
        replaced = erased_text()
        for meeting_id in set(Message.objects.filter(author=user).values_list("meeting_id", flat=True)):
            Meeting.objects.filter(pk=meeting_id).update(last_seq=F("last_seq") + 1)
            rev = Meeting.objects.values_list("last_seq", flat=True).get(pk=meeting_id)
            Message.objects.filter(author=user, meeting_id=meeting_id).update(
                author=None, body=replaced, rev=rev, deleted_at=now)
        # Minutes are the body's record: the person's registered name is replaced where it
        # stands whole in the minutes of the meetings they took part in.
        if len(name) >= 2:
            erased_name = str(_("Erased person"))
            for minutes in Minutes.objects.filter(meeting_id__in=meeting_ids).filter(
                    Q(text__contains=name) | Q(public_text__contains=name)):
                minutes.text = minutes.text.replace(name, erased_name)
                minutes.public_text = minutes.public_text.replace(name, erased_name)
                minutes.save(update_fields=["text", "public_text"])
        return []

    def expire(self, kind, *, rule, now):
        cutoff = subtract_period(now.date(), rule.period, rule.unit)
        ended = Meeting.objects.filter(ends_at__date__lt=cutoff)
        if kind == MEETING_ACCOMMODATION_REQUESTS.code:
            return Reply.objects.filter(invitation__meeting__in=ended).exclude(accommodation_request="").update(
                accommodation_request="", accommodation_consent=None)
        if kind == ROOM_MESSAGES.code:
            rows = Message.objects.filter(meeting__in=ended)
            count = rows.count()
            rows.delete()
            return count
        raise NotImplementedError(kind)


class ActivityPart(Part):
    name = "activity"
    label = _("Activity entries and supervision")
    person_fields = (
        "collaboration.ActivityEntry.author", "collaboration.ActivityEntry.colleagues",
        "collaboration.ActivityColleague.user", "collaboration.ActivityVerifier.user",
        "collaboration.SupervisionSession.supervisor", "collaboration.SupervisionSession.peer",
        # A count of verified entries per author and month, kept with the organisation's team
        # table; it points at the anonymised account after erasure and is not exported (the
        # entries it counts are).
        "collaboration.OrganisationActivityRollup.author",
        # How many of a person's entries wait for verification, per organisation: erasure deletes
        # the waiting entries and so empties it; not exported (the entries are).
        "collaboration.OrganisationWaitingRollup.author",
        "collaboration.VolunteerSession.person", "collaboration.VolunteerThanks.person",
    )
    actor_fields = (
        "collaboration.VolunteerThanks.sent_by",
        "collaboration.ActivityStatusChange.actor", "collaboration.ActivityVerifier.named_by",
        "collaboration.ActivityVerifier.removed_by", "collaboration.SupervisionSession.recorded_by",
    )
    retention_kinds = (ACTIVITY_RECORDS, SUPERVISION_RECORDS)

    def tables(self):
        return [
            Table("activity_entries", ActivityEntry, (
                "id", "date", "start_time", "duration_minutes", "organisation__name", "engagement_kind",
                "setting__name_ja", "activity__name_ja", "mode", "stage", "people_supported",
                "level_person", "level_professionals", "level_organisation", "level_community",
                "recovery_personal", "recovery_social",
                "reflection", "reflection_shared", "status", "verification_waived", "created_at"),
                lambda user: ActivityEntry.objects.filter(author=user), labels={"id": _("number")}),
            Table("activity_entry_professionals", ActivityEntry.professional_roles.through,
                  ("activityentry", "professionalrole__name_ja"),
                  lambda user: ActivityEntry.professional_roles.through.objects.filter(activityentry__author=user),
                  labels={"activityentry": _("activity entry")}),
            Table("activity_history", ActivityStatusChange, ("entry", "action", "at", "reason"),
                  lambda user: ActivityStatusChange.objects.filter(entry__author=user),
                  labels={"entry": _("activity entry")}),
            Table("activity_colleagues", ActivityColleague, ("entry", "entry__date", "user__display_name",
                                                              "confirmed_at"),
                  lambda user: ActivityColleague.objects.filter(Q(user=user) | Q(entry__author=user)),
                  labels={"entry": _("activity entry"), "user__display_name": _("colleague")}),
            Table("supervision_sessions", SupervisionSession, (
                "date", "minutes", "topics", "supervisor__display_name", "peer__display_name", "confirmed_at"),
                lambda user: SupervisionSession.objects.filter(Q(peer=user) | Q(supervisor=user)),
                labels={"supervisor__display_name": _("supervisor"), "peer__display_name": _("peer supporter"),
                        "minutes": _("duration (minutes)")}),
            Table("volunteer_check_ins", VolunteerSession, ("checked_in_at", "checked_out_at", "engagement",
                                                            "engagement__organisation__name", "entry"),
                  lambda user: VolunteerSession.objects.filter(person=user),
                  labels={"engagement": _("engagement"), "entry": _("activity entry")}),
            Table("volunteer_thanks", VolunteerThanks, ("organisation__name", "fiscal_year", "quarter", "minutes",
                                                         "occasions", "sent_at"),
                  lambda user: VolunteerThanks.objects.filter(person=user)),
            Table("named_supervisor", ActivityVerifier, ("organisation__name", "named_at", "removed_at"),
                  lambda user: ActivityVerifier.objects.filter(user=user),
                  labels={"named_at": _("named at"), "removed_at": _("removed at")}),
        ]

    def erase(self, user, *, request, now):
        kept = []
        VolunteerSession.objects.filter(person=user).delete()
        VolunteerThanks.objects.filter(person=user).delete()
        ActivityColleague.objects.filter(user=user).delete()
        entries = ActivityEntry.objects.filter(author=user)
        unverified = entries.exclude(status=_EntryStatus.VERIFIED)
        ActivityColleague.objects.filter(entry__in=unverified).delete()
        ActivityStatusChange.objects.filter(entry__in=unverified).delete()
        _waiting_forget(unverified)
        unverified.delete()
        ActivityColleague.objects.filter(entry__author=user).delete()
        entries.update(reflection="", reflection_shared=False)
        dates = list(entries.values_list("date", flat=True))
        if dates:
            rule = rule_for(ACTIVITY_RECORDS.code)
            until = add_period(max(dates), rule.period, rule.unit) if rule else None
            kept.append(kept_for(data=ACTIVITY_RECORDS.code, label=ACTIVITY_RECORDS.label, count=len(dates),
                                 rule=rule, until=until))
        ActivityVerifier.objects.filter(user=user, removed_at__isnull=True).update(removed_at=now)
        sessions = SupervisionSession.objects.filter(Q(peer=user) | Q(supervisor=user))
        sessions.update(topics="")
        dates = list(sessions.values_list("date", flat=True))
        if dates:
            rule = rule_for(SUPERVISION_RECORDS.code)
            until = add_period(max(dates), rule.period, rule.unit) if rule else None
            kept.append(kept_for(data=SUPERVISION_RECORDS.code, label=SUPERVISION_RECORDS.label,
                                 count=len(dates), rule=rule, until=until))
        return kept

    def expire(self, kind, *, rule, now):
        cutoff = subtract_period(now.date(), rule.period, rule.unit)
        if kind == ACTIVITY_RECORDS.code:
            rows = ActivityEntry.objects.filter(date__lt=cutoff)
            count = rows.count()
            ActivityColleague.objects.filter(entry__in=rows).delete()
            ActivityStatusChange.objects.filter(entry__in=rows).delete()
            _waiting_forget(rows)
            rows.delete()
            return count
        if kind == SUPERVISION_RECORDS.code:
            deleted, _rows = SupervisionSession.objects.filter(date__lt=cutoff).delete()
            return deleted
        raise NotImplementedError(kind)


def register_parts() -> None:
    from peers.personal_data import register

    register(MeetingsPart())
    register(ActivityPart())
