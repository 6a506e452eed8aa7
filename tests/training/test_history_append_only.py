"""History tables are append-only in the database itself (peers/history.py): raw SQL UPDATE and
DELETE fail on SQLite and on PostgreSQL; only emptying a personal link (SET_NULL when an account
goes) and the personal-data registry's purge (erasure, retention) get through."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from peers.history import history_purge
from peers.models import AuditEvent, SensitiveAccess
from peers.services import audit_record
from training.models import Application, ApplicationStateChange, CertificationStatusChange
from training.services import application_submit, application_transition, certification_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_user, trainer, credential_type, completed, cohort):
    """One row in each guarded table, each with a personal link set."""
    holder = make_user()
    completed(holder)
    certification = certification_issue(credential_type=credential_type, holder=holder, actor=trainer)
    applicant = make_user()
    application = application_submit(cohort=cohort, applicant=applicant, consent=True)
    application_transition(application=application, to_state=Application.State.SELECTED, actor=trainer)
    access = SensitiveAccess.objects.create(person=holder, accessor=trainer, category="accommodations",
                                            context="test")
    return {
        "training_certificationstatuschange": (CertificationStatusChange.objects.filter(
            certification=certification).first().pk, "reason", "actor_id"),
        "training_applicationstatechange": (ApplicationStateChange.objects.filter(
            application=application).exclude(actor=None).first().pk, "note", "actor_id"),
        "peers_auditevent": (audit_record(actor=trainer, action="test.history", target=holder).pk,
                             "action", "actor_id"),
        "peers_sensitiveaccess": (access.pk, "context", "accessor_id"),
        "people": (trainer, make_user()),
    }


TABLES = ["training_certificationstatuschange", "training_applicationstatechange", "peers_auditevent",
          "peers_sensitiveaccess"]


def _refused(sql: str, params: list) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        assert "append-only history" in str(error)
        return True
    return False


def _count(table: str, pk: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("table", TABLES)
def test_raw_update_of_a_history_row_fails(history, table):
    pk, column, _link = history[table]
    assert _refused(f"UPDATE {table} SET {column} = %s WHERE id = %s", ["changed", pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        assert cursor.fetchone()[0] != "changed"


@pytest.mark.parametrize("table", TABLES)
def test_raw_delete_of_a_history_row_fails(history, table):
    pk, _column, _link = history[table]
    assert _refused(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert _refused(f"DELETE FROM {table}", [])
    assert _count(table, pk) == 1


@pytest.mark.parametrize("table", TABLES)
def test_a_personal_link_may_be_emptied_but_never_pointed_elsewhere(history, table):
    pk, _column, link = history[table]
    _trainer, someone_else = history["people"]
    assert _refused(f"UPDATE {table} SET {link} = %s WHERE id = %s", [someone_else.pk, pk])
    assert not _refused(f"UPDATE {table} SET {link} = NULL WHERE id = %s", [pk])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {link} FROM {table} WHERE id = %s", [pk])
        assert cursor.fetchone()[0] is None
    assert _count(table, pk) == 1


@pytest.mark.parametrize("table", TABLES)
def test_the_purge_lets_deletes_through_only_inside_its_block(history, table):
    pk, _column, _link = history[table]
    with history_purge(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    assert _count(table, pk) == 0
    # Never an update, even inside; and the permission has ended after the block.
    other = {"training_certificationstatuschange": CertificationStatusChange,
             "training_applicationstatechange": ApplicationStateChange,
             "peers_auditevent": AuditEvent, "peers_sensitiveaccess": SensitiveAccess}[table].objects.first()
    if other is not None:
        assert _refused(f"DELETE FROM {table} WHERE id = %s", [other.pk])


def test_deleting_an_actors_account_keeps_the_history_naming_nobody(history):
    trainer, _someone_else = history["people"]
    pk, _column, _link = history["peers_auditevent"]
    # The trainer's other records (roles, authenticators) go with the account; history stays.
    trainer.delete()
    event = AuditEvent.objects.get(pk=pk)
    assert event.actor_id is None
    assert CertificationStatusChange.objects.filter(pk=history["training_certificationstatuschange"][0],
                                                    actor=None).exists()


def test_erasure_and_the_retention_job_still_remove_what_they_must(make_user, admin_user, cohort):
    """The two legally required paths go through the purge: erasure removes an application that
    never held a place with its history; the retention rule removes old applications with theirs
    (a refusal there would only be logged on the run, so the run must show no error)."""
    import datetime

    from django.utils import timezone

    from peers.models import RetentionRun
    from peers.services.privacy import erasure_carry_out, erasure_request, retention_apply

    erased = make_user()
    application_submit(cohort=cohort, applicant=erased, consent=True)
    erasure_carry_out(actor=admin_user, request=erasure_request(person=erased))
    assert not ApplicationStateChange.objects.filter(application__applicant=erased).exists()
    assert not Application.objects.filter(applicant=erased).exists()

    kept = make_user()
    application = application_submit(cohort=cohort, applicant=kept, consent=True)
    assert ApplicationStateChange.objects.filter(application=application).exists()
    retention_apply(now=timezone.now() + datetime.timedelta(days=366 * 6))
    run = RetentionRun.objects.get(kind="training_applications")
    assert run.error == "" and run.removed >= 1
    assert not ApplicationStateChange.objects.filter(application_id=application.pk).exists()
    assert all(not r.error for r in RetentionRun.objects.all()), [r.error for r in RetentionRun.objects.all()]
