"""Organisations: where peers work, or a training body's organisation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .places import Prefecture
from .vocabularies import OrganisationKind, WelfareService


class Organisation(models.Model):
    """A 事業所 or agency: where peers work, or a training body's organisation."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.ForeignKey(
        OrganisationKind, on_delete=models.PROTECT, null=True, blank=True,
        related_name="organisations", verbose_name=_("kind"),
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="organisations",
        verbose_name=_("prefecture"),
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    corporation = models.CharField(
        _("operating corporation"), max_length=200, blank=True,
        help_text=_("The corporation (法人) that runs it."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Welfare-fee staffing (training.staffing): what the office is designated for, and the
    # offices of the same operator on the same premises whose hours are summed (兼務).
    designated_services = models.ManyToManyField(
        WelfareService, blank=True, related_name="organisations",
        verbose_name=_("designated welfare services"),
    )
    co_located = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("co-located offices of the same operator"),
        help_text=_("Offices run by the same operator on the same premises: hours worked there "
                    "count together (兼務)."),
    )

    # The activity log (collaboration.activity): hours recorded by volunteers (第一群) go to the
    # verification queue only when the organisation asks for it; otherwise they are recorded as
    # confirmed at once. The database default too: rows written by code that predates the field
    # (an older migration's data step) are read as "no verification asked".
    volunteer_hours_need_verification = models.BooleanField(
        _("volunteer hours need verification"), default=False, db_default=False,
        help_text=_("Off: hours volunteers record are confirmed at once, without the verification queue."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [models.Index(fields=["name", "id"], name="organisation_name_id_idx")]

    def __str__(self) -> str:
        return self.name
