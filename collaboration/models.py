"""Regional consultation meetings (協議の場): bodies, meetings, the live room, minutes, follow-up."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peers.models import Prefecture, Region


class Sector(models.TextChoices):
    PEER = "peer", _("Peer (person with lived experience)")
    FAMILY = "family", _("Family")
    MEDICAL = "medical", _("Medical")
    WELFARE = "welfare", _("Welfare")
    EMPLOYMENT = "employment", _("Employment")
    ADMINISTRATION = "administration", _("Administration")
    ACADEMIC = "academic", _("Academic")
    OTHER = "other", _("Other")


class ConsultationBody(models.Model):
    """A standing consultation meeting (協議の場) at prefecture, region or municipality level."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture")
        REGION = "region", _("Region (disability health and welfare region)")
        MUNICIPALITY = "municipality", _("Municipality")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="consultation_bodies",
        verbose_name=_("prefecture"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True,
        related_name="consultation_bodies", verbose_name=_("region"),
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["prefecture", "name"]
        verbose_name = _("consultation body")
        verbose_name_plural = _("consultation bodies")
        constraints = [
            models.CheckConstraint(
                name="body_region_level_has_region",
                condition=~Q(level="region") | Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="body_municipality_level_has_name",
                condition=~Q(level="municipality") | ~Q(municipality=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.region_id and self.prefecture_id and self.region.prefecture_id != self.prefecture_id:
            raise ValidationError({"region": _("The region must lie in the body's prefecture.")})
        if self.level == self.Level.REGION and not self.region_id:
            raise ValidationError({"region": _("Choose the region of a region-level body.")})
        if self.level == self.Level.MUNICIPALITY and not self.municipality:
            raise ValidationError({"municipality": _("Name the municipality.")})


class BodyMember(models.Model):
    """A person sitting on a body, by sector. A coordinator of the body runs its meetings."""

    body = models.ForeignKey(
        ConsultationBody, on_delete=models.CASCADE, related_name="members", verbose_name=_("body")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="body_memberships",
        verbose_name=_("person"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        ordering = ["body", "sector", "id"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="body_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_sector_display()})"


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    body = models.ForeignKey(
        ConsultationBody, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("body")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    # The room's sequence counter: every change in the room (a message, an edit, a deletion,
    # a hide) takes the next number, so a client that reconnects asks for "everything after N".
    last_seq = models.PositiveBigIntegerField(_("last sequence number"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(name="meeting_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
        ]
        indexes = [models.Index(fields=["body", "starts_at"], name="meeting_body_start_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The meeting must end after it starts.")})
        if not self.place and not self.online_url:
            raise ValidationError({"place": _("Give a place, an online link, or both.")})

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=200)
    minutes_allotted = models.PositiveSmallIntegerField(_("minutes allotted"), default=10)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("presenter"),
    )
    presenter_name = models.CharField(
        _("presenter (guest)"), max_length=100, blank=True,
        help_text=_("For a presenter without an account."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # A follow-up item: an open action item of an earlier meeting of the body, carried onto this
    # meeting's agenda (once per meeting) so that its owner reports on it.
    action_item = models.ForeignKey(
        "ActionItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("follow-up of action item"),
    )

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "action_item"], condition=Q(action_item__isnull=False),
                name="agenda_item_one_follow_up_per_action",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"

    @property
    def presenter_label(self) -> str:
        return str(self.presenter) if self.presenter_id else self.presenter_name


def _material_path(instance: Material, filename: str) -> str:
    return f"meetings/{instance.meeting_id}/{secrets.token_hex(8)}/{filename}"


class Material(models.Model):
    """A document for a meeting: invitees only until the coordinator publishes it."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="materials", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_material_path)
    is_published = models.BooleanField(_("published"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "uploaded_at", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class MeetingInvitation(models.Model):
    """An invitation to one meeting, for a member of the body or a guest, with their sector."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_invitations",
        verbose_name=_("person"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    is_guest = models.BooleanField(_("guest"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("meeting invitation")
        verbose_name_plural = _("meeting invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.meeting}"


class Reply(models.Model):
    class Response(models.TextChoices):
        ATTENDING = "attending", _("Attending")
        NOT_ATTENDING = "not_attending", _("Not attending")
        MAYBE = "maybe", _("Maybe")

    invitation = models.OneToOneField(
        MeetingInvitation, on_delete=models.CASCADE, related_name="reply",
        verbose_name=_("invitation"),
    )
    response = models.CharField(_("reply"), max_length=20, choices=Response.choices)
    accommodation_request = models.TextField(
        _("accommodation request"), blank=True,
        help_text=_("Anything that would help you take part (合理的配慮), for example breaks, "
                    "materials in advance, a quiet seat, captions."),
    )
    accommodation_consent = models.ForeignKey(
        "peers.Consent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("consent for the accommodation request"),
    )
    replied_at = models.DateTimeField(_("replied at"), default=timezone.now)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.CheckConstraint(
                name="reply_accommodation_needs_consent",
                condition=Q(accommodation_request="") | Q(accommodation_consent__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.get_response_display()


class Attendance(models.Model):
    """Who was there on the day, taken by the coordinator."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("person"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    present = models.BooleanField(_("present"), default=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting_id}"


class Message(models.Model):
    """A message in the live room. `seq` is the number it was posted with (unique per meeting);
    `rev` is the number of its latest change (edit, deletion, hide), so replaying "after N"
    brings both new messages and changes to old ones."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="messages", verbose_name=_("meeting")
    )
    seq = models.PositiveBigIntegerField(_("sequence number"))
    rev = models.PositiveBigIntegerField(_("revision"), db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"))
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies",
        verbose_name=_("reply to"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages",
        verbose_name=_("agenda item"),
    )
    content_note = models.BooleanField(
        _("content note"), default=False,
        help_text=_("The message touches on something that may be hard to read; it stays "
                    "collapsed until opened."),
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    class Meta:
        ordering = ["meeting", "seq"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="message_unique_seq"),
            models.CheckConstraint(name="message_rev_not_before_seq", condition=Q(rev__gte=models.F("seq"))),
        ]
        indexes = [models.Index(fields=["meeting", "rev"], name="message_meeting_rev_idx")]

    def __str__(self) -> str:
        return f"#{self.seq}"

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class ModerationLog(models.Model):
    """Every moderation action in a meeting's room; the body's coordinators read it."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hid a message")
        UNHIDE = "unhide", _("Restored a hidden message")
        DELETE = "delete", _("Deleted own message")
        EDIT = "edit", _("Edited own message")
        CLOSE = "close", _("Closed the room")
        OPEN = "open", _("Opened the room")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="moderation_log", verbose_name=_("meeting")
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("message"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class SpeakerQueueEntry(models.Model):
    """A raised hand: waiting → called (speaking) → done; or withdrawn by the person."""

    class Status(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("speaker queue", "Waiting")
        CALLED = "called", _("Speaking")
        DONE = "done", _("Done")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="speaker_queue", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("person"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("agenda item"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    raised_at = models.DateTimeField(_("hand raised at"), default=timezone.now)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("called by"),
    )

    class Meta:
        ordering = ["meeting", "raised_at", "id"]
        verbose_name = _("speaker queue entry")
        verbose_name_plural = _("speaker queue")
        constraints = [
            # One raised hand at a time per person per meeting.
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(status__in=["waiting", "called"]),
                name="speaker_one_open_hand",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class Minutes(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    text = models.TextField(_("minutes"))
    public_draft = models.TextField(
        _("public draft"), blank=True,
        help_text=_("The public version being prepared: the coordinator accepts or rejects each proposed "
                    "redaction and edits it; the public site never shows it until it is confirmed."),
    )
    public_draft_updated_at = models.DateTimeField(_("public draft updated at"), null=True, blank=True)
    public_text = models.TextField(
        _("public text"), blank=True,
        help_text=_("What the public site shows: the public draft as the coordinator confirmed it."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("drafted by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("published by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return str(self.meeting)


class Decision(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return self.text[:60]


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items",
        verbose_name=_("agenda item"),
    )
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items",
        verbose_name=_("decision"),
    )
    description = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="collaboration_action_items", verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.description[:60]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private calendar feed: a secret address calendar programs subscribe to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_calendar_feed",
        verbose_name=_("person"),
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class RoomPresence(models.Model):
    """One open connection to a meeting's room (a person may have several tabs open).
    Kept in the database so that presence is right across server processes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    sector = models.CharField(max_length=20, choices=Sector.choices)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("room presence")
        verbose_name_plural = _("room presence")

    def __str__(self) -> str:
        return str(self.user)


# The activity and collaboration log (issue 5) lives in its own module.
from .activity.models import (  # noqa: E402, F401
    ActivityColleague,
    ActivityEntry,
    ActivityRoleRollup,
    ActivityRollup,
    ActivityStatusChange,
    ActivityVerifier,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
    SupervisionSession,
    VerificationDigest,
)
