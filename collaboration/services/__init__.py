"""Every change of state about consultation bodies and meetings goes through here."""

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
    minutes_publish,
    minutes_save,
    remove_personal_data,
)
from .room import (  # noqa: F401
    RoomError,
    hand_lower,
    hand_raise,
    meeting_set_status,
    message_delete,
    message_edit,
    message_hide,
    message_post,
    message_unhide,
    presence_join,
    presence_leave,
    queue_payload,
    speaker_call,
    speaker_done,
)
