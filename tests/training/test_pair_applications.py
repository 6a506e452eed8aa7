"""Applications as the prefecture scheme runs them: pairs from one office (当事者 + 協働支援者),
visitors applying without an account, refusals that say why, and the staff table."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from peers.models import Engagement, Invitation, Role
from training.models import Application, ApplicationStateChange, Cohort, CourseKind
from training.services import (
    PUBLIC_CONFIRM_SALT,
    application_pair_submit,
    application_public_confirm,
    application_public_submit,
    application_submit,
    application_transition,
)

pytestmark = pytest.mark.django_db


def works_at(person, organisation, **extra):
    return Engagement.objects.create(person=person, organisation=organisation, kind=Engagement.Kind.VOLUNTEER,
                                     start_date=datetime.date(2024, 4, 1), **extra)


@pytest.fixture
def pair_cohort(make_cohort, body):
    from training.models import Course

    course = Course.objects.create(body=body, kind=CourseKind.BASIC, title="障害者ピアサポート研修 基礎研修")
    return make_cohort(course=course, pair_applications=True, name="令和8年度 基礎研修")


@pytest.fixture
def pair(make_user, organisation):
    peer, coworker = make_user(display_name="当事者 花子"), make_user(display_name="支援者 太郎")
    works_at(peer, organisation)
    works_at(coworker, organisation)
    return peer, coworker


def submit(cohort, sender, peer, supporter, organisation, **extra):
    values = {"peer_eligibility": "employed", "supporter_eligibility": "coworker", "consent": True, **extra}
    return application_pair_submit(cohort=cohort, submitted_by=sender, organisation=organisation,
                                   peer_email=peer.email, supporter_email=supporter.email, **values)


def en(callable_, *args, **kwargs):
    """The refusal, worded in English (services' messages are lazy: rendered when read)."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            callable_(*args, **kwargs)
        return " ".join(error.value.messages)


# ------------------------------------------------------------------ services
def test_a_pair_application_names_the_office_both_people_roles_and_eligibility(pair_cohort, pair, organisation):
    peer, coworker = pair
    first, second = submit(pair_cohort, peer, peer, coworker, organisation)
    assert (first.applicant, first.pair_role, first.eligibility) == (peer, "peer", "employed")
    assert (second.applicant, second.pair_role, second.eligibility) == (coworker, "supporter", "coworker")
    assert first.pair_id == second.pk and second.pair_id == first.pk
    assert first.organisation == second.organisation == organisation
    assert ApplicationStateChange.objects.filter(to_state="submitted").count() == 2


def test_two_peers_are_not_a_pair(pair_cohort, pair, organisation, make_user):
    peer, _coworker = pair
    message = en(submit, pair_cohort, peer, peer, peer, organisation)
    assert "two people" in message
    assert not Application.objects.exists()


def test_a_pairs_only_cohort_refuses_a_solo_application_with_a_clear_message(pair_cohort, pair):
    message = en(application_submit, cohort=pair_cohort, applicant=pair[0], consent=True)
    assert "only in pairs" in message and "当事者" in message
    assert not Application.objects.exists()


def test_both_must_belong_to_the_office_and_the_sender_must_be_one_of_them_or_its_manager(
        pair_cohort, pair, organisation, other_organisation, make_user, manager):
    peer, coworker = pair
    outsider = make_user(display_name="外部 次郎")
    works_at(outsider, other_organisation)
    assert "does not belong to" in en(submit, pair_cohort, peer, peer, outsider, organisation)
    assert "You do not belong to" in en(submit, pair_cohort, outsider, outsider, coworker, organisation,
                                        supporter_eligibility="coworker")
    # Someone outside the pair who is not the office's manager cannot send it.
    assert "only for yourself" in en(submit, pair_cohort, outsider, peer, coworker, organisation)
    # An engagement that ended does not count.
    Engagement.objects.filter(person=coworker).update(end_date=datetime.date(2025, 3, 31))
    assert "does not belong to" in en(submit, pair_cohort, peer, peer, coworker, organisation)
    assert not Application.objects.exists()
    # The office's manager may send it for two staff, and be the 協働支援者 as a manager.
    first, second = submit(pair_cohort, manager, peer, manager, organisation, supporter_eligibility="manager")
    assert second.eligibility == "manager" and first.submitted_by == manager


def test_a_prospective_peer_may_be_named_by_the_offices_manager_only(pair_cohort, organisation, make_user, manager):
    newcomer = make_user()
    assert "does not belong to" in en(submit, pair_cohort, manager, newcomer, manager, organisation,
                                      supporter_eligibility="manager")
    first, _second = submit(pair_cohort, manager, newcomer, manager, organisation, peer_eligibility="prospect",
                            supporter_eligibility="manager")
    assert first.eligibility == "prospect"


def test_unknown_partner_email_is_refused_not_silently_accepted(pair_cohort, pair, organisation):
    peer, _coworker = pair
    with translation.override("en"), pytest.raises(ValidationError) as error:
        application_pair_submit(cohort=pair_cohort, submitted_by=peer, organisation=organisation,
                                peer_email=peer.email, peer_eligibility="employed",
                                supporter_email="nobody@example.test", supporter_eligibility="coworker", consent=True)
    assert "supporter_email" in error.value.error_dict
    assert "nobody@example.test" in " ".join(error.value.messages)
    assert not Application.objects.exists()


def test_applying_again_to_a_completed_course_is_refused_saying_why(make_user, make_cohort, completed, initial_course):
    person = make_user()
    completed(person)
    message = en(application_submit, cohort=make_cohort(name="2027年度"), applicant=person, consent=True)
    assert "already completed" in message and initial_course.title in message


def test_applying_from_an_office_one_does_not_belong_to_is_refused(make_user, cohort, other_organisation):
    message = en(application_submit, cohort=cohort, applicant=make_user(), consent=True,
                 organisation=other_organisation)
    assert "only if you work there or manage it" in message


def test_accommodation_text_has_a_length_limit(make_user, cohort):
    message = en(application_submit, cohort=cohort, applicant=make_user(), consent=True,
                 accommodation_request="あ" * 1001, accommodation_consent=True)
    assert "1000" in message
    assert not Application.objects.exists()


def test_selecting_wait_listing_or_declining_acts_on_the_pair_together(pair_cohort, pair, organisation, trainer):
    peer, coworker = pair
    first, second = submit(pair_cohort, peer, peer, coworker, organisation)
    application_transition(application=first, to_state="waitlisted", actor=trainer)
    application_transition(application=second, to_state="selected", actor=trainer)
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.state, second.state) == ("selected", "selected")
    # History is appended, one row per person per change, never edited.
    rows = list(ApplicationStateChange.objects.filter(application=first).values_list("from_state", "to_state"))
    assert rows == [("", "submitted"), ("submitted", "waitlisted"), ("waitlisted", "selected")]
    # Enrolment is each person's own.
    application_transition(application=first, to_state="enrolled", actor=trainer)
    second.refresh_from_db()
    assert second.state == "selected"


