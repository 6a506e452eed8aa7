"""Managed vocabularies: seeded by migration with both labels; administrators extend them."""

from __future__ import annotations

import pytest
from django.utils import translation

from peers.models import Activity, OrganisationKind, ProfessionalRole
from tests.conftest import login_two_step, with_mfa

pytestmark = pytest.mark.django_db


def test_vocabularies_are_seeded_in_japanese_and_english():
    kind = OrganisationKind.objects.get(code="group-home")
    assert kind.name_ja == "共同生活援助（グループホーム）" and kind.name_en == "Group home"
    with translation.override("en"):
        assert str(kind) == "Group home"
    with translation.override("ja"):
        assert str(kind) == "共同生活援助（グループホーム）"
    assert ProfessionalRole.objects.filter(code="psw", name_ja="精神保健福祉士").exists()
    assert Activity.objects.filter(code="tojisha-kenkyu", name_ja="当事者研究").exists()
    assert OrganisationKind.objects.filter(code="hello-work").exists()


def _superuser(factories):
    from allauth.mfa.totp.internal.auth import TOTP

    user = factories.user(is_superuser=True, is_staff=True)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


def test_administrator_adds_a_vocabulary_term_in_the_editor(client, factories):
    login_two_step(client, _superuser(factories))
    assert client.get("/cms-admin/snippets/peers/activity/").status_code == 200
    response = client.post("/cms-admin/snippets/peers/activity/add/", {
        "code": "art-workshop", "name_ja": "アートワークショップ", "name_en": "Art workshop",
        "sort_order": 200, "is_active": "on",
    })
    assert response.status_code == 302
    assert Activity.objects.filter(code="art-workshop", name_en="Art workshop").exists()


def test_peer_cannot_manage_vocabularies(signed_in, peer):
    response = signed_in(with_mfa(peer)).get("/cms-admin/snippets/peers/activity/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/cms-admin/login/")


def test_editor_edits_of_a_vocabulary_go_through_the_service_with_its_audit(client, factories):
    """Adding and changing a term in the editor (Wagtail snippets) is `vocabulary_term_save`:
    one audit event each, naming what changed, as through the API."""
    from peers.models import AuditEvent

    admin = _superuser(factories)
    login_two_step(client, admin)
    response = client.post("/cms-admin/snippets/peers/activity/add/", {
        "code": "art-workshop", "name_ja": "アートワークショップ", "name_en": "Art workshop",
        "sort_order": 200, "is_active": "on",
    })
    assert response.status_code == 302
    term = Activity.objects.get(code="art-workshop")
    [added] = AuditEvent.objects.filter(action="vocabulary.activity.save", target_id=str(term.pk))
    assert added.actor == admin
    response = client.post(f"/cms-admin/snippets/peers/activity/edit/{term.pk}/", {
        "code": "art-workshop", "name_ja": "アート・ワークショップ", "name_en": "Art workshop",
        "sort_order": 200,
    })
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.name_ja == "アート・ワークショップ" and term.is_active is False
    edited = AuditEvent.objects.filter(action="vocabulary.activity.save", target_id=str(term.pk)).latest("pk")
    assert edited.pk != added.pk
    assert set(edited.data["changed"]) == {"name_ja", "is_active"}


def test_an_editor_edit_the_service_refuses_changes_nothing(client, factories, monkeypatch):
    """The service decides: when it refuses, the editor says why, saves nothing and writes no audit."""
    from peers.models import AuditEvent

    admin = _superuser(factories)
    login_two_step(client, admin)
    term = Activity.objects.get(code="listening")

    monkeypatch.setattr("peers.selectors.workforce.vocabulary_change_allowed", lambda *a, **k: False)
    response = client.post(f"/cms-admin/snippets/peers/activity/edit/{term.pk}/", {
        "code": "listening", "name_ja": "変えた", "name_en": "Listening", "sort_order": 1, "is_active": "on",
    })
    # The editor shows the form again with the service's reason; nothing is saved.
    assert response.status_code == 200
    assert "用語の一覧を変更できるのは管理者だけです。" in [str(m.message).strip() for m in response.context["messages"]]
    term.refresh_from_db()
    assert term.name_ja == "傾聴"
    assert not AuditEvent.objects.filter(action="vocabulary.activity.save").exists()
