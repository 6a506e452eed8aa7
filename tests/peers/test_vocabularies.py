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
