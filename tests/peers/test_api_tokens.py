"""API tokens: made on the account page after two-step sign-in, stored hashed, Bearer, expiring,
revocable, read-only or read-write, last use shown; a staff token loses staff data when the
person's two-step sign-in is removed."""

from __future__ import annotations

import datetime
import hashlib
import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone
from rest_framework.test import APIClient

from peers.models import ApiToken, AuditEvent
from peers.services import api_token_revoke
from tests.api_token_support import bearer_for
from tests.conftest import login_two_step
from tests.training.conftest import (  # noqa: F401 - fixtures
    body,
    completed,
    credential_type,
    ethics,
    general,
    initial_course,
    renewal_course,
    trainer,
)
from training.models import Certification
from training.services import certification_issue

pytestmark = pytest.mark.django_db

_SECRET = re.compile(r"kk_[0-9a-f]{12}_[0-9a-f]{64}")


def _bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _token(secret: str) -> ApiToken:
    return ApiToken.objects.get(prefix=secret.split("_")[1])


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    [error] = problem["errors"]
    assert error["code"] == code and set(error["message"]) == {"ja", "en"}
    assert error["message"]["ja"] != error["message"]["en"]
    return problem


@pytest.fixture
def certification(make_user, credential_type, completed, trainer):  # noqa: F811
    person = make_user(display_name="資格 保持者")
    completed(person)
    return certification_issue(credential_type=credential_type, holder=person, actor=trainer)


def test_the_secret_is_stored_only_as_its_sha256(make_user):
    person = make_user()
    secret = bearer_for(person)
    row = ApiToken.objects.filter(pk=_token(secret).pk).values().get()
    stored = json.dumps(row, default=str)
    assert secret not in stored and secret.split("_")[2] not in stored
    assert row["digest"] == hashlib.sha256(secret.split("_")[2].encode()).hexdigest()
    event = AuditEvent.objects.get(action="api_token.create", target_id=str(row["id"]))
    assert secret.split("_")[2] not in json.dumps(event.data)


def test_a_bearer_token_works_and_marks_last_use(make_user):
    person = make_user()
    secret = bearer_for(person)
    assert _token(secret).last_used_at is None
    response = _bearer(secret).get("/api/v1/people/me/")
    assert response.status_code == 200 and response.json()["id"] == person.pk
    assert _token(secret).last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(make_user):
    secret = bearer_for(make_user())
    client = _bearer(secret)
    client.get("/api/v1/people/me/")
    first = _token(secret).last_used_at
    client.get("/api/v1/people/me/")
    assert _token(secret).last_used_at == first
    ApiToken.objects.filter(pk=_token(secret).pk).update(last_used_at=timezone.now() - datetime.timedelta(seconds=61))
    client.get("/api/v1/people/me/")
    assert _token(secret).last_used_at > first


def test_expired_token_is_refused_with_401_problem(make_user):
    secret = bearer_for(make_user(), days=1)
    now = timezone.now()  # made two days ago for one day
    ApiToken.objects.filter(pk=_token(secret).pk).update(created_at=now - datetime.timedelta(days=2),
                                                         expires_at=now - datetime.timedelta(days=1))
    response = _bearer(secret).get("/api/v1/people/me/")
    _problem(response, 401, "token_expired")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_refused(make_user):
    person = make_user()
    secret = bearer_for(person)
    api_token_revoke(actor=person, token=_token(secret))
    _problem(_bearer(secret).get("/api/v1/people/me/"), 401, "token_revoked")


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer kk_short", "Bearer a b", "Bearer kk_000000000000_" + "0" * 64, "Token abcdef",
    "Bearer kk_ÿ", "Bearer \x00",
])
def test_unknown_or_malformed_tokens_get_401_problem(make_user, header):
    bearer_for(make_user())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    _problem(client.get("/api/v1/people/me/"), 401, "token_invalid")


def test_a_right_prefix_with_a_wrong_secret_is_refused(make_user):
    secret = bearer_for(make_user())
    forged = secret[: -4] + ("0000" if not secret.endswith("0000") else "1111")
    _problem(_bearer(forged).get("/api/v1/people/me/"), 401, "token_invalid")


def test_read_only_token_refuses_writes_and_changes_nothing(trainer, certification):  # noqa: F811
    secret = bearer_for(trainer, scope="read_only")
    client = _bearer(secret)
    assert client.get("/api/v1/training/certifications/").status_code == 200
    history = certification.history.count()
    response = client.post(f"/api/v1/training/certifications/{certification.pk}/suspend/",
                           {"reason": "確認中"}, format="json")
    _problem(response, 403, "token_read_only")
    certification.refresh_from_db()
    assert certification.status == Certification.Status.ACTIVE and certification.history.count() == history


def test_read_write_token_may_write(trainer, certification):  # noqa: F811
    client = _bearer(bearer_for(trainer, scope="read_write"))
    response = client.post(f"/api/v1/training/certifications/{certification.pk}/suspend/",
                           {"reason": "確認中"}, format="json")
    assert response.status_code == 200, response.content[:300]
    certification.refresh_from_db()
    assert certification.status == Certification.Status.SUSPENDED


