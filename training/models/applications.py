"""Applications to a cohort (single and pair), their history, attendance and completions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import Organisation, kana_validator

from .base import AppendOnlyModel
from .bodies import TrainingBody
from .courses import Cohort, CohortDay, Course

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
