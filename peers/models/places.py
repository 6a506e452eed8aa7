"""Places: the 47 prefectures and the regions inside them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import BilingualNameMixin


class Prefecture(BilingualNameMixin, models.Model):  # noqa: DJ008 (the mixin names it)
    """One of the 47 prefectures, keyed by its JIS X 0401 code."""

    code = models.CharField(_("JIS code"), max_length=2, primary_key=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=10, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=20, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")


class Region(BilingualNameMixin, models.Model):  # noqa: DJ008 (the mixin names it)
    """A 障害保健福祉圏域 (disability health and welfare region) inside a prefecture."""

    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="regions", verbose_name=_("prefecture")
    )
    name_ja = models.CharField(_("name (Japanese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    class Meta:
        ordering = ["prefecture", "name_ja"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["prefecture", "name_ja"], name="region_unique_name")
        ]