def test_staff_token_loses_staff_data_when_two_step_is_removed(trainer, certification):  # noqa: F811
    client = _bearer(bearer_for(trainer, scope="read_only"))
    listing = client.get("/api/v1/training/certifications/")
    assert listing.status_code == 200
    assert [c["id"] for c in listing.json()["results"]] == [certification.pk]
    Authenticator.objects.filter(user=trainer).delete()
    _problem(client.get("/api/v1/training/certifications/"), 403, "two_step_required")
    own = client.get("/api/v1/people/me/")
    assert own.status_code == 200 and own.json()["id"] == trainer.pk


# ------------------------------------------------------------------ the page


def test_creation_needs_two_step_in_this_session(client, make_user, trainer):  # noqa: F811
    peer = make_user()
    client.force_login(peer)
    page = client.get("/me/tokens/")
    assert page.status_code == 200 and "/accounts/2fa/" in page.content.decode()
    response = client.post("/me/tokens/", {"name": "script", "scope": "read_only", "days": "90"})
    assert response.status_code == 403 and not ApiToken.objects.exists()
    # An authenticator but no second step in this session: still refused, sent to the second step.
    client.force_login(trainer)
    assert "/accounts/2fa/reauthenticate/" in client.get("/me/tokens/").content.decode()
    response = client.post("/me/tokens/", {"name": "script", "scope": "read_write", "days": "90"})
    assert response.status_code == 403 and not ApiToken.objects.exists()


def test_page_makes_a_token_shows_the_secret_once_and_lists_it(client, make_user):
    person = make_user()
    login_two_step(client, person)
    page = client.get("/me/tokens/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="read_only"' in html and re.search(r'value="read_only"[^>]*checked', html)
    response = client.post("/me/tokens/", {"name": "月次レポート", "scope": "read_only", "days": "30"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    [secret] = _SECRET.findall(response.content.decode())
    token = _token(secret)
    assert token.user == person and token.scope == "read_only" and token.name == "月次レポート"
    assert abs((token.expires_at - token.created_at) - datetime.timedelta(days=30)) < datetime.timedelta(seconds=1)
    listing = client.get("/me/tokens/").content.decode()
    assert "月次レポート" in listing and secret not in listing and secret.split("_")[2] not in listing
    assert f"kk_{token.prefix}_" in listing
    assert ("Never" in listing) or ("未使用" in listing)
    _bearer(secret).get("/api/v1/people/me/")
    token.refresh_from_db()
    shown = client.get("/me/tokens/").content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%H:%M") in shown


def test_the_database_refuses_a_token_that_expires_before_it_was_made(make_user):
    from django.db import IntegrityError, transaction

    token = _token(bearer_for(make_user()))
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)


def test_default_expiry_is_90_days(client, make_user):
    login_two_step(client, make_user())
    assert 'value="90"' in client.get("/me/tokens/").content.decode()
    client.post("/me/tokens/", {"name": "x", "scope": "read_write", "days": "90"})
    token = ApiToken.objects.get()
    assert (token.expires_at - token.created_at).days == 90


@pytest.mark.parametrize("data", [
    {"name": "x", "scope": "read_only", "days": "0"},
    {"name": "x", "scope": "read_only", "days": "366"},
    {"name": "x", "scope": "read_only", "days": "²"},
    {"name": "x\x00", "scope": "read_only", "days": "9"},
    {"name": "", "scope": "read_only", "days": "9"},
    {"name": "x", "scope": "admin", "days": "9"},
])
def test_bad_input_on_the_form_answers_400_and_makes_nothing(client, make_user, data):
    login_two_step(client, make_user())
    assert client.post("/me/tokens/", data).status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_asks_first(client, make_user):
    person = make_user()
    secret = bearer_for(person)
    token = _token(secret)
    client.force_login(person)  # revoking needs no second step: a lost authenticator must not stop it
    confirm = client.get(f"/me/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 200  # no confirmation: asks again
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(f"/me/tokens/{token.pk}/revoke/", {"confirm": "yes"})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", target_id=str(token.pk), actor=person).exists()
    _problem(_bearer(secret).get("/api/v1/people/me/"), 401, "token_revoked")


def test_no_one_sees_or_revokes_anothers_token(client, make_user):
    owner, other = make_user(), make_user()
    token = _token(bearer_for(owner))
    client.force_login(other)
    assert token.name not in client.get("/me/tokens/").content.decode() or not ApiToken.objects.filter(user=other)
    assert client.get(f"/me/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/me/tokens/{token.pk}/revoke/", {"confirm": "yes"}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_account_page_links_to_tokens(client, make_user):
    client.force_login(make_user())
    assert 'href="/me/tokens/"' in client.get("/me/").content.decode()


def test_openapi_documents_the_bearer_scheme(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    schemes = schema["components"]["securitySchemes"]
    [name] = [k for k, v in schemes.items() if v.get("type") == "http" and v.get("scheme") == "bearer"]
    assert "tokenAuth" not in schemes
    assert any({name: []} in op.get("security", []) for path in schema["paths"].values() for op in path.values()
               if isinstance(op, dict))
    description = schema["info"]["description"]
    for words in ("Bearer kk_", "90 days", "read_only", "token_read_only", "two_step_required", "401"):
        assert words in description, words
