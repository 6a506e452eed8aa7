"""Training bodies, courses, cohorts, applications, completions, certifications and renewal.

Every rule that differs between bodies (validity, windows, hours, floors, fees, reminder offsets,
number formats) is a field here, set by the body's staff, never a constant in code.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from peers.models import Organisation, Prefecture, kana_validator

from .evidence import evidence_storage


def _check_secret() -> str:
    return secrets.token_hex(16)


def ce_evidence_path(instance, filename: str) -> str:
    """Evidence files sit under an unguessable folder of the private storage (training.evidence);
    they are served only through a view that checks who asks (training:ce_evidence)."""
    return f"training/ce/{secrets.token_urlsafe(16)}/{filename}"


class AppendOnlyModel(models.Model):
    """A history row: written once, never edited or deleted (the status history is evidence)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("History is append-only and cannot be edited."))
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History is append-only and cannot be deleted."))


class TrainingBody(models.Model):
    """A 研修機構 / 研修実施主体: an organisation that runs courses and certifies people."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="training_body",
        verbose_name=_("organisation"),
    )
    number_prefix = models.CharField(
        _("certificate number prefix"), max_length=10, unique=True,
        help_text=_("Letters at the start of every certificate number, e.g. PSS."),
    )
    sequence_digits = models.PositiveSmallIntegerField(
        _("digits in the serial part"), default=4, validators=[MinValueValidator(3)]
    )
    recertification_keeps_number = models.BooleanField(
        _("re-certification keeps the certificate number"), default=False, db_default=False,
        help_text=_(
            "When someone whose certification lapsed is certified again: keep their old number, "
            "or give them a new one (the old number then points to the new one)."
        ),
    )
    check_secret = models.CharField(max_length=64, default=_check_secret, editable=False)
    evidence_due_days = models.PositiveSmallIntegerField(
        _("days to send evidence when sampled"), default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("A person whose continuing education is picked for review has this long to upload evidence."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training body")
        verbose_name_plural = _("training bodies")
        constraints = [
            models.CheckConstraint(
                name="training_body_prefix_format",
                condition=Q(number_prefix__regex=r"^[A-Z][A-Z0-9]{0,9}$"),
            )
        ]

    def __str__(self) -> str:
        return self.organisation.name


class CECategory(models.Model):
    """A continuing-education category a body counts, such as ethics (倫理)."""

    body = models.ForeignKey(
        TrainingBody, on_delete=models.CASCADE, related_name="ce_categories",
        verbose_name=_("training body"),
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["body", "name"]
        verbose_name = _("continuing-education category")
        verbose_name_plural = _("continuing-education categories")
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="ce_category_unique")]

    def __str__(self) -> str:
        return self.name


class CourseKind(models.TextChoices):
    INITIAL = "initial", _("Initial specialist training (養成研修)")
    RENEWAL = "renewal", _("Renewal training (更新研修)")
    BASIC = "basic", _("Basic training (基礎研修)")
    SPECIALISED = "specialised", _("Specialised training (専門研修)")
    FOLLOW_UP = "follow_up", _("Follow-up training (フォローアップ研修)")
    CONTINUING = "continuing", _("Continuing education")
    # Staffing rules' transitional measures (training.StaffingRule): a training the prefecture
    # recognised as equivalent to the national scheme's.
    EQUIVALENT = "equivalent", _("Training the prefecture recognises as equivalent (都道府県が認める研修)")


class Course(models.Model):
    class CompletionRule(models.TextChoices):
        ALL_DAYS = "all_days", _("Every day attended")
        MIN_HOURS = "min_hours", _("Minimum hours attended")

    body = models.ForeignKey(
        TrainingBody, on_delete=models.CASCADE, related_name="courses",
        verbose_name=_("training body"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CourseKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="leads_to",
        verbose_name=_("prerequisites"),
        help_text=_("Courses a person must have completed before applying."),
    )
    completion_rule = models.CharField(
        _("completion rule"), max_length=20, choices=CompletionRule.choices,
        default=CompletionRule.ALL_DAYS,
    )
    minimum_hours = models.DecimalField(
        _("minimum hours"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    ce_category = models.ForeignKey(
        CECategory, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("continuing-education category credited"),
        help_text=_("Hours attended are credited to this category automatically."),
    )
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["body", "kind", "title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.completion_rule == self.CompletionRule.MIN_HOURS and not self.minimum_hours:
            raise ValidationError({"minimum_hours": _("Set the minimum hours for this rule.")})


class CurriculumModule(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="modules", verbose_name=_("course")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["course", "order", "id"]
        verbose_name = _("curriculum module")
        verbose_name_plural = _("curriculum modules")

    def __str__(self) -> str:
        return self.title


class Cohort(models.Model):
    """One run of a course: where, when, how many, how people get in, who pays."""

    class Selection(models.TextChoices):
        SELECTION = "selection", _("By selection")
        FIRST_COME = "first_come", _("First come, first served")

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("course")
    )
    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    online = models.BooleanField(_("online"), default=False)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("venue prefecture"),
    )
    place = models.CharField(_("venue"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    applications_open = models.DateTimeField(_("applications open"))
    applications_close = models.DateTimeField(_("applications close"))
    selection = models.CharField(
        _("how places are given"), max_length=20, choices=Selection.choices,
        default=Selection.SELECTION,
    )
    pair_applications = models.BooleanField(
        _("apply as a pair"), default=False,
        help_text=_(
            "Pairs only: one 当事者 and one 協働支援者 (a manager or co-worker) apply together "
            "from one office, as the 基礎研修 and 専門研修 of the 障害者ピアサポート研修 do. "
            "A solo application is refused."
        ),
    )
    fee_yen = models.PositiveIntegerField(_("fee (yen)"), default=0)
    funding_source = models.CharField(_("funding source (grant name)"), max_length=200, blank=True)
    funding_thousand_yen = models.PositiveIntegerField(
        _("funding amount (thousand yen)"), null=True, blank=True
    )
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-year", "name"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        constraints = [
            models.CheckConstraint(
                name="cohort_window_order",
                condition=Q(applications_close__gt=models.F("applications_open")),
            ),
            models.CheckConstraint(
                name="cohort_venue_or_online", condition=Q(online=True) | Q(prefecture__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.online and not self.prefecture_id:
            raise ValidationError({"prefecture": _("Choose the venue's prefecture, or mark it online.")})
        if self.applications_open and self.applications_close and (
            self.applications_close <= self.applications_open
        ):
            raise ValidationError(
                {"applications_close": _("Applications must close after they open.")}
            )

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.published and self.applications_open <= now < self.applications_close


class CohortDay(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="days", verbose_name=_("cohort")
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    hours = models.DecimalField(_("hours counted"), max_digits=4, decimal_places=2)
    module = models.ForeignKey(
        CurriculumModule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("module"),
    )

    class Meta:
        ordering = ["cohort", "date", "starts_at"]
        verbose_name = _("cohort day")
        verbose_name_plural = _("cohort days")
        constraints = [
            models.CheckConstraint(name="cohort_day_times", condition=Q(ends_at__gt=models.F("starts_at")))
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class Instructor(models.Model):
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="instructors", verbose_name=_("cohort")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=100)
    is_peer = models.BooleanField(_("peer instructor"), default=False)

    class Meta:
        ordering = ["cohort", "id"]
        verbose_name = _("instructor")
        verbose_name_plural = _("instructors")

    def __str__(self) -> str:
        return self.name


# Longest reasonable-accommodation request, in characters (the form shows a counter).
ACCOMMODATION_MAX_CHARS = 1000


class PairRole(models.TextChoices):
    """The two places of a pair application (障害者ピアサポート研修)."""

    PEER = "peer", _("当事者 (person with lived experience)")
    SUPPORTER = "supporter", _("協働支援者 (manager or co-worker)")


class Eligibility(models.TextChoices):
    """What the applicant states about each person of a pair (recorded, not a diagnosis)."""

    EMPLOYED = "employed", _("Employed at a target service")
    PROSPECT = "prospect", _("Concrete prospect of employment at a target service")
    MANAGER = "manager", _("Manager of the office")
    COWORKER = "coworker", _("Co-worker at the office")


ELIGIBILITY_FOR_ROLE = {
    PairRole.PEER: (Eligibility.EMPLOYED, Eligibility.PROSPECT),
    PairRole.SUPPORTER: (Eligibility.MANAGER, Eligibility.COWORKER),
}


class Application(models.Model):
    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for email confirmation")
        SUBMITTED = "submitted", _("Submitted")
        SELECTED = "selected", _("Selected")
        WAITLISTED = "waitlisted", _("Wait-listed")
        DECLINED = "declined", _("Declined")
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # States that hold one of the cohort's places.
    PLACE_STATES = ("selected", "enrolled", "completed")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="applications", verbose_name=_("cohort")
    )
    # Empty only for a visitor's application (from the public page) until they sign up.
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_applications", verbose_name=_("applicant"),
    )
    applicant_name = models.CharField(_("name"), max_length=100, blank=True)
    applicant_kana = models.CharField(
        _("name reading (kana)"), max_length=100, blank=True, validators=[kana_validator]
    )
    applicant_email = models.EmailField(_("email address"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    invitation = models.ForeignKey(
        "peers.Invitation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("account invitation"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("organisation applied from"),
    )
    pair = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("paired application"),
    )
    pair_role = models.CharField(_("role in the pair"), max_length=20, choices=PairRole.choices, blank=True)
    eligibility = models.CharField(
        _("eligibility stated"), max_length=20, choices=Eligibility.choices, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    accommodation_request = models.TextField(
        _("reasonable-accommodation request (合理的配慮)"), blank=True,
        max_length=ACCOMMODATION_MAX_CHARS, validators=[MaxLengthValidator(ACCOMMODATION_MAX_CHARS)],
        help_text=_("Only the cohort's organisers can read this."),
    )
    accommodation_consent = models.ForeignKey(
        "peers.Consent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("consent for the accommodation request"),
    )
    consent_at = models.DateTimeField(_("consent given at"))
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "applicant"], name="application_once_per_cohort"),
            models.CheckConstraint(
                name="application_accommodation_needs_consent",
                condition=Q(accommodation_request="") | Q(accommodation_consent__isnull=False),
            ),
            models.CheckConstraint(
                name="application_names_a_person",
                condition=Q(applicant__isnull=False) | ~Q(applicant_email=""),
            ),
            models.CheckConstraint(
                name="application_pair_role_eligibility",
                condition=Q(pair_role="", eligibility="")
                | Q(pair_role="peer", eligibility__in=["employed", "prospect"])
                | Q(pair_role="supporter", eligibility__in=["manager", "coworker"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} → {self.cohort}"

    @property
    def person_name(self) -> str:
        """The applicant's name: from the account, or as a visitor typed it."""
        return self.applicant.display_name if self.applicant_id else self.applicant_name

    @property
    def person_email(self) -> str:
        return self.applicant.email if self.applicant_id else self.applicant_email

    @property
    def is_public(self) -> bool:
        """Sent from the public page by someone without an account (yet)."""
        return self.applicant_id is None


