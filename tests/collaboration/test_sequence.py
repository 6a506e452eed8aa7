"""Sequence numbers under concurrency: distinct, gap-free and in commit order (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from collaboration.models import Message
from collaboration.selectors import meeting_access_for
from collaboration.services import message_post

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_posts_get_distinct_gap_free_numbers(meeting, peer, doctor):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with real row locks (PostgreSQL, as in CI)")
    errors = []

    def poster(user, n):
        try:
            access = meeting_access_for(user, meeting.pk)
            for i in range(n):
                message_post(access=access, author=user, body=f"{user.pk}-{i}")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=poster, args=(u, 15)) for u in (peer, doctor, peer, doctor)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    seqs = list(Message.objects.filter(meeting=meeting).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 61))
    meeting.refresh_from_db()
    assert meeting.last_seq == 60
