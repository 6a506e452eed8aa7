"""Consultation bodies (協議の場) and their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peers.models import Organisation, Prefecture, Region


class Sector(models.TextChoices):
    PEER = "peer", _("Peer (person with lived experience)")
    FAMILY = "family", _("Family")
    MEDICAL = "medical", _("Medical")
    WELFARE = "welfare", _("Welfare")
    EMPLOYMENT = "employment", _("Employment")
    ADMINISTRATION = "administration", _("Administration")
    ACADEMIC = "academic", _("Academic")
    OTHER = "other", _("Other")


class VoteMajority(models.TextChoices):
    """The majority a proposal needs when a body votes on it."""

    MORE_AGREE = "more_agree", _("More members agree than disagree (abstentions count for neither side)")
    HALF_OF_VOTES = "half_of_votes", _("More than half of the votes cast agree (an abstention is not an agreement)")
    TWO_THIRDS = "two_thirds", _("At least two thirds of the votes cast agree")


class VoteQuorum(models.TextChoices):
    """How many of the body's members must take part for a vote to decide (定足数)."""

    NONE = "none", _("No quorum")
    HALF = "half", _("More than half of the members")
    TWO_THIRDS = "two_thirds", _("At least two thirds of the members")


class ConsultationBody(models.Model):
    """A standing consultation meeting (協議の場) at prefecture, region or municipality level."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", _("Prefecture")
        REGION = "region", _("Region (disability health and welfare region)")
        MUNICIPALITY = "municipality", _("Municipality")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="consultation_bodies",
        verbose_name=_("prefecture"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True,
        related_name="consultation_bodies", verbose_name=_("region"),
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    # The body's rules: whether its members vote on proposals openly or by secret ballot.
    secret_ballot = models.BooleanField(
        _("secret ballot"), default=False,
        help_text=_("Members vote on proposals by secret ballot: the record shows who voted and the totals, "
                    "never who chose what."),
    )
    # How a vote decides (the body's 設置要綱 says): the majority a proposal needs and the share
    # of members who must take part; a proposal copies both when it is made and keeps them.
    vote_majority = models.CharField(
        _("majority needed"), max_length=20, choices=VoteMajority.choices, default=VoteMajority.MORE_AGREE,
    )
    vote_quorum = models.CharField(
        _("quorum"), max_length=20, choices=VoteQuorum.choices, default=VoteQuorum.NONE,
        help_text=_("Counted from the members who vote; abstaining counts as taking part."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Peer members receive an honorarium per meeting attended (第二群 謝金, issue 18): the rate
    # the body sets and the organisation that pays it (named on the payment statement).
    honorarium_per_meeting = models.PositiveIntegerField(
        _("honorarium per meeting for peer members (yen)"), null=True, blank=True,
        help_text=_("Each peer member who attends a meeting gets a payment to confirm at this rate. "
                    "Leave empty for none."),
    )
    honorarium_payer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("organisation that pays the honoraria"),
    )

    class Meta:
        ordering = ["prefecture", "name"]
        verbose_name = _("consultation body")
        verbose_name_plural = _("consultation bodies")
        constraints = [
            models.CheckConstraint(
                name="body_region_level_has_region",
                condition=~Q(level="region") | Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="body_municipality_level_has_name",
                condition=~Q(level="municipality") | ~Q(municipality=""),
            ),
            models.CheckConstraint(
                name="body_honorarium_has_payer",
                condition=Q(honorarium_per_meeting__isnull=True)
                | Q(honorarium_per_meeting__gt=0, honorarium_payer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.region_id and self.prefecture_id and self.region.prefecture_id != self.prefecture_id:
            raise ValidationError({"region": _("The region must lie in the body's prefecture.")})
        if self.level == self.Level.REGION and not self.region_id:
            raise ValidationError({"region": _("Choose the region of a region-level body.")})
        if self.level == self.Level.MUNICIPALITY and not self.municipality:
            raise ValidationError({"municipality": _("Name the municipality.")})
        if self.honorarium_per_meeting is not None:
            if self.honorarium_per_meeting <= 0:
                raise ValidationError({"honorarium_per_meeting": _("Give an amount of at least 1 yen.")})
            if not self.honorarium_payer_id:
                raise ValidationError({"honorarium_payer": _("Choose the organisation that pays the honoraria.")})


class BodyMember(models.Model):
    """A person sitting on a body, by sector. A coordinator of the body runs its meetings."""

    body = models.ForeignKey(
        ConsultationBody, on_delete=models.CASCADE, related_name="members", verbose_name=pgettext_lazy("consultation body", "body")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="body_memberships",
        verbose_name=_("person"),
    )
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    affiliation = models.CharField(_("affiliation"), max_length=200, blank=True)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        ordering = ["body", "sector", "id"]
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="body_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_sector_display()})"
