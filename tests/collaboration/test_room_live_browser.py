"""The live room in a real Chromium over a real websocket.

Django's live server speaks no websocket, so the project's own ASGI application
(config.asgi:application: pages, static files and the rooms) runs here under uvicorn, in a
thread of the test process on a free port, against the test database and the configured
channel layer (in-memory when embedded, Redis in CI). In a thread rather than a subprocess so
that it also works with the embedded in-memory SQLite test database, which another process
cannot open; with PostgreSQL each server thread has its own connection as in production. The
server is stopped and started again on the same port to prove that the page notices, says so,
reconnects by itself and catches up by sequence number.
"""

from __future__ import annotations

import threading
import time
import types
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test import Client
from playwright.sync_api import expect

from collaboration.models import BodyMember, Message
from collaboration.selectors import meeting_access_for
from collaboration.services import message_post
from tests.processes import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WAIT = 15_000  # ms: generous for a loaded CI machine; every wait ends as soon as it is met


class AsgiServer:
    """uvicorn serving config.asgi:application in a background thread; stop() and start() again
    on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        import uvicorn

        from config.asgi import application

        config = uvicorn.Config(
            application, host="127.0.0.1", port=self.port, ws="websockets-sansio", ws_per_message_deflate=False, lifespan="off",
            loop="asyncio", log_level="warning", access_log=False, timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-test", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Graceful stop: open websockets are closed (1012, service restart) and the consumers'
        disconnect handlers have finished when this returns."""
        if self.thread is None:
            return
        self.server.should_exit = True
        self.thread.join(timeout=20)
        assert not self.thread.is_alive(), "uvicorn did not stop"
        self.thread = None


@pytest.fixture
def asgi_server(transactional_db, monkeypatch):
    conn = connections["default"]
    if conn.vendor == "sqlite" and conn.is_in_memory_db():
        # Like Django's own live server: an in-memory database exists only in this connection's
        # reach, so every thread (the server's, asgiref's executors) shares this one.
        monkeypatch.setattr(connections, "_connections", types.SimpleNamespace(default=conn))
        conn.inc_thread_sharing()
    server = AsgiServer()
    server.start()
    yield server
    server.stop()
    if conn.vendor == "sqlite" and conn.is_in_memory_db():
        conn.dec_thread_sharing()


