"""Reads about proposals and votes (issue 18): who may vote, what the room and the pages show.

What a secret ballot shows: how many members have voted while voting is open, then the totals;
never who chose what (the database does not know it; see collaboration.models.proposals). An open
ballot shows each member's choice once the proposal is decided.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet

from .models import BodyMember, Meeting, Proposal, Vote


def voting_member_for(access, user) -> BodyMember | None:
    """This person's seat on the meeting's body, if they have one: only members of the body vote
    (guests invited to the meeting and coordinators by role alone do not)."""
    if user is None or not getattr(user, "pk", None):
        return None
    return BodyMember.objects.filter(body_id=access.meeting.body_id, user_id=user.pk).first()


def proposal_list(meeting: Meeting) -> QuerySet[Proposal]:
    """The meeting's proposals in agenda order, each with `voted` (how many members voted)."""
    return (
        Proposal.objects.filter(agenda_item__meeting_id=meeting.pk)
        .select_related("agenda_item__meeting", "decision")
        .annotate(voted=Count("votes"))
        .order_by("agenda_item__order", "agenda_item_id", "id")
    )


def proposal_list_for(access, user) -> QuerySet[Proposal]:
    """The meeting's proposals as this person sees them: with `has_voted` (whether they voted)."""
    member = voting_member_for(access, user)
    return proposal_list(access.meeting).annotate(
        has_voted=Exists(Vote.objects.filter(proposal=OuterRef("pk"), member_id=getattr(member, "pk", None)))
    )


def vote_list(proposal: Proposal) -> QuerySet[Vote]:
    """Who voted on a proposal, by name and sector; the choice is empty in a secret ballot."""
    return proposal.votes.select_related("member__user").order_by("member__sector", "member__user__display_name", "id")


def proposal_counts(proposal: Proposal) -> dict | None:
    """The totals, once they may be shown: after the vote is closed (before that, every change
    of a total would say what the member who just voted chose)."""
    if proposal.method != Proposal.Method.VOTE or proposal.status != Proposal.Status.DECIDED:
        return None
    return {"agree": proposal.agree_count, "disagree": proposal.disagree_count, "abstain": proposal.abstain_count}


def proposal_payload(proposal: Proposal) -> dict:
    """A proposal as the room's `proposal` frame and the API show it (collaboration.frames)."""
    counts = proposal_counts(proposal)
    votes = None
    if counts is not None and not proposal.secret:
        votes = [{"member": v.member.user_id, "name": str(v.member.user), "choice": v.choice} for v in vote_list(proposal)]
    voted = getattr(proposal, "voted", None)
    return {
        "type": "proposal",
        "id": proposal.pk,
        "agenda_item": proposal.agenda_item_id,
        "agenda_title": f"{proposal.agenda_item.order}. {proposal.agenda_item.title}",
        "text": proposal.text,
        "method": proposal.method,
        "secret": proposal.secret,
        "status": proposal.status,
        "voting": proposal.voting_open,
        "voted": voted if voted is not None else proposal.votes.count(),
        "members": BodyMember.objects.filter(body_id=proposal.agenda_item.meeting.body_id).count(),
        "majority": proposal.majority,
        "quorum": proposal.quorum,
        "outcome": proposal.outcome or None,
        "counts": counts,
        "votes": votes,
        "decision": proposal.decision_id,
    }
