"""The demo meetings show a thread in the live room and a proposal decided by vote (issue 18)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collaboration import demo
from collaboration.models import Message, Proposal, Vote
from peers import demo as peers_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_thread_and_a_decided_proposal_and_loads_twice_without_change(client):
    peers_demo.load()
    numbers = demo.load()
    counts = (Message.objects.count(), Proposal.objects.count(), Vote.objects.count())
    demo.load()
    assert (Message.objects.count(), Proposal.objects.count(), Vote.objects.count()) == counts
    live = numbers["live_meeting"]
    replies = Message.objects.filter(meeting_id=live, thread__isnull=False).order_by("seq")
    assert [(m.reply_to.seq, m.thread.seq) for m in replies] == [(2, 2), (3, 2)]
    assert Message.objects.filter(meeting_id=live).order_by("-seq").first().seq == replies.last().meeting.last_seq
    decided = Proposal.objects.get(status="decided")
    assert (decided.outcome, decided.agree_count, decided.disagree_count, decided.abstain_count) == ("adopted", 3, 0, 1)
    assert decided.votes.count() == 4 and decided.decision is not None
    # Both show on the pages the demo accounts open.
    client.force_login(Message.objects.filter(meeting_id=live, thread__isnull=False).first().author)
    room = client.get(reverse("collaboration:meeting_room", args=[live])).content.decode()
    assert 'class="room-replies-thread"' in room and "住まい探し" in room
    page = client.get(reverse("collaboration:meeting_detail", args=[decided.agenda_item.meeting_id])).content.decode()
    assert "採択" in page and "賛成 3、反対 0、棄権 1" in page
