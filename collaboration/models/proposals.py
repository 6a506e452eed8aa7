"""Proposals an agenda item carries, and the members' votes on them (issue 18).

A proposal is decided by consensus (the chair records whether it was reached) or by vote: each
member of the body agrees, disagrees or abstains, once. The body's rules say whether its votes
are open or secret; a proposal keeps the rule it was made under.

Secret ballots: the vote row says only that the member has voted (its `choice` stays empty) and
the choice goes into the proposal's counts in the same transaction. Nothing stored links a
member to a choice (no ballot row, no time of a choice), so neither the chair nor anyone who
reads the database can learn how a member voted; and while voting is open, even the counts are
shown to nobody (each change would tell who just voted what), only how many have voted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .bodies import BodyMember, VoteMajority, VoteQuorum
from .meetings import AgendaItem
from .records import Decision


class Proposal(models.Model):
    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("By consensus")
        VOTE = "vote", _("By vote")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("proposal", "Open")
        DECIDED = "decided", _("Decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Outcome(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Not adopted")
        NO_QUORUM = "no_quorum", _("Not decided: too few members took part")

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("agenda item")
    )
    text = models.TextField(_("proposal"))
    method = models.CharField(_("how it is decided"), max_length=20, choices=Method.choices, default=Method.CONSENSUS)
    secret = models.BooleanField(
        _("secret ballot"), default=False,
        help_text=_("Copied from the body's rules when the proposal is made."),
    )
    majority = models.CharField(
        _("majority needed"), max_length=20, choices=VoteMajority.choices, default=VoteMajority.MORE_AGREE,
        help_text=_("Copied from the body's rules when the proposal is made."),
    )
    quorum = models.CharField(
        _("quorum"), max_length=20, choices=VoteQuorum.choices, default=VoteQuorum.NONE,
        help_text=_("Copied from the body's rules when the proposal is made."),
    )
    # How many members the body had when the vote closed (the quorum's measure).
    members_at_close = models.PositiveIntegerField(_("members when the vote closed"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    voting_opened_at = models.DateTimeField(_("voting opened at"), null=True, blank=True)
    voting_closed_at = models.DateTimeField(_("voting closed at"), null=True, blank=True)
    agree_count = models.PositiveIntegerField(_("agree"), default=0)
    disagree_count = models.PositiveIntegerField(_("disagree"), default=0)
    abstain_count = models.PositiveIntegerField(_("abstain"), default=0)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals",
        verbose_name=_("decision"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("proposed by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["agenda_item", "id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            # A decided proposal has an outcome; an open or withdrawn one has none.
            models.CheckConstraint(
                name="proposal_outcome_when_decided",
                condition=(Q(status="decided") & ~Q(outcome="")) | (~Q(status="decided") & Q(outcome="")),
            ),
            # Nobody votes on a proposal decided by consensus.
            models.CheckConstraint(
                name="proposal_consensus_has_no_votes",
                condition=Q(method="vote") | Q(
                    voting_opened_at__isnull=True, agree_count=0, disagree_count=0, abstain_count=0),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def voting_open(self) -> bool:
        return self.voting_opened_at is not None and self.voting_closed_at is None

    @property
    def votes_cast(self) -> int:
        return self.agree_count + self.disagree_count + self.abstain_count

    def quorum_met(self, members: int) -> bool:
        """Whether enough of the body's `members` took part (an abstention takes part)."""
        cast = self.votes_cast
        if self.quorum == VoteQuorum.HALF:
            return 2 * cast > members
        if self.quorum == VoteQuorum.TWO_THIRDS:
            return 3 * cast >= 2 * members
        return True

    def vote_outcome(self, members: int) -> str:
        """The outcome of the closed vote under the rules the proposal was made with."""
        if not self.quorum_met(members):
            return self.Outcome.NO_QUORUM
        agree, cast = self.agree_count, self.votes_cast
        if self.majority == VoteMajority.HALF_OF_VOTES:
            adopted = 2 * agree > cast
        elif self.majority == VoteMajority.TWO_THIRDS:
            adopted = agree > 0 and 3 * agree >= 2 * cast
        else:
            adopted = agree > self.disagree_count
        return self.Outcome.ADOPTED if adopted else self.Outcome.REJECTED


class Vote(models.Model):
    """That a member voted on a proposal, and (open ballots only) what they chose."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="votes", verbose_name=_("proposal"))
    member = models.ForeignKey(BodyMember, on_delete=models.CASCADE, related_name="votes", verbose_name=_("member"))
    # Empty for a secret ballot: the choice went only into the proposal's counts.
    choice = models.CharField(_("choice"), max_length=20, choices=Choice.choices, blank=True)
    cast_at = models.DateTimeField(_("voted at"), default=timezone.now)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="vote_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.proposal}"
