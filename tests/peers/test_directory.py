"""The directory of people who opted in: only what each chose to show, searches that match only
shown fields, a fixed number of queries and keyset pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from peers.models import OrganisationKind, Profile, SensitiveAccess
from peers.services.privacy import consent_give, lived_experience_declare

pytestmark = pytest.mark.django_db


def _list(person, prefecture="14", languages="日本語, English", **public):
    Profile.objects.update_or_create(user=person, defaults={
        "prefecture_id": prefecture, "languages": languages, "directory_opt_in": True, **public,
    })


def _names(response) -> list[str]:
    return [p.user.display_name for p, _lived in response.context["entries"]]


def test_directory_shows_only_the_fields_each_person_chose(
    signed_in, peer, other_peer, org, factories, psw
):
    _list(peer, public_prefecture=True, public_roles=True)
    Profile.objects.get(user=peer).professional_roles.set([psw])
    _list(other_peer, public_languages=True, public_engagements=True)
    factories.engagement(person=other_peer, organisation=org)
    factories.engagement(person=peer, organisation=org, job_title="隠れた職場")
    hidden = factories.user(display_name="載せない人")
    _list(hidden)
    Profile.objects.filter(user=hidden).update(directory_opt_in=False)

    response = signed_in(peer).get(reverse("peers:directory"))
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert _names(response) == sorted(["ピア 陽子", "ピア 次郎"])
    assert "載せない人" not in main
    # ピア 次郎 shows languages and workplace, not prefecture.
    jiro_card = main.split("ピア 次郎", 1)[1].split("</li>", 1)[0]
    assert "日本語, English" in jiro_card and org.name in jiro_card and "神奈川" not in jiro_card
    # ピア 陽子 shows prefecture and role, not languages or where she works.
    yoko_card = main.split("ピア 陽子", 1)[1].split("</li>", 1)[0]
    assert "神奈川" in yoko_card and psw.name_ja in yoko_card
    assert "English" not in yoko_card and org.name not in yoko_card


def test_search_by_prefecture_matches_only_people_who_show_it(signed_in, peer, other_peer):
    _list(peer, public_prefecture=True)
    _list(other_peer, public_prefecture=False)  # lives in Kanagawa but keeps it private
    response = signed_in(peer).get(reverse("peers:directory"), {"prefecture": "14"})
    assert _names(response) == ["ピア 陽子"]
    assert _names(signed_in(peer).get(reverse("peers:directory"), {"prefecture": "13"})) == []


def test_search_by_setting_matches_current_shown_workplaces(
    signed_in, peer, other_peer, factories
):
    group_home = OrganisationKind.objects.get(code="group-home")
    home = factories.organisation(kind=group_home)
    _list(peer, public_engagements=True)
    _list(other_peer, public_engagements=False)
    factories.engagement(person=peer, organisation=home)
    factories.engagement(person=other_peer, organisation=home)
    ended = factories.user(display_name="元スタッフ")
    _list(ended, public_engagements=True)
    factories.engagement(person=ended, organisation=home, end_date=datetime.date(2024, 5, 1))
    response = signed_in(peer).get(reverse("peers:directory"), {"kind": "group-home"})
    assert _names(response) == ["ピア 陽子"]


def test_lived_experience_shown_to_the_directory_is_logged_for_the_person(
    signed_in, peer, other_peer
):
    _list(other_peer)
    consent_give(person=other_peer, purpose="lived_experience")
    lived_experience_declare(person=other_peer, relation="family", visibility="directory")
    html = signed_in(peer).get("/en" + reverse("peers:directory")).content.decode()
    assert "As a family member" in html
    access = SensitiveAccess.objects.get(person=other_peer)
    assert access.accessor == peer and access.category == "lived_experience"


def test_directory_needs_sign_in(client):
    response = client.get(reverse("peers:directory"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_directory_runs_fixed_queries_and_pages_by_keyset(
    signed_in, peer, factories, org, psw, django_assert_num_queries
):
    def add_people(start, count):
        for n in range(start, start + count):
            person = factories.user(display_name=f"名簿 {n:03d}")
            _list(person, public_prefecture=True, public_roles=True, public_engagements=True)
            Profile.objects.get(user=person).professional_roles.set([psw])
            factories.engagement(person=person, organisation=org)
            if n % 5 == 0:
                consent_give(person=person, purpose="lived_experience")
                lived_experience_declare(person=person, relation="personal", visibility="directory")

    add_people(0, 3)
    client = signed_in(peer)
    url = reverse("peers:directory")
    client.get(url)  # warm the cached menus (the cache is cleared before each test)
    # -2 since two-step everywhere: Wagtail's userbar asks has_perm, answered without queries
    # for a user who did not pass two-step sign-in
    with django_assert_num_queries(11):
        client.get(url, {"prefecture": "14"})
    add_people(3, 40)
    with django_assert_num_queries(11):
        response = client.get(url, {"prefecture": "14"})
    page = response.context["page"]
    assert len(page.items) == 25 and page.next_cursor
    second = client.get(url, {"prefecture": "14", "after": page.next_cursor})
    names = _names(response) + _names(second)
    assert names == [f"名簿 {n:03d}" for n in range(43)]
