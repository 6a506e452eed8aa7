"""Moderation in the live room needs two-step sign-in passed in the session the socket comes
from: a coordinator without it joins (when invited) as an ordinary member and cannot moderate."""

import pytest
from asgiref.sync import sync_to_async

from collaboration.models import MeetingInvitation, Message, ModerationLog, Sector

from .conftest import receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def _invite(meeting, user):
    await sync_to_async(MeetingInvitation.objects.create)(
        meeting=meeting, user=user, sector=Sector.ADMINISTRATION, invited_by=user
    )


async def test_coordinator_without_two_step_joins_as_a_member_and_cannot_moderate(connect, meeting, peer, coordinator):
    await _invite(meeting, coordinator)
    alice = await connect(peer, meeting.pk)
    boss = await connect(coordinator, meeting.pk, two_step=False)
    await receive_until(boss, "history")  # joined, as an invitee
    await alice.send_json_to({"type": "message", "body": "個人情報を含む発言"})
    await receive_until(alice, "saved")
    await boss.send_json_to({"type": "hide", "seq": 1, "reason": "個人が特定できるため"})
    assert (await receive_until(boss, "error"))["code"] == "forbidden"
    message = await sync_to_async(Message.objects.get)(meeting=meeting, seq=1)
    assert message.hidden_at is None
    assert not await sync_to_async(ModerationLog.objects.filter(meeting=meeting).exists)()


async def test_coordinator_with_two_step_moderates(connect, meeting, peer, coordinator):
    await _invite(meeting, coordinator)
    alice = await connect(peer, meeting.pk)
    boss = await connect(coordinator, meeting.pk, two_step=True)
    await receive_until(boss, "history")
    await alice.send_json_to({"type": "message", "body": "個人情報を含む発言"})
    await receive_until(alice, "saved")
    await boss.send_json_to({"type": "hide", "seq": 1, "reason": "個人が特定できるため"})
    assert (await receive_until(boss, "saved"))["seq"] == 1
    assert await sync_to_async(ModerationLog.objects.filter(meeting=meeting, action="hide").exists)()


async def test_uninvited_coordinator_without_two_step_cannot_enter(connect, meeting, coordinator):
    room = await connect(coordinator, meeting.pk, two_step=False, hello=None)
    output = await room.receive_output(timeout=5)
    while output["type"] != "websocket.close":
        output = await room.receive_output(timeout=5)
    assert output["code"] == 4403
