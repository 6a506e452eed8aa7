"""Proposals on the meeting's page, without the script (issue 18): the chair puts a proposal,
opens and closes its vote or records consensus; members vote. The same services as the room's
socket and the API."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peers.views import staff_required

from .. import services
from ..forms import ProposalForm
from ..models import Proposal, Vote
from ..selectors import (
    body_list_coordinated_by,
    body_member_list,
    meeting_access_for,
    proposal_list_for,
    vote_list,
    voting_member_for,
)


def _back(request: HttpRequest, pk: int, anchor: str) -> HttpResponse:
    """Back to the page the form was on: the room, or the meeting's page."""
    name = "collaboration:meeting_room" if request.POST.get("next") == "room" else "collaboration:meeting_detail"
    return redirect(reverse(name, args=[pk]) + f"#{anchor}")


def proposal_context(access, user) -> dict:
    """What the meeting's page and the room show of the proposals (templates run no queries)."""
    proposals = list(proposal_list_for(access, user))
    for proposal in proposals:
        # An open ballot's choices, by member, once decided (a secret one has none to show).
        decided = proposal.status == Proposal.Status.DECIDED and proposal.method == Proposal.Method.VOTE
        proposal.vote_rows = list(vote_list(proposal)) if decided and not proposal.secret else []
    return {
        "proposals": proposals,
        "members_count": body_member_list(access.meeting.body).count(),
        "can_vote": voting_member_for(access, user) is not None,
        "proposal_form": ProposalForm(meeting=access.meeting) if access.can_coordinate else None,
        "vote_choices": Vote.Choice.choices,
    }


@login_required
@require_POST
def proposal_add(request: HttpRequest, pk: int) -> HttpResponse:
    access = meeting_access_for(request.user, pk)
    if access is None:
        raise Http404
    form = ProposalForm(request.POST, meeting=access.meeting)
    if not form.is_valid():
        messages.error(request, _("The proposal could not be saved. Choose an agenda item, write the proposal and "
                                  "say how the body decides."))
        return _back(request, pk, "proposals")
    try:
        proposal, _result = services.proposal_create(
            access=access, user=request.user, agenda_item_id=form.cleaned_data["agenda_item"].pk,
            text=form.cleaned_data["text"], method=form.cleaned_data["method"])
    except services.ProposalError as error:
        messages.error(request, error.message)
        return _back(request, pk, "proposals")
    messages.success(request, _("The proposal is on the agenda item. The chair opens the vote, or records consensus, when the body takes it up."))
    return _back(request, pk, f"proposal-{proposal.pk}")


def _vote(request, access, proposal_id):
    return services.proposal_vote(access=access, user=request.user, proposal_id=proposal_id,
                                  choice=request.POST.get("choice", ""))


ACTIONS = {
    "vote": _vote,
    "open": lambda request, access, pid: services.proposal_voting_open(
        access=access, user=request.user, proposal_id=pid),
    "close": lambda request, access, pid: services.proposal_voting_close(
        access=access, user=request.user, proposal_id=pid),
    "consensus": lambda request, access, pid: services.proposal_consensus(
        access=access, user=request.user, proposal_id=pid, reached=True),
    "no-consensus": lambda request, access, pid: services.proposal_consensus(
        access=access, user=request.user, proposal_id=pid, reached=False),
    "withdraw": lambda request, access, pid: services.proposal_withdraw(
        access=access, user=request.user, proposal_id=pid),
}


def _say_done(request, action: str) -> None:
    """What changed and what happens next, per action (one literal each, so the catalogue and
    tests/test_success_messages.py see them)."""
    if action == "vote":
        messages.success(request, _("Your vote is counted. The outcome is shown when the chair closes the vote."))
    elif action == "open":
        messages.success(request, _("Voting is open. Members can vote now."))
    elif action == "close":
        messages.success(request, _("Voting is closed. The outcome is in the decisions and the minutes."))
    elif action == "consensus":
        messages.success(request, _("Consensus recorded. It is in the decisions and the minutes."))
    elif action == "no-consensus":
        messages.success(request, _("Recorded that there was no consensus. It is in the decisions and the minutes."))
    else:
        messages.success(request, _("The proposal is withdrawn. It stays in the meeting's record."))


@login_required
@require_POST
def proposal_action(request: HttpRequest, pk: int, proposal_pk: int, action: str) -> HttpResponse:
    access = meeting_access_for(request.user, pk)
    handler = ACTIONS.get(action)
    if access is None or handler is None:
        raise Http404
    try:
        handler(request, access, proposal_pk)
    except services.ProposalError as error:
        messages.error(request, error.message)
    else:
        _say_done(request, action)
    return _back(request, pk, f"proposal-{proposal_pk}")


@staff_required
@require_POST
def body_voting_rule(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator sets the body's rules for votes: open or secret ballot, the majority a
    proposal needs and the quorum (staff body page)."""
    body = get_object_or_404(body_list_coordinated_by(request.user), pk=pk)
    try:
        services.body_voting_rule_set(
            user=request.user, body=body, secret_ballot=request.POST.get("secret_ballot") == "on",
            majority=request.POST.get("vote_majority") or None, quorum=request.POST.get("vote_quorum") or None,
        )
    except services.ProposalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The body's voting rule is saved. Proposals made from now on follow it."))
    return redirect(reverse("collaboration:staff_body", args=[pk]) + "#voting-heading")
