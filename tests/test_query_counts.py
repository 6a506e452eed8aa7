"""Pages run a fixed, small number of queries; these pins fail when one creeps in."""

import pytest
from django.core.management import call_command

from peers.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", "--quiet-summary")


# A Wagtail page: the page and its specific row, the translations for the language switch, and
# the page's own reads (pages chosen in blocks; cohorts with their days and instructors).
@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/", 6), ("/en/", 7), ("/accounts/login/", 0),
        ("/about-peer-support/", 9), ("/en/about-peer-support/", 10),
        ("/courses/", 11), ("/en/courses/", 12),
    ],
)
def test_public_pages_query_count(client, demo, django_assert_num_queries, path, queries):
    client.get(path)  # warm caches that live for the process (site root, content types)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_my_page_query_count(client, demo, django_assert_num_queries):
    # session, user, roles, MFA status, renewal reminders
    client.force_login(User.objects.get(email="peer@example.org"))
    client.get("/me/")  # warm the process caches (site root, menus)
    with django_assert_num_queries(5):
        assert client.get("/me/").status_code == 200


def test_staff_home_query_count_does_not_grow_with_organisations(client, demo, django_assert_num_queries, mfa_client):
    from peers.models import Organisation, Prefecture, Role
    from peers.services import role_grant

    manager = User.objects.get(email="manager@example.org")
    client.force_login(manager)
    client.get("/staff/")
    with django_assert_num_queries(5) as before:
        assert client.get("/staff/").status_code == 200
    tokyo = Prefecture.objects.get(code="13")
    for n in range(20):
        role_grant(user=manager, role=Role.MANAGER, organisation=Organisation.objects.create(name=f"Org {n}", prefecture=tokyo))
    with django_assert_num_queries(len(before.captured_queries)):
        page = client.get("/staff/")
    assert "Org 19" in page.content.decode()
