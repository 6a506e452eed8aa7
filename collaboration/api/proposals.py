"""Proposals and votes (issue 18), with the same access and the same services as the meeting's
page and the room's socket:

    GET/POST /api/v1/meetings/{id}/proposals/    list (everyone who may see the meeting) / put one (its chair)
    GET      /api/v1/proposals/{id}/              one proposal, as the room's `proposal` frame
    POST     /api/v1/proposals/{id}/voting/       {"action": "open" | "close"} (chair)
    POST     /api/v1/proposals/{id}/consensus/    {"reached": true | false} (chair)
    POST     /api/v1/proposals/{id}/withdraw/     (chair)
    GET/POST /api/v1/proposals/{id}/votes/        who voted (the choice is empty in a secret ballot,
                                                  and in an open one until decided) / vote {"choice"}
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from peers.api.base import KakehashiAPIView, list_endpoint, validated

from .. import services
from ..models import Proposal, Vote, VoteMajority, VoteQuorum
from ..selectors import meeting_access_for, proposal_list_for, proposal_payload, vote_list
from .views import MeetingAPIView


class CountsSerializer(serializers.Serializer):
    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    abstain = serializers.IntegerField()


class OpenVoteSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="The member's user id.")
    name = serializers.CharField()
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)


class ProposalSerializer(serializers.Serializer):
    """The room's `proposal` frame (collaboration.frames), and whether the reader has voted."""

    type = serializers.ChoiceField(choices=["proposal"])
    id = serializers.IntegerField()
    agenda_item = serializers.IntegerField()
    agenda_title = serializers.CharField()
    text = serializers.CharField()
    method = serializers.ChoiceField(choices=Proposal.Method.choices)
    secret = serializers.BooleanField(help_text="A secret ballot: totals only, never who chose what.")
    status = serializers.ChoiceField(choices=Proposal.Status.choices)
    voting = serializers.BooleanField(help_text="Voting is open now.")
    voted = serializers.IntegerField(help_text="How many members have voted.")
    members = serializers.IntegerField(help_text="How many members the body has.")
    majority = serializers.ChoiceField(choices=VoteMajority.choices,
                                       help_text="The majority a vote needs (the body's rule when it was made).")
    quorum = serializers.ChoiceField(choices=VoteQuorum.choices,
                                     help_text="How many members must take part, abstentions included.")
    outcome = serializers.ChoiceField(choices=Proposal.Outcome.choices, allow_null=True)
    counts = CountsSerializer(allow_null=True, help_text="null until the vote is closed.")
    votes = OpenVoteSerializer(many=True, allow_null=True, help_text="An open ballot's choices, once decided.")
    decision = serializers.IntegerField(allow_null=True, help_text="The decision it became.")
    has_voted = serializers.BooleanField(required=False)


class ProposalInSerializer(serializers.Serializer):
    agenda_item = serializers.IntegerField(min_value=1)
    text = serializers.CharField(max_length=4000)
    method = serializers.ChoiceField(choices=Proposal.Method.choices)


class VotingSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["open", "close"])


class ConsensusSerializer(serializers.Serializer):
    reached = serializers.BooleanField()


class VoteSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.user_id", help_text="The member's user id.")
    name = serializers.CharField(source="member.user.display_name")
    sector = serializers.CharField(source="member.sector")
    choice = serializers.CharField(allow_blank=True, help_text="Empty in a secret ballot.")
    cast_at = serializers.DateTimeField()


class VoteInSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)


def _payload(proposal, has_voted=None) -> dict:
    data = proposal_payload(proposal)
    if has_voted is not None:
        data["has_voted"] = has_voted
    return data


