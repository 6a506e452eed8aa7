"""Furigana in the live room, in a real Chromium: a person who reads with furigana sees ruby over
messages that arrive live, as over those the server rendered, and editing their own message
starts from the text as written (without the readings)."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from collaboration.models import Message
from collaboration.selectors import meeting_access_for
from collaboration.services import message_post

from .test_room_live_browser import WAIT, _signed_in_page, asgi_server  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_live_messages_carry_ruby_for_a_person_who_reads_with_furigana(browser, asgi_server, meeting, peer, doctor):
    peer.furigana = "on"
    peer.save(update_fields=["furigana"])
    message_post(access=meeting_access_for(peer, meeting.pk), author=peer, body="研修の日程")
    context, page = _signed_in_page(browser, asgi_server, peer)
    try:
        page.goto(f"{asgi_server.url}/meetings/{meeting.pk}/room/")
        expect(page.locator("#room-status")).to_contain_text("しています", timeout=WAIT)
        expect(page.locator("#m1 .room-body rt").first).to_have_text("けんしゅう")  # rendered by the server

        # Posted from another thread, as a server thread would (this one runs Playwright's loop,
        # where the broadcast's async_to_sync may not run).
        poster = threading.Thread(target=lambda: message_post(
            access=meeting_access_for(doctor, meeting.pk), author=doctor, body="<b>会議</b>は地域で"))
        poster.start()
        poster.join(timeout=20)
        live = page.locator("#m2 .room-body")
        expect(live.locator("ruby")).to_have_count(2, timeout=WAIT)  # 会議 and 地域; the <b> stays text
        expect(live.locator("rt").first).to_have_text("かいぎ")
        assert live.locator("b").count() == 0
        written = live.evaluate("n => { const c = n.cloneNode(true); c.querySelectorAll('rt, rp').forEach(r => r.remove()); return c.textContent; }")
        assert written == "<b>会議</b>は地域で"

        # Editing one's own message starts from the text without its readings.
        page.locator("#m1").get_by_role("button", name="編集").click()
        dialog = page.get_by_role("dialog")
        expect(dialog.locator("textarea, input[type=text]").first).to_have_value("研修の日程")
        assert Message.objects.get(meeting=meeting, seq=1).body == "研修の日程"
    finally:
        context.close()
