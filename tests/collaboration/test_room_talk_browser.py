"""Threads and a vote in the live room, in a real Chromium over a real websocket (issue 18): a
reply appears under its message on the other member's page, in a thread that opens from the
keyboard and fits a 320 px screen; the chair opens a vote, the members vote, the chair closes it
and everyone sees the outcome, live."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from collaboration.models import AgendaItem, BodyMember, Decision, Proposal

from .test_room_live_browser import WAIT, _signed_in_page, asgi_server  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reply_opens_a_thread_and_a_vote_runs_live(browser, asgi_server, meeting, peer, doctor):  # noqa: F811
    BodyMember.objects.filter(body=meeting.body, user=doctor).update(is_coordinator=True)
    item = AgendaItem.objects.create(meeting=meeting, order=1, title="ピアの参画")
    proposal = Proposal.objects.create(agenda_item=item, text="ピア委員を2名にする。", method=Proposal.Method.VOTE)
    room = f"{asgi_server.url}/en/meetings/{meeting.pk}/room/"
    (ctx_a, alice), (ctx_b, bob) = _signed_in_page(browser, asgi_server, peer), _signed_in_page(browser, asgi_server, doctor)
    try:
        for page in (alice, bob):
            page.goto(room)
            expect(page.locator("#room-status")).to_contain_text("Connected", timeout=WAIT)
        alice.get_by_label("Your message").fill("住まいの話をしたいです")
        alice.get_by_role("button", name="Send").click()
        first = bob.locator("#m1")
        expect(first).to_contain_text("住まいの話をしたいです", timeout=WAIT)
        first.locator(":scope > .room-actions").get_by_role("button", name="Reply").click()
        expect(bob.locator("#replying")).to_contain_text("Replying to ピア 陽子")
        bob.get_by_label("Your message").fill("ぜひ聞かせてください")
        bob.get_by_role("button", name="Send").click()
        # On the other page the reply is under its message, in a closed thread with its count.
        thread = alice.locator("#m1 > .room-replies-thread")
        expect(thread.locator("summary")).to_have_text("1 reply", timeout=WAIT)
        expect(thread.locator("#m2")).to_be_hidden()
        thread.locator("summary").focus()
        alice.keyboard.press("Enter")
        expect(thread.locator("#m2")).to_contain_text("ぜひ聞かせてください")
        # The sender's own reply opens its thread; a reply to the reply joins the same thread.
        expect(bob.locator("#m1 > .room-replies-thread #m2")).to_be_visible(timeout=WAIT)
        thread.locator("#m2").get_by_role("button", name="Reply").click()
        alice.get_by_label("Your message").fill("ありがとうございます")
        alice.get_by_role("button", name="Send").click()
        expect(bob.locator("#m1 > .room-replies-thread summary")).to_have_text("2 replies", timeout=WAIT)
        expect(bob.locator("#m1 .room-replies > li")).to_have_count(2)
        # A phone 320 px wide: nothing sticks out sideways.
        alice.set_viewport_size({"width": 320, "height": 700})
        assert alice.evaluate("document.documentElement.scrollWidth") <= 320

        # The chair opens the vote; the members' pages show the ballot without a reload.
        card_b, card_a = bob.locator(f"#proposal-{proposal.pk}"), alice.locator(f"#proposal-{proposal.pk}")
        card_b.get_by_role("button", name="Open the vote").click()
        expect(card_a.get_by_role("group", name="Your vote")).to_be_visible(timeout=WAIT)
        expect(alice.locator("#room-status")).to_contain_text("Voting is open on", timeout=WAIT)
        card_a.get_by_label("Agree", exact=True).check()
        card_a.get_by_role("button", name="Vote", exact=True).click()
        expect(card_a).to_contain_text("You have voted.", timeout=WAIT)
        expect(card_b).to_contain_text("1 of 2 members have voted", timeout=WAIT)
        card_b.get_by_label("Disagree", exact=True).check()
        card_b.get_by_role("button", name="Vote", exact=True).click()
        expect(card_b).to_contain_text("You have voted.", timeout=WAIT)
        card_b.get_by_role("button", name="Close the vote and record the outcome").click()
        for card in (card_a, card_b):
            expect(card).to_contain_text("Not adopted: agree 1, disagree 1, abstain 0", timeout=WAIT)
        proposal.refresh_from_db()
        assert proposal.outcome == "rejected" and Decision.objects.filter(meeting=meeting).count() == 1
        assert alice.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        ctx_a.close()
        ctx_b.close()