class ProposalAPIView(KakehashiAPIView):
    def proposal_access(self, request, pk):
        """The proposal's meeting as this person may enter it (404 for unknown and forbidden)."""
        meeting_id = Proposal.objects.filter(pk=pk).values_list("agenda_item__meeting_id", flat=True).first()
        access = meeting_access_for(request.user, meeting_id) if meeting_id else None
        if access is None:
            raise Http404
        return access

    def answer(self, request, access, pk, code=status.HTTP_200_OK):
        proposal = proposal_list_for(access, request.user).get(pk=pk)
        return Response(_payload(proposal, proposal.has_voted), status=code)


class ProposalListAPI(MeetingAPIView):
    serializer_class = ProposalInSerializer  # for the OpenAPI document
    resource_models = (Proposal,)  # for the API coverage test

    @list_endpoint(ProposalSerializer, operation_id="meeting_proposals_list")
    def get(self, request, pk):
        access = self.access(request, pk)
        items, next_url = self.page(proposal_list_for(access, request.user), ["id"])
        return Response({"results": [_payload(p, p.has_voted) for p in items], "next": next_url})

    @extend_schema(request=ProposalInSerializer, responses={201: ProposalSerializer})
    def post(self, request, pk):
        access = self.access(request, pk)
        data = validated(ProposalInSerializer, request.data)
        proposal, _result = services.proposal_create(
            access=access, user=request.user, agenda_item_id=data["agenda_item"], text=data["text"],
            method=data["method"])
        return Response(_payload(proposal_list_for(access, request.user).get(pk=proposal.pk), False),
                        status=status.HTTP_201_CREATED)


class ProposalDetailAPI(ProposalAPIView):
    serializer_class = ProposalSerializer

    def get(self, request, pk):
        return self.answer(request, self.proposal_access(request, pk), pk)


class ProposalVotingAPI(ProposalAPIView):
    serializer_class = VotingSerializer

    @extend_schema(request=VotingSerializer, responses=ProposalSerializer)
    def post(self, request, pk):
        access = self.proposal_access(request, pk)
        data = validated(VotingSerializer, request.data)
        change = services.proposal_voting_open if data["action"] == "open" else services.proposal_voting_close
        change(access=access, user=request.user, proposal_id=pk)
        return self.answer(request, access, pk)


class ProposalConsensusAPI(ProposalAPIView):
    serializer_class = ConsensusSerializer

    @extend_schema(request=ConsensusSerializer, responses=ProposalSerializer)
    def post(self, request, pk):
        access = self.proposal_access(request, pk)
        data = validated(ConsensusSerializer, request.data)
        services.proposal_consensus(access=access, user=request.user, proposal_id=pk, reached=data["reached"])
        return self.answer(request, access, pk)


class ProposalWithdrawAPI(ProposalAPIView):
    serializer_class = ProposalSerializer

    @extend_schema(request=None, responses=ProposalSerializer)
    def post(self, request, pk):
        access = self.proposal_access(request, pk)
        services.proposal_withdraw(access=access, user=request.user, proposal_id=pk)
        return self.answer(request, access, pk)


class VoteListAPI(ProposalAPIView):
    serializer_class = VoteInSerializer  # for the OpenAPI document
    resource_models = (Vote,)  # for the API coverage test

    @list_endpoint(VoteSerializer, operation_id="proposal_votes_list")
    def get(self, request, pk):
        access = self.proposal_access(request, pk)
        proposal = proposal_list_for(access, request.user).get(pk=pk)
        items, next_url = self.page(vote_list(proposal), ["id"])
        rows = VoteSerializer(items, many=True).data
        if proposal.status != Proposal.Status.DECIDED:
            for row in rows:  # an open ballot's choices show once decided, as in the room
                row["choice"] = ""
        return Response({"results": rows, "next": next_url})

    @extend_schema(request=VoteInSerializer, responses={201: ProposalSerializer})
    def post(self, request, pk):
        access = self.proposal_access(request, pk)
        data = validated(VoteInSerializer, request.data)
        services.proposal_vote(access=access, user=request.user, proposal_id=pk, choice=data["choice"])
        return self.answer(request, access, pk, code=status.HTTP_201_CREATED)
