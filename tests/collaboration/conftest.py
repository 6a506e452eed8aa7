"""Fixtures for consultation bodies, meetings and the live room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from collaboration.models import BodyMember, ConsultationBody, Meeting, MeetingInvitation, Sector
from peers.models import Prefecture, Region, Role

WS_HEADERS = [(b"host", b"127.0.0.1"), (b"origin", b"http://127.0.0.1")]


@pytest.fixture
def tokyo(db) -> Prefecture:
    """Transactional tests flush the migration-seeded prefectures; put them back."""
    from peers.prefectures import PREFECTURES

    if not Prefecture.objects.filter(code="13").exists():
        Prefecture.objects.bulk_create(
            [Prefecture(code=c, name_ja=ja, name_en=en) for c, ja, en in PREFECTURES],
            ignore_conflicts=True,
        )
    return Prefecture.objects.get(code="13")


@pytest.fixture
def kanagawa(tokyo) -> Prefecture:
    return Prefecture.objects.get(code="14")


@pytest.fixture
def tokyo_region(tokyo) -> Region:
    return Region.objects.create(prefecture=tokyo, name_ja="北多摩北部", name_en="Kitatama-hokubu")


@pytest.fixture
def body(tokyo) -> ConsultationBody:
    return ConsultationBody.objects.create(
        name="東京都精神保健福祉協議の場", level=ConsultationBody.Level.PREFECTURE, prefecture=tokyo
    )


@pytest.fixture
def other_body(kanagawa) -> ConsultationBody:
    return ConsultationBody.objects.create(
        name="神奈川県協議の場", level=ConsultationBody.Level.PREFECTURE, prefecture=kanagawa
    )


@pytest.fixture
def coordinator(make_user, tokyo):
    """Coordinates Tokyo through the COORDINATOR role (not a member of the body)."""
    return make_user(display_name="調整 さくら", roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=True)


@pytest.fixture
def other_coordinator(make_user, kanagawa):
    return make_user(display_name="神奈川 調整", roles=[(Role.COORDINATOR, {"prefecture": kanagawa})], mfa=True)


@pytest.fixture
def peer(make_user, body):
    user = make_user(display_name="ピア 陽子", name_kana="ピア ヨウコ")
    BodyMember.objects.create(body=body, user=user, sector=Sector.PEER)
    return user


@pytest.fixture
def doctor(make_user, body):
    user = make_user(display_name="医師 一郎")
    BodyMember.objects.create(body=body, user=user, sector=Sector.MEDICAL)
    return user


@pytest.fixture
def outsider(make_user):
    return make_user(display_name="部外 者")


@pytest.fixture
def meeting(body, coordinator, peer, doctor) -> Meeting:
    start = timezone.now() - timedelta(minutes=10)
    meeting = Meeting.objects.create(
        body=body, title="第3回 協議の場", starts_at=start, ends_at=start + timedelta(hours=2),
        place="都庁第一本庁舎", status=Meeting.Status.OPEN, created_by=coordinator,
    )
    for user, sector in ((peer, Sector.PEER), (doctor, Sector.MEDICAL)):
        MeetingInvitation.objects.create(meeting=meeting, user=user, sector=sector, invited_by=coordinator)
    return meeting


def session_cookie(user, *, two_step: bool | None = None) -> bytes:
    """A session for this person: with the second step passed if they have an authenticator
    (every staff fixture), unless two_step says otherwise."""
    from allauth.mfa.utils import is_mfa_enabled
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in

    from tests.conftest import login_two_step

    client = Client()
    if two_step is None:
        two_step = is_mfa_enabled(user)
    # Signing in here writes no last_login: an open socket's thread may be reading the users'
    # table, and SQLite's shared in-memory test database refuses a write beside a read at once
    # ("database table is locked") instead of waiting.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    try:
        if two_step:
            login_two_step(client, user)
        else:
            client.force_login(user)
    finally:
        user_logged_in.connect(update_last_login, dispatch_uid="update_last_login")
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@pytest.fixture
async def connect():
    """Open a websocket to a meeting's room as a signed-in person, through the project's ASGI
    application (origin check, sessions, auth) and its channel layer."""
    opened: list[WebsocketCommunicator] = []

    async def _connect(user, meeting_id: int, *, hello: int | None = 0, expect_ok: bool = True,
                       two_step: bool | None = None):
        from config.asgi import application

        headers = list(WS_HEADERS)
        if user is not None:
            headers.append((b"cookie", await sync_to_async(session_cookie)(user, two_step=two_step)))
        communicator = WebsocketCommunicator(application, f"/ws/meetings/{meeting_id}/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        opened.append(communicator)
        if expect_ok and hello is not None:
            await communicator.send_json_to({"type": "hello", "last_seq": hello})
        return communicator

    yield _connect
    for communicator in opened:
        try:
            await communicator.disconnect()
        except BaseException:  # noqa: BLE001 - already closed (or cancelled) by the test
            pass


async def receive_until(communicator, kind: str, timeout: float = 5) -> dict:
    """The next frame of one type, skipping others (presence, queue)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == kind:
            return frame


async def drain(communicator, seconds: float = 0.2) -> list[dict]:
    """Every frame that arrives until the room has been quiet for `seconds` (a timeout on
    receive_output would cancel the consumer, so this polls instead)."""
    frames = []
    while not await communicator.receive_nothing(timeout=seconds):
        frames.append(await communicator.receive_json_from())
    return frames


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
