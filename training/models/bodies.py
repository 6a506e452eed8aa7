"""Training bodies and the continuing-education categories each counts."""

from __future__ import annotations

import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peers.models import Organisation


def _check_secret() -> str:
    return secrets.token_hex(16)


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
