"""Meetings: agenda, materials, invitations and replies, attendance, calendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .bodies import ConsultationBody, Sector


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    body = models.ForeignKey(
        ConsultationBody, on_delete=models.CASCADE, related_name="meetings", verbose_name=pgettext_lazy("consultation body", "body")
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
    # The chair's room settings (issue 18).
    balanced_queue = models.BooleanField(
        _("balanced speaker list"), default=False,
        help_text=_("People who have not yet spoken on the item, and peers, go before repeat speakers."),
    )
    participation_shared = models.BooleanField(
        _("participation shared with everyone"), default=False,
        help_text=_("Everyone in the room sees speaking time and turns per sector, not only the coordinators."),
    )
    current_agenda_item = models.ForeignKey(
        "AgendaItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("agenda item under discussion"),
    )
    # Shown at the venue; a person who types it in checks in as there in person. Empty: none yet.
    check_in_code = models.CharField(_("check-in code"), max_length=12, blank=True)

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
    """Who was there on the day: ticked by the coordinator, or checked in by the person."""

    class Source(models.TextChoices):
        RECORDED = "recorded", _("Recorded by a coordinator")
        ROOM = "room", _("Checked in from the room")
        VENUE = "venue", _("Checked in at the venue with its code")

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
    source = models.CharField(_("how it was recorded"), max_length=20, choices=Source.choices,
                              default=Source.RECORDED)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting_id}"


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
