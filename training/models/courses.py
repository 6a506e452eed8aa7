"""Courses, their curriculum, cohorts, cohort days and instructors."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import Prefecture

from .bodies import CECategory, TrainingBody


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
