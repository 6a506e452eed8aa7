"""The managed vocabularies: organisation kinds, professional roles, activities, designated welfare
services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import BilingualNameMixin


class VocabularyTerm(BilingualNameMixin, models.Model):
    """A term of a managed vocabulary: a stable code, Japanese and English labels.

    Administrators extend vocabularies; a term in use is retired (is_active off), not deleted.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=150)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]


class OrganisationKind(VocabularyTerm):  # noqa: DJ008 (the mixin names it)
    """Where peers work (DOMAIN.md "Where peers work"): group home, day care, clinic, …"""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("organisation kind")
        verbose_name_plural = _("organisation kinds")


class ProfessionalRole(VocabularyTerm):  # noqa: DJ008 (the mixin names it)
    """A professional's role: 精神保健福祉士, 看護師, 精神科医, …"""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("professional role")
        verbose_name_plural = _("professional roles")


class Activity(VocabularyTerm):  # noqa: DJ008 (the mixin names it)
    """What an engagement covers: peer group, 当事者研究, listening, family support, …"""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("activity")
        verbose_name_plural = _("activities")


class WelfareService(VocabularyTerm):  # noqa: DJ008 (the mixin names it)
    """指定サービス種別: a welfare service an office is designated for (障害福祉サービス等の指定),
    with fee types where a rule tells them apart (就労継続支援B型's fee types). The welfare-fee
    staffing rules (training.StaffingRule) name the services they apply to."""

    class Meta(VocabularyTerm.Meta):
        verbose_name = _("designated welfare service")
        verbose_name_plural = _("designated welfare services")
