"""Prepares the bench's throwaway database: N members invited to one open meeting, a signed-in
session for each. Prints JSON {meeting, cookies}. Run by bench.meeting_room in a subprocess."""

import json
import os
import sys
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def main(members: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from collaboration.models import ConsultationBody, Meeting, MeetingInvitation, Sector
    from peers.models import Prefecture, User
    from peers.prefectures import PREFECTURES

    for code, ja, en in PREFECTURES:
        Prefecture.objects.get_or_create(code=code, defaults={"name_ja": ja, "name_en": en})
    body = ConsultationBody.objects.create(name="bench", level="prefecture", prefecture_id="13")
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body, title="bench", starts_at=now, ends_at=now + timedelta(hours=3), place="x",
        status=Meeting.Status.OPEN,
    )
    sectors = Sector.values
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.test", display_name=f"Bench {i}", password="!") for i in range(members)]
    )
    MeetingInvitation.objects.bulk_create(
        [MeetingInvitation(meeting=meeting, user=u, sector=sectors[i % len(sectors)]) for i, u in enumerate(users)]
    )
    cookies = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    print(json.dumps({"meeting": meeting.pk, "cookies": cookies}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
