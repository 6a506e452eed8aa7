"""Pages run a fixed, small number of queries; these pins fail when one creeps in."""

import pytest

from peers.models import User
from tests.conftest import login_as

pytestmark = pytest.mark.django_db


# A Wagtail page rendered (page cache off): the page (one query, its specific row joined), and
# the page's own reads (pages chosen in blocks; cohorts with their days; published minutes; a
# certificate with its type and body). The site, the route to the page, its view restrictions
# and its translations for the language switch come from the process's memory for the site
# version (cms.routing), warmed by the first view: 5 to 8 fewer since issue 20.
@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/", 1), ("/en/", 1), ("/accounts/login/", 0),
        ("/about-peer-support/", 2), ("/en/about-peer-support/", 2),
        ("/courses/", 3), ("/en/courses/", 3),
        ("/certificate-check/", 1), ("/en/certificate-check/", 1),
        ("/specialists/", 1), ("/en/specialists/", 1),
        ("/minutes/", 2), ("/en/minutes/", 2),
    ],
)
def test_public_pages_query_count(client, demo, django_assert_num_queries, settings, path, queries):
    settings.KAKEHASHI_PAGE_CACHE = False
    client.get(path)  # warm caches that live for the process (site root, content types, menus)
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_public_pages_from_the_page_cache_run_no_query(client, demo, django_assert_num_queries):
    paths = ["/", "/en/", "/about-peer-support/", "/en/courses/", "/en/certificate-check/",
             "/specialists/", "/en/minutes/", "/news/"]
    for path in paths:
        client.get(path)
    with django_assert_num_queries(0):
        for path in paths:
            assert client.get(path).status_code == 200


@pytest.mark.parametrize(("path", "queries"), [
    ("/en/certificate-check/?number=PSS", 3),  # a number that cannot be genuine: no lookup
    # The search index (issue 16) for a visitor: the pages' view restrictions, then the entries.
    ("/search/?q=ピアサポーター", 2), ("/en/search/?q=peer+support", 2),
    ("/en/search/?q=support&page=2", 2),
])
def test_verification_and_search_query_count(client, demo, django_assert_num_queries, path, queries):
    client.get(path)
    with django_assert_num_queries(queries):
        client.get(path)


def test_verification_result_query_count(client, demo, django_assert_num_queries):
    from training.models import Certification

    path = f"/en/certificate-check/?number={Certification.objects.first().number}"
    client.get(path)
    # 12 since issue 12: the last status change is read for the date the state began; 4 since
    # issue 20 (Wagtail's site, route and translations from memory, cms.routing).
    with django_assert_num_queries(4):
        assert client.get(path).status_code == 200


def test_directory_page_query_count_signed_in(client, demo, django_assert_num_queries):
    login_as(client, User.objects.get(email="peer@example.org"))
    client.get("/en/specialists/")
    # session, user, roles, MFA, the page, translations, the directory's profiles with roles and
    # workplaces, lived experience shown, and its access log in one insert (Wagtail's site, route
    # and translations from memory since issue 20, cms.routing)
    with django_assert_num_queries(10):  # two-step everywhere: -2 Wagtail userbar has_perm (no queries without the mark)
        assert client.get("/en/specialists/").status_code == 200


def test_my_page_query_count(client, demo, django_assert_num_queries):
    # session, user, roles, MFA status, renewal reminders, their renewal progress from the one
    # selector (hours by category, floors, renewal-course completions), evidence requested
    login_as(client, User.objects.get(email="peer@example.org"))
    client.get("/me/")  # warm the process caches (site root, menus)
    with django_assert_num_queries(9):
        assert client.get("/me/").status_code == 200


def test_staff_home_query_count_does_not_grow_with_organisations(client, demo, django_assert_num_queries, mfa_client):
    from peers.models import Organisation, Prefecture, Role
    from peers.services import role_grant

    manager = User.objects.get(email="manager@example.org")
    login_as(client, manager)
    client.get("/staff/")
    # session, user, roles, two-step confirmed, managed organisations, trainer organisations;
    # the counts of what waits: engagements to confirm, the named-supervisor check and the
    # entries waiting per organisation (one grouped query)
    with django_assert_num_queries(8) as before:
        assert client.get("/staff/").status_code == 200
    tokyo = Prefecture.objects.get(code="13")
    for n in range(20):
        role_grant(user=manager, role=Role.MANAGER, organisation=Organisation.objects.create(name=f"Org {n}", prefecture=tokyo))
    with django_assert_num_queries(len(before.captured_queries)):
        page = client.get("/staff/")
    assert "Org 19" in page.content.decode()


def test_display_settings_page_query_count(client, demo, django_assert_num_queries):
    # A visitor: the settings come from cookies, nothing from the database.
    client.cookies["text_size"] = "larger"
    client.get("/display/")
    with django_assert_num_queries(0):
        assert client.get("/display/?next=/").status_code == 200
    # Signed in: session, user and roles, the same for the account's fuller page.
    login_as(client, User.objects.get(email="peer@example.org"))
    client.get("/display/")
    with django_assert_num_queries(3):
        assert client.get("/display/?next=/me/").status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/account/preferences/").status_code == 200
