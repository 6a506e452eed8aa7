"""Content-Security-Policy on every page type (issue 11), and the endpoint browsers report to."""

from __future__ import annotations

import json
import logging
import re

import pytest

from peers.models import User

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/en/", "/about-peer-support/", "/news/", "/courses/", "/certificate-check/", "/accounts/login/",
          "/en/accounts/login/"]
# Inline code our policy would refuse: a <script> that is not a file or a data block, a style
# element or attribute, an event handler attribute, a javascript: address.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|<style[\s>]|\sstyle=\"|\son[a-z]+=\"|href=\"javascript:",
    re.I,
)


def login_with_mfa(client, user) -> None:
    """A demo staff account through allauth's real forms, with its authenticator step."""
    import pyotp

    from peers.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    assert client.post("/accounts/login/", {"login": user.email, "password": DEMO_PASSWORD}).status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
    assert response.status_code == 302


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _assert_strict(response, path: str) -> str:
    header = response["Content-Security-Policy"]
    d = _directives(header)
    assert any(v.startswith("'nonce-") for v in d["script-src"]), path
    assert "'unsafe-inline'" not in d["script-src"] and "'unsafe-eval'" not in d["script-src"], path
    assert "'unsafe-inline'" not in d["style-src"], path
    assert d["default-src"] == ["'self'"] and d["object-src"] == ["'none'"], path
    assert d["frame-ancestors"] == ["'none'"] and d["base-uri"] == ["'self'"] and d["form-action"] == ["'self'"]
    assert d["img-src"] == ["'self'", "data:"], path
    assert "ws://testserver" in d["connect-src"] and "wss://testserver" in d["connect-src"]
    assert "ws:" not in d["connect-src"] and "wss:" not in d["connect-src"]  # this host only
    assert d["report-uri"] == ["/csp-report/"]
    if response.get("Content-Type", "").startswith("text/html"):
        found = INLINE.findall(response.content.decode())
        assert found == [], f"{path}: inline code {found[:3]}"
    return header


def test_every_page_type_carries_a_strict_policy_with_a_fresh_nonce(client, demo):
    from collaboration.models import Meeting
    from training.models import Certification

    number = Certification.objects.filter(holder__email="peer@example.org").first().number
    nonces = set()
    for path in [*PUBLIC, f"/certificate-check/?number={number}"]:
        response = client.get(path)
        assert response.status_code == 200, path
        nonces.add(_assert_strict(response, path))
    # Served again (some from the page cache): a new nonce each time.
    again = client.get("/")
    assert again["Content-Security-Policy"] not in nonces
    peer = User.objects.get(email="peer@example.org")
    client.force_login(peer)
    live = Meeting.objects.get(status="open")
    for path in ("/me/", "/me/activity/", "/me/training/", "/me/supervision/", f"/en/meetings/{live.pk}/room/",
                 "/directory/"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_strict(response, path)
    client.logout()
    manager = User.objects.get(email="manager@example.org")
    login_with_mfa(client, manager)
    from peers.selectors import organisation_list_managed_by
    from tests.conftest import as_verified

    organisation = organisation_list_managed_by(as_verified(manager)).first()
    for path in ("/staff/", "/staff/invitations/", f"/staff/activity/organisations/{organisation.pk}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_strict(response, path)
    response = client.get("/healthz")
    assert "'nonce-" in response["Content-Security-Policy"]


def test_wagtail_admin_has_its_own_policy_and_django_admin_the_strict_one(client, demo):
    login_with_mfa(client, User.objects.get(email="admin@example.org"))
    from wagtail.models import Page

    home = Page.objects.filter(depth=2).first()
    for path in ("/django-admin/", "/django-admin/auth/group/add/"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_strict(response, path)
    for path in ("/cms-admin/", f"/cms-admin/pages/{home.pk}/edit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        d = _directives(response["Content-Security-Policy"])
        # Wagtail and Django write inline scripts and styles of their own; a nonce would turn
        # 'unsafe-inline' off, so there is none here. Everything else stays strict.
        assert d["script-src"] == ["'self'", "'unsafe-inline'"], path
        assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'self'"] and d["form-action"] == ["'self'"]
        assert d["frame-ancestors"] == ["'self'"] and d["default-src"] == ["'self'"]
        assert d["report-uri"] == ["/csp-report/"]


def test_evidence_downloads_carry_a_sandbox_policy_of_their_own(client, make_user):
    from csp.middleware import CSPMiddleware  # noqa: F401 - the middleware must not replace it
    from django.http import HttpResponse

    from config.csp import KakehashiCSPMiddleware

    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    request = client.get("/").wsgi_request
    out = KakehashiCSPMiddleware(lambda r: response).process_response(request, response)
    assert out["Content-Security-Policy"] == "default-src 'none'; sandbox"


REPORT = {
    "csp-report": {
        "document-uri": "https://kakehashi.example/me/",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; script-src 'self' 'nonce-abc'; report-uri /csp-report/",
        "disposition": "enforce",
        "blocked-uri": "inline",
        "line-number": 12,
        "source-file": "https://kakehashi.example/me/",
        "status-code": 200,
        "script-sample": "",
    }
}


def test_report_endpoint_logs_a_real_report(client, caplog):
    with caplog.at_level(logging.WARNING, logger="kakehashi.csp"):
        response = client.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report")
        listed = client.post("/csp-report/", json.dumps([{"type": "csp-violation", "body": {
            "documentURL": "https://kakehashi.example/", "effectiveDirective": "style-src-attr",
            "blockedURL": "inline"}}]), content_type="application/reports+json")
    assert response.status_code == listed.status_code == 204
    messages = [r.getMessage() for r in caplog.records if r.name == "kakehashi.csp"]
    assert len(messages) == 2
    assert '"violated-directive": "script-src-elem"' in messages[0] and "original-policy" not in messages[0]
    assert '"effectiveDirective": "style-src-attr"' in messages[1]


@pytest.mark.parametrize("body", [
    b"", b"not json", b"\x00\xff\xfe{", b"null", b"42", b'"text"', b"[1, 2, 3]", b'{"csp-report": 7}',
    b"[" * 15000 + b"]" * 15000, json.dumps({"csp-report": {"blocked-uri": "x" * 20000}}).encode(),
])
def test_report_endpoint_never_fails_on_garbage(client, caplog, body):
    with caplog.at_level(logging.WARNING, logger="kakehashi.csp"):
        response = client.post("/csp-report/", body, content_type="application/csp-report")
    assert response.status_code == 204
    assert all(len(r.getMessage()) < 4000 for r in caplog.records)


def test_report_endpoint_refuses_other_methods_and_caps_what_it_logs(client, caplog):
    assert client.get("/csp-report/").status_code == 405
    with caplog.at_level(logging.WARNING, logger="kakehashi.csp"):
        for _ in range(40):
            assert client.post("/csp-report/", json.dumps(REPORT), content_type="application/csp-report").status_code == 204
    assert len([r for r in caplog.records if r.name == "kakehashi.csp"]) == 30  # per address and minute
