"""The demo copy of tests/conftest.py (`_DemoCopy`): a test that asks for the demo starts from the
whole of it whatever an earlier test changed, and a test that does not ask never sees it."""

import pytest

from peers.models import User

DEMO_PEER = "peer@example.org"


def test_a_test_without_the_demo_never_sees_it(db):
    # Ordered before the module's demo tests (tests/conftest.py), and after them in the file.
    assert not User.objects.filter(email=DEMO_PEER).exists()


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_reading_the_demo_starts_from_all_of_it(demo, turn):
    # The first turn removes the demo's peer; the second still finds them, with their data.
    peer = User.objects.get(email=DEMO_PEER)
    assert peer.engagements.exists()
    User.objects.filter(pk=peer.pk).update(display_name=f"changed {turn}")
    assert User.objects.filter(display_name__startswith="changed").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("turn", [1, 2])
def test_each_committing_test_gets_its_own_committed_copy(demo_committed, turn):
    from django.db import transaction

    with transaction.atomic():  # committed, as a live server's request would be
        User.objects.filter(email=DEMO_PEER).update(display_name=f"committed {turn}")
    assert User.objects.filter(display_name__startswith="committed").count() == 1
    assert User.objects.filter(email=DEMO_PEER, display_name=f"committed {turn}").exists()


def test_leaving_the_copy_restores_the_blank_database(django_db_setup, django_db_blocker):
    # No test transaction here (pytest-django runs it after the module's database tests): the
    # copy is put in place and taken away as the module fixture does.
    from tests.conftest import _DEMO

    with django_db_blocker.unblock():
        _DEMO.enter_read_only()
        assert User.objects.filter(email=DEMO_PEER).exists()
        _DEMO.leave_read_only()
        assert not User.objects.filter(email=DEMO_PEER).exists()
