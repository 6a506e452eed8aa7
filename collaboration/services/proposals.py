"""Proposals on agenda items, and the body's decision on them (issue 18): by consensus, which the
chair records, or by a vote of the body's members (agree, disagree, abstain; open or secret as
the body's rules say). The outcome becomes a decision in the meeting's decisions list and a line
in its minutes, through the services that keep those (minutes.py).

The pages, the API and the room's socket call these functions; each change is broadcast to the
room once committed (a `proposal` frame, see collaboration.frames).
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peers.services import audit_record

from ..models import (
    AgendaItem,
    BodyMember,
    ConsultationBody,
    Minutes,
    Proposal,
    Vote,
    VoteMajority,
    VoteQuorum,
)
from ..realtime import BroadcastResult, broadcast_on_commit
from ..selectors import MeetingAccess, body_list_coordinated_by, proposal_payload, voting_member_for
from .minutes import decision_record, minutes_save
from .room import RoomError

_MAX_ID = 2**63 - 1


class ProposalError(RoomError):
    """A refused proposal action: a stable code and a translated explanation, like the room's
    (the socket sends it as an error frame, the API as a problem, the pages as a message)."""

    MESSAGES = {
        **RoomError.MESSAGES,
        "forbidden": _("Only the body's coordinators can do this."),
        "bad_proposal": _("That proposal is not part of this meeting."),
        "bad_agenda_item": _("That agenda item is not part of this meeting."),
        "empty": _("Write the proposal first."),
        "bad_method": _("A proposal is decided by consensus or by vote."),
        "not_open": _("That proposal has already been decided or withdrawn."),
        "not_by_vote": _("That proposal is decided by consensus, not by vote."),
        "not_by_consensus": _("That proposal is decided by vote; open the vote instead."),
        "voting_open": _("Voting on that proposal is open; close it first."),
        "voting_not_open": _("Voting on that proposal is not open."),
        "voting_done": _("Voting on that proposal has already taken place."),
        "not_a_member": _("Only members of the body can vote."),
        "already_voted": _("You have already voted on this proposal."),
        "bad_choice": _("Vote agree, disagree or abstain."),
        "bad_reached": _("Say whether the body reached consensus."),
        "bad_majority": _("Choose one of the majorities listed."),
        "bad_quorum": _("Choose one of the quorums listed."),
    }
    CONFLICTS = {"room_closed", "not_open", "not_by_vote", "not_by_consensus", "voting_open", "voting_not_open",
                 "voting_done", "already_voted"}

    @property
    def http_status(self) -> int:
        """How the API answers it: not allowed 403, at odds with the proposal's state 409."""
        if self.code in ("forbidden", "not_a_member"):
            return 403
        return 409 if self.code in self.CONFLICTS else 400


