"""The welfare-fee staffing rules as data, and the office's records: its monthly counts and
filings, its in-house trainings and its yearly publication of its staffing.

A `StaffingRule` is one version of one addition (ピアサポート体制加算 / ピアサポート実施加算) from a
date: which designated services it applies to, the trainings each role needs, the FTE floor,
what counts as employment, the training and publication duties and any transitional measure.
An administrator adds the next version when the fees are revised; training.staffing evaluates
whichever version is in force in the month checked, and holds no constants of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Addition(models.TextChoices):
    PEER_SUPPORT_SYSTEM = "peer_support_system", _("Peer-support system addition (ピアサポート体制加算)")
    PEER_SUPPORT_DELIVERY = "peer_support_delivery", _("Peer-support delivery addition (ピアサポート実施加算)")


class StaffingRule(models.Model):
    """One version of a peer-support welfare-fee addition, in force from `in_force_from` until
    the next version of the same addition."""

    addition = models.CharField(_("addition"), max_length=30, choices=Addition.choices)
    label = models.CharField(_("version"), max_length=40, help_text=_("For example FY2024."))
    in_force_from = models.DateField(_("in force from"))
    eligible_services = models.ManyToManyField(
        "peers.WelfareService", related_name="staffing_rules", verbose_name=_("designated services it applies to"),
    )
    units = models.PositiveIntegerField(_("units"), default=100)
    units_per_service_user = models.BooleanField(
        _("units per service user"), default=False,
        help_text=_("On: the units are per service user who received peer support in the month "
                    "(実施加算). Off: per office per month (体制加算)."),
    )
    peer_courses = models.JSONField(
        _("trainings the peer needs"), default=list,
        help_text=_("Course kinds, for example [\"basic\", \"specialised\"]."),
    )
    partner_courses = models.JSONField(_("trainings the manager or co-worker needs"), default=list)
    fte_floor = models.DecimalField(
        _("FTE each needs (常勤換算)"), max_digits=3, decimal_places=2, default="0.50",
        validators=[MinValueValidator(0)],
    )
    combine_co_located = models.BooleanField(
        _("hours at co-located offices count together (兼務)"), default=True,
        help_text=_("Only at co-located offices designated for a service this rule applies to."),
    )
    counted_kinds = models.JSONField(_("kinds of engagement that count"), default=list)
    counted_contracts = models.JSONField(_("forms of contract that count"), default=list)
    on_leave_counts = models.BooleanField(_("an engagement on leave counts"), default=False)
    trainings_per_fiscal_year = models.PositiveSmallIntegerField(_("staff trainings needed per fiscal year"), default=1)
    training_by_placed_staff = models.BooleanField(
        _("the training is given by (or with) the placed staff"), default=True,
    )
    publication_required = models.BooleanField(_("the staffing must be published"), default=True)
    transitional_until = models.DateField(_("transitional measure until"), null=True, blank=True)
    transitional_peer_courses = models.JSONField(
        _("trainings accepted for the peer under the transitional measure"), default=list, blank=True,
    )
    transitional_partner_untrained = models.BooleanField(
        _("the manager or co-worker may be untrained under the transitional measure"), default=False,
    )
    note_ja = models.TextField(_("rule text and source (Japanese)"), blank=True)
    note_en = models.TextField(_("rule text and source (English)"), blank=True)

    class Meta:
        ordering = ["addition", "-in_force_from"]
        verbose_name = _("welfare-fee staffing rule")
        verbose_name_plural = _("welfare-fee staffing rules")
        constraints = [
            models.UniqueConstraint(fields=["addition", "in_force_from"], name="staffing_rule_one_per_start"),
            models.UniqueConstraint(fields=["addition", "label"], name="staffing_rule_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_addition_display()} {self.label}"

    def clean(self) -> None:
        from peers.models import Engagement

        from .courses import CourseKind

        errors = {}
        lists = {
            "peer_courses": CourseKind.values, "partner_courses": CourseKind.values,
            "transitional_peer_courses": CourseKind.values,
            "counted_kinds": Engagement.Kind.values, "counted_contracts": Engagement.Contract.values,
        }
        for name, allowed in lists.items():
            value = getattr(self, name)
            if not isinstance(value, list) or any(item not in allowed for item in value):
                errors[name] = _("Give a list of these codes: %(codes)s.") % {"codes": ", ".join(allowed)}
        if errors:
            raise ValidationError(errors)


class PeerSupportDeliveryCount(models.Model):
    """How many service users received peer support under their individual support plan in a
    month at an office (ピアサポート実施加算): a number, never who they were."""

    organisation = models.ForeignKey(
        "peers.Organisation", on_delete=models.PROTECT, related_name="peer_support_delivery_counts",
        verbose_name=_("organisation"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    service_users = models.PositiveIntegerField(_("service users who received peer support"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("peer-support delivery count")
        verbose_name_plural = _("peer-support delivery counts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="delivery_count_once_a_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="delivery_count_first_of_month"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m}: {self.service_users}"


class StaffingFiling(models.Model):
    """The filing pack (届出) for a month as it stood when the manager prepared it: the check's
    answer and every record behind it, kept (5 years, retention rule) so the same pack can be
    shown on request. The Excel and PDF files are drawn from `snapshot`."""

    organisation = models.ForeignKey(
        "peers.Organisation", on_delete=models.PROTECT, related_name="staffing_filings",
        verbose_name=_("organisation"),
    )
    month = models.DateField(_("month"))
    snapshot = models.JSONField(_("contents"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("prepared by"),
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)

    class Meta:
        ordering = ["-month", "-prepared_at", "-id"]
        verbose_name = _("staffing filing pack")
        verbose_name_plural = _("staffing filing packs")
        indexes = [models.Index(fields=["organisation", "month"], name="staffing_filing_org_month_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m}"


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
