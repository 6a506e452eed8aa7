"""Rollups behind the regional comparisons: counts of outcomes per fiscal year and group, kept
current by comparisons.rollups in the transaction that changes the records, and rebuilt (and
checked) from the raw rows by `manage.py comparison_rollups --check`.

Activity entries are not counted here: collaboration's own rollups (ActivityRollup,
OrganisationActivityRollup) already follow every verification."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    CERTIFICATIONS = "certifications", _("Certifications")
    APPLICATIONS = "applications", _("Applications")
    ENGAGEMENTS = "engagements", _("Engagements")
    ACTIVITY = "activity", _("Activity entries")
    ATTENDANCE = "attendance", _("Meeting attendance by sector")


class Group(models.TextChoices):
    PREFECTURE = "prefecture", _("Prefecture")
    MUNICIPALITY = "municipality", _("Municipality")
    ORGANISATION = "organisation", _("Organisation")
    BODY = "body", _("Training body")
    SETTING = "setting", _("Setting")
    CONSULTATION_BODY = "consultation_body", _("Consultation body")


class OutcomeRollup(models.Model):
    """How many records of one source reached one outcome, in one fiscal year, in one group.

    Each record counts once in every grouping it has (prefecture, municipality, …), so a table
    by any one grouping is one indexed read. `key` is the group's own id (a prefecture code, an
    organisation id, "13:新宿区" for a municipality); "" when the record does not say."""

    table = models.CharField(_("source"), max_length=20, choices=Source.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    prefecture = models.CharField(_("prefecture code"), max_length=2, blank=True)
    group = models.CharField(_("grouping"), max_length=20, choices=Group.choices)
    key = models.CharField(_("group"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=30)
    count = models.IntegerField(_("count"), default=0)
    updated_at = models.DateTimeField(_("brought up to date at"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome rollup")
        verbose_name_plural = _("outcome rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["table", "group", "fiscal_year", "prefecture", "key", "outcome"],
                name="outcome_rollup_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.table} FY{self.fiscal_year} {self.group}={self.key} {self.outcome}: {self.count}"


class RollupCheck(models.Model):
    """One run of the rebuild command: whether the rollups agreed with the raw rows."""

    table = models.CharField(_("source"), max_length=20, choices=Source.choices)
    checked_at = models.DateTimeField(_("checked at"), default=timezone.now)
    cells = models.PositiveIntegerField(_("cells compared"), default=0)
    differences = models.PositiveIntegerField(_("cells that differed"), default=0)
    rebuilt = models.BooleanField(_("rebuilt"), default=False)

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"
        verbose_name = _("rollup check")
        verbose_name_plural = _("rollup checks")

    def __str__(self) -> str:
        return f"{self.table} {self.checked_at:%Y-%m-%d %H:%M}: {self.differences} differences"