def test_a_pair_needs_two_places(pair_cohort, pair, organisation, trainer, make_user):
    pair_cohort.capacity = 1
    pair_cohort.save()
    peer, coworker = pair
    first, second = submit(pair_cohort, peer, peer, coworker, organisation)
    assert "a pair needs two" in en(application_transition, application=first, to_state="selected", actor=trainer)
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.state, second.state) == ("submitted", "submitted")


def test_a_first_come_pair_is_selected_or_wait_listed_together(pair_cohort, pair, organisation):
    pair_cohort.capacity, pair_cohort.selection = 1, Cohort.Selection.FIRST_COME
    pair_cohort.save()
    peer, coworker = pair
    first, second = submit(pair_cohort, peer, peer, coworker, organisation)
    assert (first.state, second.state) == ("waitlisted", "waitlisted")


# ------------------------------------------------------------------ visitors (public page)
def _public(cohort, organisation, **extra):
    values = {"name": "山田 花子", "kana": "やまだ はなこ", "email": "hanako@example.test",
              "organisation": organisation, "consent": True, "role": "peer", "eligibility": "prospect",
              "partner_name": "佐藤 一郎", "partner_kana": "さとう いちろう", "partner_email": "ichiro@example.test",
              "partner_eligibility": "coworker", "confirm_url": "https://kakehashi.test/training/applications/confirm/",
              **extra}
    return application_public_submit(cohort=cohort, **values)