def _signed_in_page(browser, server: AsgiServer, user):
    from tests.conftest import login_two_step

    client = Client()
    # Signed in with two-step passed: the coordinator's moderation (giving the floor) needs it.
    login_two_step(client, user)
    # A device on another continent: the room still shows Japan time, as its history does.
    context = browser.new_context(locale="en-GB", timezone_id="America/New_York", viewport={"width": 900, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
    page = context.new_page()
    return context, page


def test_two_invitees_talk_live_raise_a_hand_and_catch_up_after_the_server_restarts(
    browser, asgi_server, meeting, peer, doctor
):
    # The doctor also coordinates the body: they run the speaker queue.
    BodyMember.objects.filter(body=meeting.body, user=doctor).update(is_coordinator=True)
    room = f"{asgi_server.url}/en/meetings/{meeting.pk}/room/"
    (ctx_a, alice), (ctx_b, bob) = _signed_in_page(browser, asgi_server, peer), _signed_in_page(browser, asgi_server, doctor)
    try:
        for page in (alice, bob):
            page.goto(room)
            expect(page.locator("#room-status")).to_contain_text("Connected", timeout=WAIT)
        # Presence: both, by name and sector, on both pages.
        for page in (alice, bob):
            expect(page.locator("#presence")).to_contain_text("ピア 陽子", timeout=WAIT)
            expect(page.locator("#presence")).to_contain_text("医師 一郎", timeout=WAIT)
        expect(alice.locator("#presence li")).to_have_count(2)

        # A message sent by one appears on the other's page without a reload.
        bob.evaluate("window.__sameDocument = true")
        alice.get_by_label("Your message").fill("ライブで届く発言")
        alice.get_by_role("button", name="Send").click()
        expect(bob.locator("#messages")).to_contain_text("ライブで届く発言", timeout=WAIT)
        expect(alice.locator("#messages")).to_contain_text("ライブで届く発言", timeout=WAIT)
        assert bob.evaluate("window.__sameDocument") is True
        sent = Message.objects.get(body="ライブで届く発言")
        japan_time = sent.created_at.astimezone(ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
        expect(bob.locator(f"#m{sent.seq} time")).to_have_text(japan_time)

        # Only the hand button that applies shows: raise before, lower after; "Speaker done"
        # only to the coordinator while someone has the floor.
        expect(alice.locator("#raise-hand")).to_be_visible()
        expect(alice.locator("#lower-hand")).to_be_hidden()
        expect(bob.locator("#finish-speaker")).to_be_hidden()
        alice.get_by_role("button", name="Raise hand").click()
        queue = bob.locator("#queue")
        expect(queue).to_contain_text("ピア 陽子", timeout=WAIT)
        expect(queue).to_contain_text("Waiting")
        expect(alice.get_by_role("button", name="Lower hand")).to_be_visible(timeout=WAIT)
        expect(alice.locator("#raise-hand")).to_be_hidden()
        queue.get_by_role("button", name="Give the floor").click()
        expect(alice.locator("#queue")).to_contain_text("Speaking", timeout=WAIT)
        expect(bob.locator("#finish-speaker")).to_be_visible(timeout=WAIT)

        # The server goes away: both pages say they are offline.
        asgi_server.stop()
        for page in (alice, bob):
            expect(page.locator("#room-status")).to_contain_text("Offline", timeout=WAIT)
        # Meanwhile messages are saved (by another server process, say) and not broadcast to
        # these pages.
        access = meeting_access_for(doctor, meeting.pk)
        for text in ("留守中の発言1", "留守中の発言2"):
            message_post(access=access, author=doctor, body=text)
        ws_opened = []
        alice.on("websocket", lambda ws: ws_opened.append(time.monotonic()))

        # Back again: the pages reconnect by themselves (with back-off) and catch up, in order, once.
        asgi_server.start()
        for page in (alice, bob):
            expect(page.locator("#messages")).to_contain_text("留守中の発言2", timeout=WAIT * 2)
            expect(page.locator("#room-status")).to_contain_text("Connected", timeout=WAIT)
            texts = page.locator("#messages .room-body").all_inner_texts()
            assert texts == ["ライブで届く発言", "留守中の発言1", "留守中の発言2"], texts
            seqs = [int(s) for s in page.locator("#messages > li").evaluate_all("els => els.map(e => e.dataset.seq)")]
            assert seqs == [1, 2, 3]
        assert bob.evaluate("window.__sameDocument") is True
        # Back-off, not a tight loop: a handful of attempts at most while the server was down.
        assert len(ws_opened) <= 4, ws_opened
        # And the live path works again after the reconnect.
        bob.get_by_label("Your message").fill("戻りました")
        bob.get_by_role("button", name="Send").click()
        expect(alice.locator("#messages")).to_contain_text("戻りました", timeout=WAIT)

        # Edit, hide and delete ask in a dialog; nothing is sent until confirmed.
        first = alice.locator("#m1")
        first.get_by_role("button", name="Delete").click()
        dialog = alice.get_by_role("dialog")
        expect(dialog).to_be_visible()
        dialog.get_by_role("button", name="Cancel").click()
        expect(dialog).to_be_hidden()
        first.get_by_role("button", name="Edit").click()
        expect(dialog.get_by_label("The message, changed")).to_have_value("ライブで届く発言")
        dialog.get_by_label("The message, changed").fill("書き直した発言")
        dialog.get_by_role("button", name="Save").click()
        expect(bob.locator("#m1 .room-body")).to_have_text("書き直した発言", timeout=WAIT)
        last = bob.locator("#m4")
        last.get_by_role("button", name="Hide").click()
        bob_dialog = bob.get_by_role("dialog")
        bob_dialog.get_by_role("button", name="Hide").click()  # no reason yet: it says so, stays open
        expect(bob_dialog.get_by_text("Write something here, or choose Cancel.")).to_be_visible()
        bob_dialog.get_by_label("Why hide this message? (the reason is shown and logged)").fill("試しに隠す")
        bob_dialog.get_by_role("button", name="Hide").click()
        expect(alice.locator("#m4")).to_contain_text("試しに隠す", timeout=WAIT)
        assert Message.objects.get(seq=1, meeting=meeting).body == "書き直した発言"
        assert Message.objects.filter(meeting=meeting, deleted_at__isnull=False).count() == 0
    finally:
        ctx_a.close()
        ctx_b.close()


def test_the_chair_gives_the_floor_to_two_members_and_the_panel_shows_seconds_and_shares_live(
    browser, asgi_server, meeting, peer, doctor, coordinator
):
    room = f"{asgi_server.url}/en/meetings/{meeting.pk}/room/"
    pages = [_signed_in_page(browser, asgi_server, user) for user in (coordinator, peer, doctor)]
    (_c, chair), (_a, alice), (_b, bob) = pages
    try:
        for page in (chair, alice, bob):
            page.goto(room)
            expect(page.locator("#room-status")).to_contain_text("Connected", timeout=WAIT)
        expect(chair.locator("#participation-panel")).to_be_visible()
        expect(alice.locator("#participation-panel")).to_be_hidden()  # not shared
        for page in (alice, bob):
            page.get_by_role("button", name="Raise hand").click()
        queue = chair.locator("#queue")
        expect(queue.get_by_role("button", name="Give the floor")).to_have_count(2, timeout=WAIT)
        queue.locator("li", has_text="ピア 陽子").get_by_role("button", name="Give the floor").click()
        expect(chair.locator("#speaking-now")).to_contain_text("ピア 陽子", timeout=WAIT)
        time.sleep(1.5)
        queue.locator("li", has_text="医師 一郎").get_by_role("button", name="Give the floor").click()
        expect(chair.locator("#speaking-now")).to_contain_text("医師 一郎", timeout=WAIT)
        time.sleep(1.5)
        chair.get_by_role("button", name="Speaker done").click()
        expect(chair.locator("#speaking-now")).to_have_text("", timeout=WAIT)
        rows = chair.locator("#participation-sectors tr")
        for sector in ("Peer", "Medical"):
            row = rows.filter(has_text=sector)
            expect(row.locator("td").nth(0)).to_have_text("1")  # turns
            expect(row.locator("td").nth(2)).to_have_text("50%")  # share of turns
            assert row.locator("td").nth(1).inner_text() != "0 min 0 s"  # seconds spoken
        expect(chair.locator("#participation-people")).to_contain_text("ピア 陽子")
        # The chair shares: the members' panels open live, per sector, without names.
        chair.get_by_label("Share these figures with everyone in the room (per sector, without names)").check()
        expect(alice.locator("#participation-panel")).to_be_visible(timeout=WAIT)
        expect(alice.locator("#participation-sectors tr").filter(has_text="Peer").locator("td").nth(2)).to_have_text("50%")
        assert "ピア 陽子" not in alice.locator("#participation-panel").inner_text()
    finally:
        for context, _page in pages:
            context.close()


def test_live_messages_carry_ruby_for_a_person_who_reads_with_furigana(browser, asgi_server, meeting, peer, doctor):
    """Furigana for text the script adds: ruby over messages that arrive live, as over those the
    server rendered (markup in a message stays text), and editing one's own message starts from
    the text as written, without its readings."""
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
