"""The demo data: idempotent, and covers what the pages need to show."""

from __future__ import annotations

import pytest

from peers import demo
from peers.models import Engagement, Organisation, Profile, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent_and_covers_the_workforce():
    demo.load()
    counts = (Organisation.objects.count(), Engagement.objects.count(), User.objects.count())
    demo.load()
    assert (Organisation.objects.count(), Engagement.objects.count(), User.objects.count()) == counts
    demo_orgs = Organisation.objects.filter(name__in=[row[0] for row in demo.DEMO_ORGANISATIONS])
    assert demo_orgs.count() == 12
    assert set(demo_orgs.values_list("prefecture_id", flat=True)) == {"01", "13", "14"}
    peer = User.objects.get(email="peer@example.org")
    assert set(peer.engagements.values_list("kind", flat=True)) == set(Engagement.Kind.values)
    manager = User.objects.get(email="manager@example.org")
    assert RoleAssignment.objects.filter(user=manager, role=Role.MANAGER).count() == 3
    pro = Profile.objects.get(user__email="pro@example.org")
    assert pro.professional_roles.filter(code="psw").exists()
    roles = set(
        Profile.objects.filter(professional_roles__isnull=False)
        .values_list("professional_roles__code", flat=True)
    )
    assert len(roles) >= 3
    # Manager-recorded engagements are confirmed; the others wait for a manager.
    assert peer.engagements.filter(organisation__name=demo.MANAGER_ORGANISATION_NAME).get().confirmed_at
    assert peer.engagements.filter(confirmed_at__isnull=True).exists()