def _key_from(message) -> str:
    return re.search(r"\?key=(\S+)", message.body).group(1)


def test_a_visitors_application_waits_for_email_confirmation_and_holds_no_place(
        pair_cohort, organisation, trainer, django_capture_on_commit_callbacks, mfa_client, body):
    with django_capture_on_commit_callbacks(execute=True):
        made = _public(pair_cohort, organisation)
    assert [a.state for a in made] == ["unconfirmed", "unconfirmed"]
    assert made[0].pair_id == made[1].pk and made[1].pair_role == "supporter"
    assert [m.to for m in mail.outbox] == [["hanako@example.test"]]
    # Not among the staff's applications, and no place taken.
    page = mfa_client(trainer).get(f"/staff/training/{body.pk}/cohorts/{pair_cohort.pk}/").content.decode()
    i = page.find("山田 花子")
    assert i == -1, page[i - 300:i + 100]
    application = application_public_confirm(key=_key_from(mail.outbox[0]))
    assert application.state == "submitted"
    assert set(Application.objects.values_list("state", flat=True)) == {"submitted"}


def test_a_confirmation_link_expires_and_cannot_be_forged(pair_cohort, organisation, django_capture_on_commit_callbacks,
                                                          settings):
    with django_capture_on_commit_callbacks(execute=True):
        made = _public(pair_cohort, organisation)
    forged = signing.dumps({"a": made[0].pk}, salt="another-salt")
    assert "not valid" in en(application_public_confirm, key=forged)
    settings.KAKEHASHI_PUBLIC_APPLICATION_CONFIRM_DAYS = 0
    key = _key_from(mail.outbox[0])
    import time

    time.sleep(1)
    assert "expired" in en(application_public_confirm, key=key)
    assert Application.objects.filter(state="unconfirmed").count() == 2


def test_selection_invites_the_visitor_and_the_application_attaches_on_sign_up(
        pair_cohort, organisation, trainer, django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        made = _public(pair_cohort, organisation)
    application_public_confirm(key=signing.dumps({"a": made[0].pk}, salt=PUBLIC_CONFIRM_SALT))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=made[0], to_state="selected", actor=trainer)
    invitations = {i.email: i for i in Invitation.objects.all()}
    assert set(invitations) == {"hanako@example.test", "ichiro@example.test"}
    assert invitations["hanako@example.test"].role == Role.PEER
    assert invitations["ichiro@example.test"].role == Role.PROFESSIONAL
    assert any("/invite/" in m.body and m.to == ["hanako@example.test"] for m in mail.outbox)
    # She signs up through the invitation link: the application is now her account's.
    token = invitations["hanako@example.test"].token
    client.get(f"/invite/{token}/")
    response = client.post("/accounts/signup/", {"email": "hanako@example.test", "password1": "a-Long-pass-9876",
                                                  "password2": "a-Long-pass-9876", "display_name": "山田 花子",
                                                  "name_kana": "やまだ はなこ"})
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(pk=made[0].pk)
    assert application.applicant is not None and application.applicant.email == "hanako@example.test"
    assert application.applicant_email == "" and application.state == "selected"