class ApplicationStateChange(AppendOnlyModel):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="history", verbose_name=_("application")
    )
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=Application.State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("application state change")
        verbose_name_plural = _("application state changes")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class Attendance(models.Model):
    day = models.ForeignKey(
        CohortDay, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("day")
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attendance",
        verbose_name=_("application"),
    )
    present = models.BooleanField(_("present"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["day", "application"], name="attendance_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day_id}/{self.application_id}: {self.present}"


class Completion(models.Model):
    """修了: a course completed. It does not expire."""

    body = models.ForeignKey(
        TrainingBody, on_delete=models.PROTECT, related_name="completions",
        verbose_name=_("training body"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="completions", verbose_name=_("course")
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="completions",
        verbose_name=_("cohort"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_completions",
        verbose_name=_("person"),
    )
    number = models.CharField(
        _("completion number"), max_length=40,
        help_text=_("With a check code at the end, like certificate numbers: PSS-C2026-0001-7KQ."),
    )
    former_number = models.CharField(
        _("number before check codes"), max_length=40, blank=True, editable=False,
        help_text=_("The number an older record had, if it did not follow the body's format."),
    )
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    show_name_publicly = models.BooleanField(
        _("show my name on the public verification page"), default=False
    )

    class Meta:
        ordering = ["-completed_on", "id"]
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="completion_number_unique"),
            models.UniqueConstraint(
                fields=["person", "cohort"], condition=Q(cohort__isnull=False),
                name="completion_once_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CredentialType(models.Model):
    """What a body certifies, and its rules: validity, windows, renewal needs, reminders."""

    body = models.ForeignKey(
        TrainingBody, on_delete=models.CASCADE, related_name="credential_types",
        verbose_name=_("training body"),
    )
    name = models.CharField(_("name"), max_length=200)
    initial_course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("course required for the first certification"),
    )
    expires = models.BooleanField(_("expires"), default=True)
    validity_months = models.PositiveSmallIntegerField(_("validity (months)"), null=True, blank=True)
    renewal_window_days = models.PositiveSmallIntegerField(
        _("renewal window before expiry (days)"), default=0
    )
    grace_days = models.PositiveSmallIntegerField(_("grace period after expiry (days)"), default=0)
    late_renewal_limit_months = models.PositiveSmallIntegerField(
        _("late renewal allowed for (months after lapse)"), default=0,
        help_text=_("After this the person must apply again from the start."),
    )
    renewal_course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("renewal course required"),
    )
    practice_ce_category = models.ForeignKey(
        "CECategory", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("category credited with verified practice hours"),
        help_text=_(
            "If set, hours of peer-support work verified by the organisation, and confirmed "
            "supervision, count toward renewal in this category."
        ),
    )
    ce_hours_required = models.DecimalField(
        _("continuing-education hours required per cycle"), max_digits=6, decimal_places=2,
        default=0,
    )
    reminder_offsets = models.JSONField(
        _("reminder days"), default=list, blank=True,
        help_text=_(
            "Days before expiry to remind the holder, e.g. [120, 60, 30, 7]; negative numbers are "
            "days after expiry, during the grace period."
        ),
    )

    class Meta:
        ordering = ["body", "name"]
        verbose_name = _("credential type")
        verbose_name_plural = _("credential types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.expires and not self.validity_months:
            raise ValidationError({"validity_months": _("A credential that expires needs a validity.")})
        offsets = self.reminder_offsets or []
        if not isinstance(offsets, list) or not all(isinstance(o, int) for o in offsets):
            raise ValidationError({"reminder_offsets": _("Give a list of whole numbers of days.")})


class CEFloor(models.Model):
    """A minimum number of hours in one category per renewal cycle (e.g. 3 hours of ethics)."""

    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.CASCADE, related_name="ce_floors",
        verbose_name=_("credential type"),
    )
    category = models.ForeignKey(
        CECategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    minimum_hours = models.DecimalField(_("minimum hours"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("hours floor")
        verbose_name_plural = _("hours floors")
        constraints = [
            models.UniqueConstraint(fields=["credential_type", "category"], name="ce_floor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category_id} ≥ {self.minimum_hours}"


class Certification(models.Model):
    """認定: a person certified by a body. Its number is kept across renewals."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Renewal due")
        GRACE = "grace", _("In grace period")
        LAPSED = "lapsed", _("Lapsed")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    body = models.ForeignKey(
        TrainingBody, on_delete=models.PROTECT, related_name="certifications",
        verbose_name=_("training body"),
    )
    credential_type = models.ForeignKey(
        CredentialType, on_delete=models.PROTECT, related_name="certifications",
        verbose_name=_("credential type"),
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certifications",
        verbose_name=_("holder"),
    )
    # Unique among current records only: a re-certification may keep the lapsed one's number.
    number = models.CharField(_("certificate number"), max_length=40, db_index=True)
    year = models.PositiveSmallIntegerField(_("year of number"))
    sequence = models.PositiveIntegerField(_("serial"))
    basis = models.ForeignKey(
        Completion, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("completion it rests on"),
    )
    issued_on = models.DateField(_("first issued on"))
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    cycle_started_on = models.DateField(_("current cycle from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Dates the daily sweep compares with, fixed from the credential type when the cycle starts.
    renewal_due_from = models.DateField(null=True, blank=True, editable=False)
    grace_until = models.DateField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    show_name_publicly = models.BooleanField(
        _("show my name on the public verification page"), default=False
    )
    # A re-certification points to the lapsed certification it follows; that one then carries
    # the day it was replaced (and may share its number: uniqueness holds among current ones).
    recertification_of = models.OneToOneField(
        # SET_NULL: the retention rule may delete the older record before the newer one.
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="recertified_as",
        verbose_name=_("re-certification of"),
    )
    replaced_on = models.DateField(_("replaced by a re-certification on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["body", "year", "sequence"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "year", "sequence"], condition=Q(replaced_on__isnull=True),
                name="certification_serial_unique",
            ),
            models.UniqueConstraint(
                fields=["number"], condition=Q(replaced_on__isnull=True),
                name="certification_number_unique",
            ),
            models.CheckConstraint(
                name="certification_dates_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("cycle_started_on")),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "renewal_due_from"], name="certification_due_idx"),
            models.Index(fields=["status", "valid_until"], name="certification_until_idx"),
            models.Index(fields=["status", "grace_until"], name="certification_grace_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def successor(self) -> Certification | None:
        """The re-certification that replaced this one, if any (load with
        select_related("recertified_as") to read it without a query)."""
        if self.replaced_on is None:
            return None
        try:
            return self.recertified_as
        except Certification.DoesNotExist:
            return None


class RenewalOverrideReason(models.TextChoices):
    """Why staff renew a certification outside the normal requirements (renewal by exception).

    The one list of these reasons; `allows_early_renewal` says which of them also allow
    renewing before the renewal window opens (someone who will be away during the window)."""

    ILLNESS = "illness", _("Illness or leave from work")
    PARENTAL_LEAVE = "parental_leave", _("Maternity or childcare leave")
    DISASTER = "disaster", _("Disaster")
    BODY_ERROR = "body_error", _("Administrative error by the training body")
    OTHER = "other", _("Other")

    @property
    def allows_early_renewal(self) -> bool:
        return self in _OVERRIDE_EARLY


_OVERRIDE_EARLY = frozenset({
    RenewalOverrideReason.ILLNESS, RenewalOverrideReason.PARENTAL_LEAVE, RenewalOverrideReason.BODY_ERROR,
})


class CertificationStatusChange(AppendOnlyModel):
    class Event(models.TextChoices):
        ISSUED = "issued", _("Issued")
        IMPORTED = "imported", _("Imported")
        SWEEP = "sweep", _("Date reached")
        RENEWED = "renewed", _("Renewed")
        RENEWED_OVERRIDE = "renewed_override", _("Renewed by exception")
        RENEWAL_REQUESTED = "renewal_requested", _("Renewal requested")
        RENEWAL_DECLINED = "renewal_declined", _("Renewal request declined")
        RECERTIFIED = "recertified", _("Certified again after lapse")
        SUPERSEDED = "superseded", _("Replaced by a new certification")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")

    # Events that note something without changing the status (the status's date ignores them).
    NOTE_EVENTS = ("renewal_requested", "renewal_declined", "superseded")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="history",
        verbose_name=_("certification"),
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Certification.Status.choices)
    event = models.CharField(_("event"), max_length=20, choices=Event.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    override_reason = models.CharField(
        _("reason for the exception"), max_length=20, choices=RenewalOverrideReason.choices, blank=True,
        default="", db_default="",  # rows written in SQL (the daily sweep) need no value
    )
    valid_until = models.DateField(_("valid until then"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("certification status change")
        verbose_name_plural = _("certification status changes")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"

    @property
    def from_status_label(self) -> str:
        """The status before, in words (empty for the first row)."""
        if self.from_status in Certification.Status.values:
            return Certification.Status(self.from_status).label
        return ""


class ContinuingEducation(models.Model):
    class Review(models.TextChoices):
        NOT_REVIEWED = "not_reviewed", _("Not reviewed")
        SAMPLED = "sampled", _("Evidence requested")
        SUBMITTED = "submitted", _("Evidence submitted, waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    body = models.ForeignKey(
        TrainingBody, on_delete=models.CASCADE, related_name="ce_records",
        verbose_name=_("training body"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ce_records",
        verbose_name=_("person"),
    )
    date = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    category = models.ForeignKey(
        CECategory, on_delete=models.PROTECT, related_name="records", verbose_name=_("category")
    )
    evidence = models.FileField(_("evidence"), upload_to=ce_evidence_path, storage=evidence_storage, blank=True)
    source_ref = models.CharField(
        _("credited from"), max_length=60, blank=True,
        help_text=_("The verified activity or supervision these hours came from, if any."),
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("credited from cohort"),
    )
    review = models.CharField(
        _("review"), max_length=20, choices=Review.choices, default=Review.NOT_REVIEWED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("reviewed by"),
    )
    # Audit sampling: evidence asked for by a date, sent, then accepted or rejected with a reason.
    evidence_due_on = models.DateField(_("evidence due by"), null=True, blank=True)
    evidence_submitted_at = models.DateTimeField(_("evidence submitted at"), null=True, blank=True)
    review_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    # Reviews whose hours wait for the evidence check: shown as waiting, not earned.
    WAITING_REVIEWS = ("sampled", "submitted")

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("continuing-education record")
        verbose_name_plural = _("continuing-education records")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "cohort"], condition=Q(cohort__isnull=False),
                name="ce_credit_once_per_cohort",
            ),
            models.UniqueConstraint(
                fields=["person", "body", "source_ref"], condition=~Q(source_ref=""),
                name="ce_credit_once_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.provider} {self.hours}h"

    @property
    def evidence_asked(self) -> bool:
        """Staff asked for evidence and the person may still send it (again, after a rejection)."""
        if self.evidence_due_on is None or self.review not in ("sampled", "rejected"):
            return False
        return timezone.localdate() <= self.evidence_due_on


class ReminderSent(models.Model):
    """One renewal reminder sent: never twice for the same certification, cycle, offset and
    channel. The log of these is shown to staff and to the holder.

    Scheduled reminders go out at the credential type's offsets; staff may also send one by
    hand (MANUAL), recorded with the days left on the day it was sent, so at most one reminder
    of either kind reaches a person per certification and day."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("Sent on schedule")
        MANUAL = "manual", _("Sent by staff")

    class Channel(models.TextChoices):
        EMAIL = "email", pgettext_lazy("reminder channel", "Email")
        LETTER = "letter", pgettext_lazy("reminder channel", "Letter")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="reminders",
        verbose_name=_("certification"),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    offset_days = models.SmallIntegerField(_("days before expiry"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SCHEDULED)
    channel = models.CharField(
        _("sent by"), max_length=10, choices=Channel.choices, default=Channel.EMAIL, db_default=Channel.EMAIL
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    missing = models.JSONField(_("still missing then"), default=list, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["certification", "cycle", "offset_days", "channel"], name="reminder_once_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} cycle {self.cycle} ({self.offset_days})"

    @property
    def which(self) -> str:
        """Which reminder this was, in words: 30 days before expiry, on the day, 30 days after."""
        days = abs(self.offset_days)
        if self.offset_days > 0:
            return ngettext("%(days)s day before expiry", "%(days)s days before expiry", days) % {"days": days}
        if self.offset_days < 0:
            return ngettext("%(days)s day after expiry", "%(days)s days after expiry", days) % {"days": days}
        return gettext("On the day of expiry")


class RenewalRequest(models.Model):
    """The holder asked for renewal (their requirements met); it waits in the staff queue until
    staff renew the certification or decline the request."""

    class Outcome(models.TextChoices):
        OPEN = "", _("Waiting")
        RENEWED = "renewed", _("Renewed")
        DECLINED = "declined", _("Declined")

    certification = models.ForeignKey(
        Certification, on_delete=models.CASCADE, related_name="renewal_requests",
        verbose_name=_("certification"),
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    note = models.CharField(_("note to the training body"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True, default="")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("closed by"),
    )

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("renewal request")
        verbose_name_plural = _("renewal requests")
        constraints = [
            models.UniqueConstraint(
                fields=["certification"], condition=Q(outcome=""), name="renewal_request_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certification_id} cycle {self.cycle}"


class InHouseTraining(models.Model):
    """A training an organisation gave its own staff (one a year is needed for the peer-support
    welfare-fee addition, ピアサポート体制加算)."""

    organisation = models.ForeignKey(
        "peers.Organisation", on_delete=models.PROTECT, related_name="in_house_trainings",
        verbose_name=_("organisation"),
    )
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    trainer = models.CharField(_("trainer"), max_length=200)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="in_house_trainings_attended",
        verbose_name=_("attendees"),
    )
    materials = models.FileField(_("materials"), upload_to="in-house-training/%Y/", blank=True)
    # The staffing rules count the training only when the placed peer staff give it, alone or
    # with the lecturer named in `trainer`.
    given_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="in_house_trainings_given",
        verbose_name=_("given by (placed staff)"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("in-house training")
        verbose_name_plural = _("in-house trainings")
        indexes = [models.Index(fields=["organisation", "held_on"], name="inhouse_org_date_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class StaffingPublication(models.Model):
    """The organisation published its peer-support staffing for a fiscal year (April–March)."""

    organisation = models.ForeignKey(
        "peers.Organisation", on_delete=models.PROTECT, related_name="staffing_publications",
        verbose_name=_("organisation"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (starting April)"))
    published_on = models.DateField(_("published on"))
    where = models.CharField(_("where it is published"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("staffing publication")
        verbose_name_plural = _("staffing publications")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year"], name="staffing_publication_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} FY{self.fiscal_year}"


# --- Welfare-fee staffing rules and records (training.staffing) -----------------------------
from .staffing_models import Addition, PeerSupportDeliveryCount, StaffingFiling, StaffingRule  # noqa: E402, F401
