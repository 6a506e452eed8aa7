"""The daily sweep moves certifications by date with a fixed number of queries; reminders go
out once per offset, listing what is missing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from training.models import Certification, CertificationStatusChange, ReminderSent
from training.services import certification_number, certification_sweep, cycle_dates, reminders_send

pytestmark = pytest.mark.django_db


def _bulk_certifications(credential_type, make_user, n, issued_on):
    """n certifications issued on one day, written in bulk (the sweep is what is measured)."""
    holder = make_user()
    body = credential_type.body
    dates = cycle_dates(credential_type, issued_on)
    rows = [
        Certification(
            body=body, credential_type=credential_type, holder=holder, year=issued_on.year,
            sequence=i + 1, number=certification_number(body=body, year=issued_on.year, sequence=i + 1),
            issued_on=issued_on, cycle_started_on=issued_on, status="active", **dates,
        )
        for i in range(n)
    ]
    Certification.objects.bulk_create(rows)
    return dates


@pytest.mark.parametrize("n", [10, 300])
def test_sweep_uses_the_same_number_of_queries_whatever_the_count(credential_type, make_user, n, django_assert_num_queries):
    dates = _bulk_certifications(credential_type, make_user, n, datetime.date(2024, 1, 1))
    # 3 transitions x (INSERT … SELECT + UPDATE) + the audit line (+ savepoint on SQLite/PG).
    expected = 7 + (2 if connection.features.uses_savepoints else 0)
    with django_assert_num_queries(expected):
        counts = certification_sweep(today=dates["renewal_due_from"])
    assert counts == {"lapsed": 0, "grace": 0, "expiring": n}
    assert Certification.objects.filter(status="expiring").count() == n
    assert CertificationStatusChange.objects.filter(to_status="expiring", event="sweep").count() == n


def test_sweep_walks_each_date_boundary(credential_type, make_user):
    dates = _bulk_certifications(credential_type, make_user, 3, datetime.date(2024, 1, 1))
    day = datetime.timedelta(days=1)
    certification_sweep(today=dates["renewal_due_from"] - day)
    assert set(Certification.objects.values_list("status", flat=True)) == {"active"}
    certification_sweep(today=dates["valid_until"])
    assert set(Certification.objects.values_list("status", flat=True)) == {"expiring"}
    certification_sweep(today=dates["valid_until"] + day)
    assert set(Certification.objects.values_list("status", flat=True)) == {"grace"}
    certification_sweep(today=dates["grace_until"])
    assert set(Certification.objects.values_list("status", flat=True)) == {"grace"}
    certification_sweep(today=dates["grace_until"] + day)
    assert set(Certification.objects.values_list("status", flat=True)) == {"lapsed"}
    one = Certification.objects.first()
    assert list(one.history.values_list("from_status", "to_status")) == [
        ("active", "expiring"), ("expiring", "grace"), ("grace", "lapsed"),
    ]


def test_sweep_jumps_straight_to_lapsed_after_missed_days(credential_type, make_user):
    dates = _bulk_certifications(credential_type, make_user, 2, datetime.date(2020, 1, 1))
    certification_sweep(today=dates["grace_until"] + datetime.timedelta(days=400))
    assert set(CertificationStatusChange.objects.values_list("from_status", "to_status")) == {("active", "lapsed")}


def test_suspended_and_revoked_are_left_alone(credential_type, make_user):
    dates = _bulk_certifications(credential_type, make_user, 2, datetime.date(2020, 1, 1))
    Certification.objects.filter(sequence=1).update(status="suspended")
    Certification.objects.filter(sequence=2).update(status="revoked")
    certification_sweep(today=dates["grace_until"] + datetime.timedelta(days=1))
    assert sorted(Certification.objects.values_list("status", flat=True)) == ["revoked", "suspended"]


def test_management_command_runs_sweep_and_reminders(credential_type, make_user, capsys):
    dates = _bulk_certifications(credential_type, make_user, 2, datetime.date(2024, 1, 1))
    call_command("certification_sweep", "--date", dates["valid_until"].isoformat())
    out = capsys.readouterr().out
    assert "expiring=2" in out
    assert "reminders=2" in out


def test_reminder_sent_once_per_offset_and_lists_what_is_missing(
    credential_type, make_user, completed, trainer, django_capture_on_commit_callbacks
):
    from training.services import certification_issue

    person = make_user(language="en")
    completed(person, on=datetime.date(2023, 12, 1))
    certification = certification_issue(credential_type=credential_type, holder=person, actor=trainer,
                                        issued_on=datetime.date(2024, 1, 1))
    Certification.objects.filter(pk=certification.pk).update(status="active")  # as the sweep left it then
    day_120 = certification.valid_until - datetime.timedelta(days=120)
    assert reminders_send(today=day_120 - datetime.timedelta(days=1)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(today=day_120) == 1
    assert reminders_send(today=day_120) == 0
    assert reminders_send(today=day_120 + datetime.timedelta(days=5)) == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert certification.number in body
    assert "ethics" in body.lower() or "倫理" in body
    assert "renewal course" in body
    reminder = ReminderSent.objects.get()
    assert reminder.offset_days == 120 and len(reminder.missing) == 3
    # During grace the negative offset applies.
    assert reminders_send(today=certification.valid_until + datetime.timedelta(days=30)) == 1
    assert list(ReminderSent.objects.order_by("offset_days").values_list("offset_days", flat=True)) == [-30, 120]


def test_reminder_is_unique_in_the_database(credential_type, make_user):
    from django.db import IntegrityError, transaction

    _bulk_certifications(credential_type, make_user, 1, datetime.date(2024, 1, 1))
    certification = Certification.objects.get()
    ReminderSent.objects.create(certification=certification, cycle=1, offset_days=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(certification=certification, cycle=1, offset_days=60)
