"""Peers' pages link to the upper apps' pages through the registry those apps fill
(peers.links): the same links as before, for the same people, and peers' templates name no
upper app's address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from peers.links import registered_links, registered_panels
from peers.models import Role

pytestmark = pytest.mark.django_db

PEERS_TEMPLATES = Path(__file__).resolve().parents[2] / "site" / "templates" / "peers"


def _links(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def test_peers_templates_name_no_upper_app():
    for template in PEERS_TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\{% load [^%]*\b(training|collaboration|cms)\b", text), template
        for namespace in ("training:", "collaboration:", "activity:", "cms"):
            assert f"{{% url '{namespace}" not in text and f'{{% url "{namespace}' not in text, (template, namespace)


def test_upper_apps_fill_the_slots_in_their_ready():
    assert {link.url_name for link in registered_links("me_nav")} == {"activity:my_activity", "activity:supervision",
                                                                      "collaboration:meeting_list", "peers:home"}
    assert [link.url_name for link in registered_links("me_home")] == ["training:me"]
    assert [panel.name for panel in registered_panels("me_home")] == ["training_reminders",
                                                                      "training_evidence_requests"]


def test_a_persons_own_pages_link_to_activity_meetings_and_training(client, make_user):
    peer = make_user(roles=[(Role.PEER, {})])
    client.force_login(peer)
    links = _links(client.get(reverse("peers:home")))
    assert {reverse("activity:my_activity"), reverse("collaboration:meeting_list"), reverse("training:me")} <= links
    page = client.get(reverse("activity:my_activity")).content.decode()
    assert f'href="{reverse("activity:my_activity")}" aria-current="page"' in page


def test_staff_home_gives_a_manager_team_activity_but_no_coordinator_or_training_links(mfa_client, manager):
    response = mfa_client(manager).get(reverse("peers:staff_home"))
    links = _links(response)
    assert reverse("activity:staff_index") in links
    assert "チームの活動と確認待ちの記録" in response.content.decode()  # the manager's wording of the link
    assert reverse("collaboration:staff_meeting_list") not in links
    assert reverse("collaboration:staff_bodies") not in links
    assert reverse("training:staff_home") not in links


def test_staff_home_gives_a_coordinator_the_region_and_the_meetings(mfa_client, make_user, tokyo):
    coordinator = make_user(roles=[(Role.COORDINATOR, {"prefecture": tokyo})], mfa=True)
    links = _links(mfa_client(coordinator).get(reverse("peers:staff_home")))
    assert {reverse("activity:staff_index"), reverse("collaboration:staff_meeting_list"),
            reverse("collaboration:staff_bodies")} <= links
    assert reverse("training:staff_home") not in links


def test_staff_home_gives_an_administrator_the_training_pages(mfa_client, admin_user):
    links = _links(mfa_client(admin_user).get(reverse("peers:staff_home")))
    assert {reverse("training:staff_home"), reverse("activity:staff_index"),
            reverse("collaboration:staff_meeting_list")} <= links


def test_trainer_sees_the_training_pages_from_the_body_list(mfa_client, make_user, organisation):
    trainer = make_user(roles=[(Role.TRAINER, {"organisation": organisation})], mfa=True)
    response = mfa_client(trainer).get(reverse("peers:staff_home"))
    links = _links(response)
    assert reverse("training:staff_home") in links
    assert reverse("activity:staff_index") not in links  # neither manager nor coordinator


def test_organisation_staff_page_offers_the_staffing_check_to_its_manager(mfa_client, manager, organisation):
    links = _links(mfa_client(manager).get(reverse("peers:organisation_staff", args=[organisation.pk])))
    assert reverse("training:staffing", args=[organisation.pk]) in links
