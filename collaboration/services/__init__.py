"""Every change of state about consultation bodies and meetings goes through here."""

from .honoraria import body_honorarium_set, honorarium_for_attendance  # noqa: F401
from .meetings import (  # noqa: F401
    agenda_item_add,
    attendance_record,
    body_create,
    body_member_add,
    calendar_feed_for,
    calendar_feed_reset,
    material_add,
    material_publish,
    meeting_create,
    meeting_invite,
    meeting_invite_members,
    reminders_send,
    reply_save,
)
from .minutes import (  # noqa: F401
    action_item_create,
    action_item_set_status,
    action_items_carry_over,
    carry_over_open_action_items,
    decision_record,
    minutes_approve,
    minutes_public_draft_prepare,
    minutes_public_draft_save,
    minutes_publish,
    minutes_save,
    public_draft_digest,
    text_digest,
)
from .room import (  # noqa: F401
    RoomError,
    attendance_check_in,
    check_in_code_issue,
    hand_lower,
    hand_raise,
    meeting_room_settings,
    meeting_set_status,
    message_delete,
    message_edit,
    message_hide,
    message_post,
    message_unhide,
    participation_changed,
    queue_payload,
    speaker_call,
    speaker_done,
)

# Proposals and votes (issue 18).
# isort: split
from .proposals import (  # noqa: E402, F401
    ProposalError,
    body_voting_rule_set,
    proposal_consensus,
    proposal_create,
    proposal_vote,
    proposal_voting_close,
    proposal_voting_open,
    proposal_withdraw,
)