def _whole_number(value, code: str) -> int:
    """An id: a whole number (as JSON, the API and the page's address give it), nothing else; a
    string of digits, true or 1.5 from a frame is refused as any unknown id is."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_ID:
        raise ProposalError(code)
    return value


def proposal_of(access: MeetingAccess, proposal_id, *, lock: bool = False) -> Proposal:
    """The proposal with this id on this meeting's agenda (ProposalError `bad_proposal` for any
    other id, whichever meeting it belongs to)."""
    qs = Proposal.objects.select_related("agenda_item")
    if lock:
        qs = qs.select_for_update(of=("self",))
    proposal = qs.filter(pk=_whole_number(proposal_id, "bad_proposal"),
                         agenda_item__meeting_id=access.meeting.pk).first()
    if proposal is None:
        raise ProposalError("bad_proposal")
    return proposal


def _require_chair(access: MeetingAccess) -> None:
    if not access.can_coordinate:
        raise ProposalError("forbidden")


def _require_meeting_running(access: MeetingAccess) -> None:
    if access.meeting.is_closed:
        raise ProposalError("room_closed")


def _broadcast(proposal: Proposal) -> BroadcastResult:
    """The proposal's new state to the room, once committed (worked out after the commit, so the
    counts are the committed ones)."""
    meeting_id = proposal.agenda_item.meeting_id
    pk = proposal.pk

    def payload():
        return proposal_payload(Proposal.objects.select_related("agenda_item__meeting__body").get(pk=pk))

    return broadcast_on_commit(meeting_id, payload)


@transaction.atomic
def proposal_create(*, access: MeetingAccess, user, agenda_item_id, text: str, method: str) -> tuple[Proposal, BroadcastResult]:
    """The chair puts a proposal on an agenda item; it is open or secret as the body's rules say
    now, and stays so."""
    _require_chair(access)
    _require_meeting_running(access)
    item = AgendaItem.objects.filter(pk=_whole_number(agenda_item_id, "bad_agenda_item"),
                                     meeting_id=access.meeting.pk).first()
    if item is None:
        raise ProposalError("bad_agenda_item")
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ProposalError("empty")
    if len(text) > settings.KAKEHASHI_ROOM_MAX_MESSAGE_CHARS:
        raise ProposalError("too_long")
    if method not in Proposal.Method.values:
        raise ProposalError("bad_method")
    body = access.meeting.body
    proposal = Proposal(agenda_item=item, text=text, method=method, secret=body.secret_ballot,
                        majority=body.vote_majority, quorum=body.vote_quorum, created_by=user)
    proposal.full_clean()
    proposal.save()
    audit_record(actor=user, action="meeting.proposal", target=proposal, data={"method": method})
    return proposal, _broadcast(proposal)


@transaction.atomic
def proposal_voting_open(*, access: MeetingAccess, user, proposal_id) -> tuple[Proposal, BroadcastResult]:
    """The chair opens the vote: members may vote from now until the chair closes it."""
    _require_chair(access)
    _require_meeting_running(access)
    proposal = proposal_of(access, proposal_id, lock=True)
    if proposal.status != Proposal.Status.OPEN:
        raise ProposalError("not_open")
    if proposal.method != Proposal.Method.VOTE:
        raise ProposalError("not_by_vote")
    if proposal.voting_opened_at is not None:
        raise ProposalError("voting_open" if proposal.voting_open else "voting_done")
    proposal.voting_opened_at = timezone.now()
    proposal.save(update_fields=["voting_opened_at"])
    audit_record(actor=user, action="meeting.proposal_voting_open", target=proposal)
    return proposal, _broadcast(proposal)


@transaction.atomic
def proposal_vote(*, access: MeetingAccess, user, proposal_id, choice) -> tuple[Proposal, BroadcastResult]:
    """A member of the body votes, once. An open ballot keeps the choice with the member; a
    secret one adds it to the counts only, and keeps just that the member voted."""
    member = voting_member_for(access, user)
    if member is None:
        raise ProposalError("not_a_member")
    if choice not in Vote.Choice.values:
        raise ProposalError("bad_choice")
    # The proposal's row is locked first (as closing the vote does), so a vote and the close
    # cannot cross: a vote is counted in the outcome or refused.
    proposal = proposal_of(access, proposal_id, lock=True)
    if proposal.status != Proposal.Status.OPEN or not proposal.voting_open:
        raise ProposalError("voting_not_open")
    try:
        with transaction.atomic():
            Vote.objects.create(proposal=proposal, member=member, choice="" if proposal.secret else choice)
    except IntegrityError:
        raise ProposalError("already_voted") from None
    counter = f"{choice}_count"
    Proposal.objects.filter(pk=proposal.pk).update(**{counter: F(counter) + 1})
    # The audit says who voted, never what in a secret ballot.
    audit_record(actor=user, action="meeting.proposal_vote", target=proposal,
                 data={} if proposal.secret else {"choice": choice})
    proposal.refresh_from_db()
    return proposal, _broadcast(proposal)


def _record_line(proposal: Proposal) -> str:
    """The outcome as the decisions list and the minutes keep it, in the site's first language
    (the body's record does not depend on who pressed the button)."""
    with translation.override(settings.LANGUAGE_CODE):
        if proposal.method == Proposal.Method.CONSENSUS:
            if proposal.outcome == Proposal.Outcome.ADOPTED:
                how = gettext("adopted by consensus")
            else:
                how = gettext("no consensus; not adopted")
        else:
            counts = {"agree": proposal.agree_count, "disagree": proposal.disagree_count,
                      "abstain": proposal.abstain_count}
            if proposal.outcome == Proposal.Outcome.ADOPTED:
                how = gettext("adopted by vote (agree %(agree)s, disagree %(disagree)s, abstain %(abstain)s)") % counts
            elif proposal.outcome == Proposal.Outcome.NO_QUORUM:
                how = gettext("not decided: %(cast)s of %(members)s members took part, fewer than the quorum") % {
                    "cast": proposal.votes_cast, "members": proposal.members_at_close}
            else:
                how = gettext("not adopted by vote (agree %(agree)s, disagree %(disagree)s, abstain %(abstain)s)") % counts
            if proposal.secret:
                how += gettext(", secret ballot")
            how += gettext("; rule: %(majority)s") % {"majority": proposal.get_majority_display()}
            if proposal.quorum != VoteQuorum.NONE:
                how += gettext("; quorum: %(quorum)s") % {"quorum": proposal.get_quorum_display()}
        return gettext("%(proposal)s: %(outcome)s") % {"proposal": proposal.text, "outcome": how}


def _minutes_add(access: MeetingAccess, user, proposal: Proposal, line: str) -> None:
    """The decision's line in the minutes: a new draft is made from the agenda (which lists the
    item's decisions already); an existing one gets the line under its agenda item's heading, or
    at the end when the heading is not found."""
    minutes = Minutes.objects.filter(meeting=access.meeting).first()
    if minutes is None:
        minutes_save(access=access, user=user)
        return
    with translation.override(settings.LANGUAGE_CODE):
        entry = f"  - {gettext('Decision')}: {line}"
    lines = minutes.text.rstrip("\n").split("\n")
    heading = f"{proposal.agenda_item.order}. {proposal.agenda_item.title}"
    at = len(lines)
    if heading in lines:
        at = lines.index(heading) + 1
        while at < len(lines) and lines[at].strip():
            at += 1
    lines.insert(at, entry)
    minutes_save(access=access, user=user, text="\n".join(lines) + "\n")


def _decide(access: MeetingAccess, user, proposal: Proposal, outcome: str) -> None:
    proposal.status = Proposal.Status.DECIDED
    proposal.outcome = outcome
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    line = _record_line(proposal)
    proposal.decision = decision_record(access=access, user=user, text=line, agenda_item=proposal.agenda_item)
    proposal.save(update_fields=["status", "outcome", "decided_at", "decision", "voting_closed_at",
                                 "members_at_close"])
    _minutes_add(access, user, proposal, line)
    audit_record(actor=user, action="meeting.proposal_decide", target=proposal, data={
        "outcome": outcome, "agree": proposal.agree_count, "disagree": proposal.disagree_count,
        "abstain": proposal.abstain_count})


@transaction.atomic
def proposal_voting_close(*, access: MeetingAccess, user, proposal_id) -> tuple[Proposal, BroadcastResult]:
    """The chair closes the vote. The outcome follows the rules the proposal was made under (the
    body's data: the majority it needs and its quorum, measured against the members the body
    has now); either way the outcome, with its counts and the rule, becomes a decision and a
    line in the minutes."""
    _require_chair(access)
    proposal = proposal_of(access, proposal_id, lock=True)
    if proposal.status != Proposal.Status.OPEN:
        raise ProposalError("not_open")
    if not proposal.voting_open:
        raise ProposalError("voting_not_open")
    proposal.voting_closed_at = timezone.now()
    proposal.members_at_close = BodyMember.objects.filter(body_id=access.meeting.body_id).count()
    _decide(access, user, proposal, proposal.vote_outcome(proposal.members_at_close))
    return proposal, _broadcast(proposal)


@transaction.atomic
def proposal_consensus(*, access: MeetingAccess, user, proposal_id, reached: bool) -> tuple[Proposal, BroadcastResult]:
    """The chair records whether the body reached consensus on the proposal."""
    _require_chair(access)
    if not isinstance(reached, bool):
        raise ProposalError("bad_reached")
    proposal = proposal_of(access, proposal_id, lock=True)
    if proposal.status != Proposal.Status.OPEN:
        raise ProposalError("not_open")
    if proposal.method != Proposal.Method.CONSENSUS:
        raise ProposalError("not_by_consensus")
    _decide(access, user, proposal, Proposal.Outcome.ADOPTED if reached else Proposal.Outcome.REJECTED)
    return proposal, _broadcast(proposal)


@transaction.atomic
def proposal_withdraw(*, access: MeetingAccess, user, proposal_id) -> tuple[Proposal, BroadcastResult]:
    """The chair withdraws a proposal not yet decided (not while its vote is open)."""
    _require_chair(access)
    proposal = proposal_of(access, proposal_id, lock=True)
    if proposal.status != Proposal.Status.OPEN:
        raise ProposalError("not_open")
    if proposal.voting_open:
        raise ProposalError("voting_open")
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    audit_record(actor=user, action="meeting.proposal_withdraw", target=proposal)
    return proposal, _broadcast(proposal)


@transaction.atomic
def body_voting_rule_set(*, user, body: ConsultationBody, secret_ballot: bool, majority: str | None = None,
                         quorum: str | None = None) -> ConsultationBody:
    """The body's rules for its votes: open or secret ballot, the majority a proposal needs and
    the quorum (None keeps what is set). Proposals already made keep the rules they were made
    under; new ones follow these. Only the body's coordinators change them."""
    if not body_list_coordinated_by(user).filter(pk=body.pk).exists():
        raise ProposalError("forbidden")
    if majority is not None and majority not in VoteMajority.values:
        raise ProposalError("bad_majority")
    if quorum is not None and quorum not in VoteQuorum.values:
        raise ProposalError("bad_quorum")
    values = {"secret_ballot": bool(secret_ballot)}
    if majority is not None:
        values["vote_majority"] = majority
    if quorum is not None:
        values["vote_quorum"] = quorum
    changed = [name for name, value in values.items() if getattr(body, name) != value]
    if changed:
        for name in changed:
            setattr(body, name, values[name])
        body.save(update_fields=changed)
        audit_record(actor=user, action="body.voting_rule", target=body,
                     data={name: getattr(body, name) for name in changed})
    return body
