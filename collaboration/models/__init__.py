"""Regional consultation meetings (協議の場): bodies, meetings, the live room, minutes, follow-up;
and the activity and collaboration log, whose models live in `collaboration.activity.models`.

One module per section; every model is imported here so that Django registers it, and every
name callers (and migrations) import from `collaboration.models` stays importable here.
"""

from .bodies import BodyMember, ConsultationBody, Sector, VoteMajority, VoteQuorum
from .meetings import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Material,
    Meeting,
    MeetingInvitation,
    Reply,
    _feed_token,
    _material_path,
)
from .proposals import Proposal, Vote
from .records import ActionItem, Decision, Minutes
from .room import Message, ModerationLog, SpeakerQueueEntry

# The activity and collaboration log (issue 5) lives in its own module; registered after the
# meeting models, as before.
# isort: split
from ..activity.models import (
    ActivityColleague,
    ActivityEntry,
    ActivityRoleRollup,
    ActivityRollup,
    ActivityStatusChange,
    ActivityVerifier,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
    OrganisationWaitingRollup,
    SupervisionSession,
    VerificationDigest,
    VolunteerSession,
    VolunteerThanks,
)

__all__ = [
    "ActionItem",
    "ActivityColleague",
    "ActivityEntry",
    "ActivityRoleRollup",
    "ActivityRollup",
    "ActivityStatusChange",
    "ActivityVerifier",
    "AgendaItem",
    "Attendance",
    "BodyMember",
    "CalendarFeed",
    "ConsultationBody",
    "Decision",
    "Material",
    "Meeting",
    "MeetingInvitation",
    "Message",
    "Minutes",
    "ModerationLog",
    "OrganisationActivityRollup",
    "OrganisationRoleRollup",
    "OrganisationWaitingRollup",
    "Proposal",
    "Reply",
    "Sector",
    "SpeakerQueueEntry",
    "SupervisionSession",
    "VerificationDigest",
    "VolunteerSession",
    "VolunteerThanks",
    "Vote",
    "VoteMajority",
    "VoteQuorum",
    "_feed_token",
    "_material_path",
]