def test_a_visitor_whose_address_has_an_account_is_told_to_sign_in_and_nothing_is_stored(
        cohort, organisation, make_user, django_capture_on_commit_callbacks):
    person = make_user(email="known@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        assert _public(cohort, organisation, email=person.email, language="en") == []
    assert not Application.objects.exists()
    assert mail.outbox[0].to == [person.email] and "please sign in and apply" in mail.outbox[0].body


# ------------------------------------------------------------------ pages
def test_the_pair_form_applies_for_both_and_refuses_a_stranger_office(mfa_client, pair_cohort, pair, organisation,
                                                                      other_organisation):
    peer, coworker = pair
    client = mfa_client(peer)
    url = f"/training/cohorts/{pair_cohort.pk}/apply/"
    page = client.get(url).content.decode()
    assert "<legend>" in page and 'data-counter="1000"' in page and "js/counter.js" in page
    values = {"organisation": organisation.pk, "peer_email": peer.email, "peer_eligibility": "employed",
              "supporter_email": coworker.email, "supporter_eligibility": "coworker", "consent": "on"}
    # The office offered is one of the person's own; another is refused by the form.
    response = client.post(url, {**values, "organisation": other_organisation.pk})
    assert response.status_code == 200 and not Application.objects.exists()
    response = client.post(url, {**values, "supporter_email": "stranger@example.test"})
    assert "stranger@example.test" in response.content.decode() and not Application.objects.exists()
    response = client.post(url, {**values, "accommodation_request": "あ" * 1001})
    assert response.status_code == 200 and not Application.objects.exists()
    assert client.post(url, values).status_code == 302
    assert Application.objects.filter(pair__isnull=False).count() == 2


def test_the_public_form_stores_an_unconfirmed_application_and_resists_robots(
        client, pair_cohort, organisation, settings, django_capture_on_commit_callbacks):
    url = f"/training/cohorts/{pair_cohort.pk}/apply/public/"
    page = client.get(url).content.decode()
    assert 'class="trap" aria-hidden="true"' in page and "captcha" not in page.lower()
    values = {"name": "山田 花子", "kana": "やまだ はなこ", "email": "hanako@example.test",
              "organisation": organisation.pk, "role": "peer", "eligibility": "employed",
              "partner_name": "佐藤 一郎", "partner_kana": "さとう いちろう", "partner_email": "ichiro@example.test",
              "partner_eligibility": "coworker", "consent": "on"}
    # A robot fills the hidden field: the same answer, nothing stored.
    assert client.post(url, {**values, "website": "http://spam.test"}).status_code == 200
    assert not Application.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, values).status_code == 200
    assert Application.objects.filter(state="unconfirmed").count() == 2
    # The emailed link opens a page with a button; opening it alone confirms nothing.
    link = re.search(r"https?://\S+/training/applications/confirm/\?key=\S+", mail.outbox[-1].body).group(0)
    path = link.split("testserver", 1)[-1]
    assert client.get(path).status_code == 200
    assert Application.objects.filter(state="unconfirmed").count() == 2
    key = path.split("key=", 1)[1]
    assert client.post("/training/applications/confirm/", {"key": key}).status_code == 200
    assert Application.objects.filter(state="submitted").count() == 2
    assert client.post("/training/applications/confirm/", {"key": "forged"}).status_code == 400


def test_the_public_form_is_rate_limited_per_address(client, cohort, organisation, settings):
    settings.KAKEHASHI_PUBLIC_APPLY_LIMIT = 2
    url = f"/training/cohorts/{cohort.pk}/apply/public/"
    for _ in range(2):
        assert client.post(url, {"name": "x"}).status_code == 200
    response = client.post(url, {"name": "x"})
    assert response.status_code == 429 and response["Retry-After"]


