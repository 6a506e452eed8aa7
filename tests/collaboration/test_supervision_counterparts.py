"""Supervision is recorded only between people who work together (issue 11): a peer and a manager
or named supervisor of an organisation where the peer works now. Naming anyone else answers exactly
as naming an id that does not exist: same status, same words, same shape; nothing stored or sent."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone
from rest_framework.test import APIClient

from collaboration.activity import selectors, services
from collaboration.activity.models import ActivityVerifier, SupervisionSession
from peers.models import AuditEvent, Engagement, Role, User
from tests.collaboration.activity_support import *  # noqa: F403
from tests.collaboration.activity_support import last_monday
from tests.problem_support import problem_fields


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _unknown_id() -> int:
    return (User.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000


def _post(user, **ids):
    return _api(user).post("/api/v1/activity/supervision/", {
        **ids, "date": last_monday().isoformat(), "minutes": 60, "topics": "境界線"}, format="json")


def _nothing_happened(mailoutbox):
    assert SupervisionSession.objects.count() == 0
    assert not AuditEvent.objects.filter(action="supervision.record").exists()
    assert mailoutbox == []


def test_api_unknown_id_and_unrelated_person_answer_the_same(
    a_peer, a_supervisor, a_stranger, a_other_manager, mailoutbox, django_capture_on_commit_callbacks,
):
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for other in (_unknown_id(), a_stranger.pk, a_other_manager.pk):
            answers.append(_post(a_peer, supervisor=other, peer=a_peer.pk))
    assert {r.status_code for r in answers} == {400}
    assert answers[0].json() == answers[1].json() == answers[2].json()
    errors = problem_fields(answers[0])
    assert list(errors) == ["supervisor"]
    assert errors["supervisor"][0]["en"].startswith("Choose someone you work with")
    assert errors["supervisor"][0]["ja"].startswith("一緒に働いている人")
    assert a_stranger.display_name not in answers[1].content.decode()
    _nothing_happened(mailoutbox)


def test_api_supervisor_side_cannot_name_a_peer_of_another_organisation(
    a_peer, a_supervisor, a_stranger, mailoutbox, django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _post(a_supervisor, supervisor=a_supervisor.pk, peer=_unknown_id())
        stranger = _post(a_supervisor, supervisor=a_supervisor.pk, peer=a_stranger.pk)
    assert unknown.status_code == stranger.status_code == 400
    assert unknown.json() == stranger.json() and list(problem_fields(unknown)) == ["peer"]
    _nothing_happened(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        created = _post(a_supervisor, supervisor=a_supervisor.pk, peer=a_peer.pk)
    assert created.status_code == 201
    assert [m.to for m in mailoutbox] == [[a_peer.email]]


def test_api_huge_or_odd_ids_are_a_plain_400(a_peer, a_supervisor):
    assert _post(a_peer, supervisor=2**70, peer=a_peer.pk).status_code == 400
    assert _post(a_peer, supervisor="x", peer=a_peer.pk).status_code == 400
    assert _post(a_peer, supervisor=a_peer.pk, peer=a_peer.pk).status_code == 400
    assert SupervisionSession.objects.count() == 0


def _form_errors(response) -> list[str]:
    return re.findall(r'class="errorlist[^"]*"[^>]*>\s*<li>(.*?)</li>', response.content.decode(), re.S)


def test_page_offers_only_people_one_works_with(client, a_peer, a_supervisor, a_manager, a_stranger,
                                                a_other_manager):
    client.force_login(a_peer)
    page = client.get("/en/me/supervision/").content.decode()
    assert f'value="supervisor:{a_supervisor.pk}"' in page and a_supervisor.display_name in page
    assert f'value="supervisor:{a_manager.pk}"' in page
    assert a_stranger.display_name not in page and a_other_manager.display_name not in page
    assert 'type="email"' not in page


def test_page_unknown_and_unrelated_choice_answer_the_same(
    client, a_peer, a_supervisor, a_stranger, mailoutbox, django_capture_on_commit_callbacks,
):
    client.force_login(a_peer)
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for value in (f"supervisor:{_unknown_id()}", f"supervisor:{a_stranger.pk}", f"peer:{a_stranger.pk}",
                      "nonsense"):
            answers.append(client.post("/en/me/supervision/", {
                "other": value, "date": last_monday().isoformat(), "minutes": 30}))
    assert {r.status_code for r in answers} == {200}
    errors = [_form_errors(r) for r in answers]
    assert errors[0] == errors[1] == errors[2] == errors[3]
    assert errors[0] and errors[0][0].startswith("Choose someone you work with")
    assert all(a_stranger.display_name not in r.content.decode() for r in answers)
    _nothing_happened(mailoutbox)


def test_service_refuses_a_pair_that_does_not_work_together(a_peer, a_stranger, mailoutbox,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as error:
        services.supervision_record(actor=a_peer, supervisor=a_stranger, peer=a_peer,
                                    date=last_monday(), minutes=30)
    assert "supervisor" in error.value.error_dict
    _nothing_happened(mailoutbox)


def test_counterparts_are_the_peers_managers_and_named_supervisors_now(
    make_user, a_peer, a_engagement, a_org, a_other_org, a_manager, a_other_manager, a_supervisor,
    a_coordinator,
):
    admin = make_user(roles=[(Role.ADMIN, {})], mfa=True)
    mine = selectors.supervision_counterpart_list_for(a_peer)
    assert {p.pk for p in mine.supervisors} == {a_manager.pk, a_supervisor.pk}
    assert mine.peers == []
    assert [p.pk for p in selectors.supervision_counterpart_list_for(a_manager).peers] == [a_peer.pk]
    assert [p.pk for p in selectors.supervision_counterpart_list_for(a_supervisor).peers] == [a_peer.pk]
    for unrelated in (a_other_manager, a_coordinator, admin):
        assert selectors.supervision_counterpart_list_for(unrelated).peers == []
        assert not selectors.supervision_pair_allowed(supervisor=unrelated, peer=a_peer)
    # A removed named supervisor is no longer one; nor is anyone once the engagement has ended.
    ActivityVerifier.objects.filter(user=a_supervisor).update(removed_at=timezone.now())
    assert not selectors.supervision_pair_allowed(supervisor=a_supervisor, peer=a_peer)
    Engagement.objects.filter(pk=a_engagement.pk).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    assert selectors.supervision_counterpart_list_for(a_peer).supervisors == []
    assert selectors.supervision_counterpart_list_for(a_manager).peers == []
