from django.urls import path

from . import views as api

urlpatterns = [
    path("bodies/", api.BodyList.as_view(), name="api_bodies"),
    path("bodies/<int:pk>/", api.BodyDetail.as_view(), name="api_body"),
    path("meetings/", api.MeetingList.as_view(), name="api_meetings"),
    path("meetings/<int:pk>/", api.MeetingDetail.as_view(), name="api_meeting"),
    path("meetings/<int:pk>/agenda/", api.Agenda.as_view(), name="api_agenda"),
    path("meetings/<int:pk>/agenda/carry-over/", api.CarryOver.as_view(), name="api_agenda_carry_over"),
    path("meetings/<int:pk>/invitations/", api.Invitations.as_view(), name="api_invitations"),
    path("meetings/<int:pk>/reply/", api.ReplyView.as_view(), name="api_reply"),
    path("meetings/<int:pk>/attendance/", api.AttendanceView.as_view(), name="api_attendance"),
    path("meetings/<int:pk>/minutes/", api.MinutesView.as_view(), name="api_minutes"),
    path("meetings/<int:pk>/decisions/", api.Decisions.as_view(), name="api_decisions"),
    path("meetings/<int:pk>/action-items/", api.ActionItems.as_view(), name="api_action_items"),
    path("meetings/<int:pk>/messages/", api.Messages.as_view(), name="api_messages"),
    path("action-items/<int:pk>/", api.ActionItemDetail.as_view(), name="api_action_item"),
]

# Issue 14: meeting materials (one module per resource).
from .materials import MaterialDetailAPI, MaterialListAPI  # noqa: E402
from .members import BodyMemberListAPI  # noqa: E402

urlpatterns += [
    path("bodies/<int:pk>/members/", BodyMemberListAPI.as_view(), name="api_body_members"),
    path("meetings/<int:pk>/materials/", MaterialListAPI.as_view(), name="api_materials"),
    path("meetings/<int:pk>/materials/<int:material_pk>/", MaterialDetailAPI.as_view(), name="api_material"),
]

# Issue 18: who is heard in a meeting.
from .participation import ParticipationAPI  # noqa: E402

urlpatterns += [
    path("meetings/<int:pk>/participation/", ParticipationAPI.as_view(), name="api_meeting_participation"),
]

# Issue 18: the honorarium per meeting for a body's peer members.
from .honoraria import BodyHonorariumAPI  # noqa: E402

urlpatterns += [
    path("bodies/<int:pk>/honorarium/", BodyHonorariumAPI.as_view(), name="api_body_honorarium"),
]

# Issue 18: proposals and votes.
from .proposals import (  # noqa: E402
    ProposalConsensusAPI,
    ProposalDetailAPI,
    ProposalListAPI,
    ProposalVotingAPI,
    ProposalWithdrawAPI,
    VoteListAPI,
)

urlpatterns += [
    path("meetings/<int:pk>/proposals/", ProposalListAPI.as_view(), name="api_proposals"),
    path("proposals/<int:pk>/", ProposalDetailAPI.as_view(), name="api_proposal"),
    path("proposals/<int:pk>/voting/", ProposalVotingAPI.as_view(), name="api_proposal_voting"),
    path("proposals/<int:pk>/consensus/", ProposalConsensusAPI.as_view(), name="api_proposal_consensus"),
    path("proposals/<int:pk>/withdraw/", ProposalWithdrawAPI.as_view(), name="api_proposal_withdraw"),
    path("proposals/<int:pk>/votes/", VoteListAPI.as_view(), name="api_proposal_votes"),
]