def test_staff_table_offers_only_valid_actions_and_keeps_the_pair_together(
        mfa_client, trainer, body, pair_cohort, pair, organisation, make_user):
    peer, coworker = pair
    first, second = submit(pair_cohort, peer, peer, coworker, organisation)
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/cohorts/{pair_cohort.pk}/"
    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    group = re.search(r'<tbody class="pair records-group" id="pair-%d">(.*?)</tbody>' % first.pk, page, re.S).group(1)
    assert "当事者 花子" in group and "支援者 太郎" in group
    assert 'class="records"' in page and 'data-label=' in page
    # Submitted: the pair can be selected, wait-listed or declined; nothing is offered that the
    # state does not allow (no "Enrol" before selection).
    assert 'name="to" value="selected"' in group and 'name="to" value="enrolled"' not in group
    application_transition(application=first, to_state="selected", actor=trainer)
    page = client.get(url).content.decode()
    group = re.search(r'<tbody class="pair records-group" id="pair-%d">(.*?)</tbody>' % first.pk, page, re.S).group(1)
    assert 'value="enrolled"' in group and 'value="selected"' not in group and 'value="waitlisted"' not in group


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def test_staff_table_fixed_queries_as_rows_grow(mfa_client, trainer, body, pair_cohort, pair, organisation,
                                                make_user, django_assert_num_queries):
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/cohorts/{pair_cohort.pk}/"
    peer, coworker = pair
    submit(pair_cohort, peer, peer, coworker, organisation)
    _count(client, url)  # the first page of a session reads the session and roles once more
    before = _count(client, url)
    for _ in range(3):
        a, b = make_user(), make_user()
        works_at(a, organisation), works_at(b, organisation)
        submit(pair_cohort, a, a, b, organisation)
    with django_assert_num_queries(before):
        client.get(url)


def test_declining_a_pair_asks_to_confirm_then_declines_both(mfa_client, trainer, body, pair_cohort, pair,
                                                             organisation):
    peer, coworker = pair
    first, second = submit(pair_cohort, peer, peer, coworker, organisation)
    client = mfa_client(trainer)
    url = f"/staff/training/{body.pk}/applications/{first.pk}/action/"
    response = client.post(url, {"to": "declined"})
    assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
    first.refresh_from_db()
    assert first.state == "submitted"
    assert client.post(url, {"to": "declined", "confirm": "1"}).status_code == 302
    assert set(Application.objects.values_list("state", flat=True)) == {"declined"}


# ------------------------------------------------------------------ API
def test_api_pair_application_and_solo_refusal(client, pair_cohort, pair, organisation):
    from tests.conftest import login_as

    peer, coworker = pair
    login_as(client, peer)
    api = client
    solo = api.post("/api/v1/training/applications/", {"cohort": pair_cohort.pk, "consent": True}, content_type="application/json")
    assert solo.status_code == 400
    assert "当事者" in str(solo.json()) and "pairs" in str(solo.json())
    response = api.post("/api/v1/training/applications/", {
        "cohort": pair_cohort.pk, "consent": True, "organisation": organisation.pk,
        "peer_email": peer.email, "peer_eligibility": "employed",
        "supporter_email": coworker.email, "supporter_eligibility": "coworker"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["pair_role"] == "peer" and body["eligibility"] == "employed" and body["pair"]
    unknown = api.post("/api/v1/training/applications/", {
        "cohort": pair_cohort.pk, "consent": True, "organisation": organisation.pk,
        "peer_email": peer.email, "peer_eligibility": "employed",
        "supporter_email": "nobody@example.test", "supporter_eligibility": "coworker"}, content_type="application/json")
    assert unknown.status_code == 400 and "supporter_email" in str(unknown.json())


def test_personal_data_of_a_visitor_is_in_the_record_registry():
    from peers.personal_data import parts

    training = next(p for p in parts() if p.name == "training")
    table = next(t for t in training.tables() if t.name == "training_applications")
    assert {"applicant_name", "applicant_kana", "applicant_email", "pair_role", "eligibility"} <= set(table.fields)
    assert "training_unconfirmed_applications" in {k.code for k in training.retention_kinds}


def test_unconfirmed_visitor_applications_expire(pair_cohort, organisation):
    from peers.services.privacy import retention_apply

    made = _public(pair_cohort, organisation, confirm_url="")
    Application.objects.filter(pk__in=[a.pk for a in made]).update(created_at=timezone.now() - datetime.timedelta(days=30))
    retention_apply()
    assert not Application.objects.exists()
