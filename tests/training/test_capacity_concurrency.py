"""Two staff select at the same moment: the cohort's row lock keeps capacity (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from training.models import Application
from training.services import application_submit, application_transition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_staff_selecting_at_once_never_exceed_capacity(make_user, make_cohort, trainer):
    cohort = make_cohort(capacity=1)
    applications = [
        application_submit(cohort=cohort, applicant=make_user(), consent=True) for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def select(application):
        try:
            barrier.wait()
            application_transition(application=application, to_state="selected", actor=trainer)
            results.append("selected")
        except ValidationError:
            results.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=select, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["full", "selected"]
    assert Application.objects.filter(cohort=cohort, state="selected").count() == 1
