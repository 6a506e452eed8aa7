"""The activity and collaboration log (issue 5): what peers do, with whom, and its effect.

Entries are never deleted: verification and decline append to their history; a correction sends
an entry back for verification. Regional reports read the rollup tables, which the services keep
up to date in the same transaction (verified entries only), never a GROUP BY over the entries.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    Prefecture,
    ProfessionalRole,
)


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", pgettext_lazy("contact mode", "Phone")
    ONLINE = "online", _("Online")
    HOME_VISIT = "home_visit", _("Home visit")
    ACCOMPANYING = "accompanying", _("Accompanying (同行支援)")


class Stage(models.TextChoices):
    HOSPITAL = "hospital", _("In hospital (入院)")
    DISCHARGE = "discharge", _("Discharge (退院)")
    COMMUNITY = "community", _("Community living (地域生活)")
    WORK = "work", _("Work (就労)")
    PREVENTION = "prevention", _("Prevention and awareness (啓発・予防)")


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    DECLINED = "declined", pgettext_lazy("activity entry", "Declined")


class ActivityEntry(models.Model):
    """One piece of peer work. It names how many people were supported, never who."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activity_entries",
        verbose_name=_("recorded by"),
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="activity_entries",
        verbose_name=_("engagement"),
    )
    # Copied from the engagement when the entry is made: the filters and indexes need them here.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="activity_entries",
        verbose_name=_("organisation"),
    )
    engagement_kind = models.CharField(
        _("kind of engagement"), max_length=20, choices=Engagement.Kind.choices
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    setting = models.ForeignKey(
        OrganisationKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("setting")
    )
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, related_name="+", verbose_name=_("activity type")
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    stage = models.CharField(_("stage of the person supported"), max_length=20, choices=Stage.choices)
    people_supported = models.PositiveSmallIntegerField(
        _("people supported"), default=0, validators=[MaxValueValidator(1000)],
        help_text=_("A number only: never a name or anything that identifies someone."),
    )
    professional_roles = models.ManyToManyField(
        ProfessionalRole, blank=True, related_name="+", verbose_name=_("professionals worked with")
    )
    colleagues = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ActivityColleague", blank=True, related_name="+",
        verbose_name=_("colleagues on the platform"),
    )
    level_person = models.BooleanField(_("the person"), default=False)
    level_professionals = models.BooleanField(_("professionals"), default=False)
    level_organisation = models.BooleanField(_("the organisation"), default=False)
    level_community = models.BooleanField(_("the community"), default=False)
    # Seed 000 frames the effect on the person as recovery with two wheels: personal (内面的)
    # and social (外見的). Either implies the effect on the person (level_person).
    recovery_personal = models.BooleanField(_("personal recovery (内面的リカバリー)"), default=False)
    recovery_social = models.BooleanField(_("social recovery (外見的リカバリー)"), default=False)
    reflection = models.TextField(_("reflection (private)"), blank=True)
    reflection_shared = models.BooleanField(_("share my reflection with my supervisor"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED
    )
    # A volunteer's entry at an organisation that does not ask for verification: recorded as
    # confirmed (status verified) without the queue. It counts in the figures, but not toward
    # certification renewal, which needs someone else's verification.
    verification_waived = models.BooleanField(_("confirmed without verification"), default=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("activity entry")
        verbose_name_plural = _("activity entries")
        indexes = [
            models.Index(fields=["organisation", "-date", "-id"], name="activity_org_date_idx"),
            models.Index(fields=["author", "-date", "-id"], name="activity_author_date_idx"),
            models.Index(fields=["organisation", "status", "-date", "-id"], name="activity_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="activity_duration_range",
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=24 * 60),
            ),
            models.CheckConstraint(name="activity_people_range", condition=Q(people_supported__lte=1000)),
            models.CheckConstraint(
                name="activity_recovery_is_an_effect_on_the_person",
                condition=Q(level_person=True) | Q(recovery_personal=False, recovery_social=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.activity} ({self.duration_minutes} min)"

    def clean(self) -> None:
        errors = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("An activity cannot be in the future.")
        if self.engagement_id and self.date and self.engagement.start_date > self.date:
            errors["date"] = _("The date is before this engagement started.")
        if self.engagement_id and self.date and self.engagement.end_date and self.engagement.end_date < self.date:
            errors["date"] = _("The date is after this engagement ended.")
        if errors:
            raise ValidationError(errors)

    @property
    def hours(self) -> float:
        return round(self.duration_minutes / 60, 2)

    @property
    def levels(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in LEVEL_FIELDS if getattr(self, f)]

    @property
    def recovery(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in RECOVERY_FIELDS if getattr(self, f)]

    @property
    def status_label(self) -> str:
        if self.status == EntryStatus.VERIFIED and self.verification_waived:
            return str(_("Confirmed (no verification asked)"))
        return str(self.get_status_display())


LEVEL_FIELDS = ("level_person", "level_professionals", "level_organisation", "level_community")
RECOVERY_FIELDS = ("recovery_personal", "recovery_social")


class ActivityColleague(models.Model):
    """A colleague on the platform named in an entry: they see it and may confirm it."""

    entry = models.ForeignKey(ActivityEntry, on_delete=models.PROTECT, related_name="colleague_links")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("named colleague")
        verbose_name_plural = _("named colleagues")
        constraints = [models.UniqueConstraint(fields=["entry", "user"], name="activity_colleague_once")]
        indexes = [models.Index(fields=["user", "entry"], name="activity_colleague_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.entry_id}"


class ActivityStatusChange(models.Model):
    """Append-only history of an entry: submitted, verified, declined (with reason), corrected."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("activity entry", "Submitted")
        VERIFIED = "verified", _("Verified")
        DECLINED = "declined", pgettext_lazy("activity entry", "Declined")
        CORRECTED = "corrected", _("Corrected and resubmitted")
        CONFIRMED = "confirmed", _("Confirmed without verification (the organisation does not ask for it)")

    entry = models.ForeignKey(ActivityEntry, on_delete=models.PROTECT, related_name="history")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("entry history")
        verbose_name_plural = _("entry history")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class ActivityVerifier(models.Model):
    """A supervisor an organisation's manager named to verify the organisation's entries.

    Removing one keeps the row (who named them, who removed them, when): only rows without
    `removed_at` give the right to verify. Naming the same person again adds a new row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="activity_verifiers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    named_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    named_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("named supervisor")
        verbose_name_plural = _("named supervisors")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(removed_at__isnull=True), name="activity_verifier_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.organisation_id}"


class VerificationDigest(models.Model):
    """When an organisation's verifiers were last told what waits for them (the daily digest):
    an organisation is in the next digest only if an entry arrived or was corrected since."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    last_sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.last_sent_at:%Y-%m-%d %H:%M}"


class SupervisionSession(models.Model):
    """A supervision session between a supervisor and a peer, recorded by either and confirmed
    by the other."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_given",
        verbose_name=_("supervisor"),
    )
    peer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_received",
        verbose_name=_("peer supporter"),
    )
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    topics = models.TextField(_("topics"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        indexes = [
            models.Index(fields=["peer", "-date", "-id"], name="supervision_peer_idx"),
            models.Index(fields=["supervisor", "-date", "-id"], name="supervision_supervisor_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="supervision_two_people", condition=~Q(supervisor=models.F("peer"))),
            models.CheckConstraint(
                name="supervision_minutes_range", condition=Q(minutes__gte=1, minutes__lte=24 * 60)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.supervisor} → {self.peer}"

    def clean(self) -> None:
        if self.supervisor_id and self.supervisor_id == self.peer_id:
            raise ValidationError({"peer": _("Supervision is between two people.")})
        if self.date and self.date > timezone.localdate():
            raise ValidationError({"date": _("A session cannot be in the future.")})


class ActivityRollup(models.Model):
    """Verified entries by month × prefecture × setting × activity type (kept by the services)."""

    month = models.DateField()  # the first day of the month
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="+")
    setting = models.ForeignKey(OrganisationKind, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    entries = models.IntegerField(default=0)
    minutes = models.BigIntegerField(default=0)
    people = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "month", "setting", "activity"], name="activity_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.prefecture_id}: {self.entries}"


class ActivityRoleRollup(models.Model):
    """Verified entries by month × prefecture × setting × activity type × professional role."""

    month = models.DateField()
    prefecture = models.ForeignKey(Prefecture, on_delete=models.PROTECT, related_name="+")
    setting = models.ForeignKey(OrganisationKind, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    role = models.ForeignKey(ProfessionalRole, on_delete=models.PROTECT, related_name="+")
    entries = models.IntegerField(default=0)
    minutes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["prefecture", "month", "setting", "activity", "role"], name="activity_role_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.prefecture_id} {self.role_id}: {self.entries}"


class OrganisationActivityRollup(models.Model):
    """Verified entries of one organisation by month × author × activity type (the team table)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    entries = models.IntegerField(default=0)
    minutes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "author", "activity"], name="activity_org_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.author_id}: {self.entries}"


class OrganisationRoleRollup(models.Model):
    """Verified entries of one organisation by month × activity type × professional role (the
    collaboration matrix)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="+")
    role = models.ForeignKey(ProfessionalRole, on_delete=models.PROTECT, related_name="+")
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "activity", "role"], name="activity_org_role_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.role_id}: {self.entries}"


class OrganisationWaitingRollup(models.Model):
    """Entries of one organisation waiting for verification, per author (the team table's
    "waiting" column): changed in the transaction of every submission, correction, verification,
    decline and deletion, so the page reads one row per person instead of counting entries."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "author"], name="activity_org_waiting_key")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.author_id}: {self.entries} waiting"


class VolunteerSession(models.Model):
    """A volunteer's check-in (第一群): open until they check out, when it becomes an activity
    entry of the time between. A check-in can be undone for a few minutes (UNDO_SECONDS), and a
    forgotten one that can no longer become an entry (over a day) can be discarded; both delete
    the row (it was never an entry), and the audit log keeps that it happened."""

    UNDO_SECONDS = 5 * 60

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_sessions",
        verbose_name=_("person"),
    )
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="volunteer_sessions", verbose_name=_("engagement"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"), default=timezone.now)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    entry = models.OneToOneField(
        ActivityEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer_session",
        verbose_name=_("activity entry"),
    )

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        verbose_name = _("volunteer check-in")
        verbose_name_plural = _("volunteer check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(checked_out_at__isnull=True), name="volunteer_one_open_session"
            ),
            models.CheckConstraint(
                name="volunteer_out_after_in",
                condition=Q(checked_out_at__isnull=True) | Q(checked_out_at__gte=models.F("checked_in_at")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.checked_out_at is None

    def undo_until(self):
        return self.checked_in_at + datetime.timedelta(seconds=self.UNDO_SECONDS)

    def minutes_until(self, moment) -> int:
        """Whole minutes from check-in to `moment`, at least 1."""
        return max(1, round((moment - self.checked_in_at).total_seconds() / 60))


class VolunteerThanks(models.Model):
    """An organisation sent a volunteer the thank-you summary of one quarter of a fiscal year
    (so that sending again sends only to those not yet thanked)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("person"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    occasions = models.PositiveIntegerField(_("occasions"), default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                                verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-fiscal_year", "-quarter", "id"]
        verbose_name = _("thank-you summary sent")
        verbose_name_plural = _("thank-you summaries sent")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "person", "fiscal_year", "quarter"], name="volunteer_thanks_once"
            ),
            models.CheckConstraint(name="volunteer_thanks_quarter", condition=Q(quarter__gte=1, quarter__lte=4)),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} Q{self.quarter} {self.person_id}"
