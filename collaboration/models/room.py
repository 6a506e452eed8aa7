"""The live meeting room: messages, moderation, the speaker queue and who is present."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .bodies import Sector
from .meetings import AgendaItem, Meeting


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
    # The first message of the thread a reply belongs to (a reply to a reply joins the same
    # thread); empty for a message that opens no thread of its own.
    thread = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="thread_replies",
        verbose_name=_("thread"),
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
    # Invitees named with @name in the text (their user ids), notified when it was posted.
    mentioned = models.JSONField(_("people mentioned"), default=list, blank=True)

    class Meta:
        ordering = ["meeting", "seq"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="message_unique_seq"),
            models.CheckConstraint(name="message_rev_not_before_seq", condition=Q(rev__gte=models.F("seq"))),
        ]
        indexes = [
            models.Index(fields=["meeting", "rev"], name="message_meeting_rev_idx"),
            models.Index(fields=["thread", "seq"], name="message_thread_seq_idx"),
        ]

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
