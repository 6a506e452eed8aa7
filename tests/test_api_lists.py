"""Every list of the API is one keyset page: `{"results": [...], "next": url|null}`.

The lists are found in the OpenAPI document (an operation whose answer is a `…Page`), so a new
list is checked without anyone naming it. For each, as the first demo person who sees rows:
the page has that shape; following `next` gives every row once, in order, whatever the page
size; a cursor we did not give out is a 400; and a page of 30 rows runs the same number of
queries as a page of 3 (rows are added, copies of a row the person sees, until there are more
than one page's worth).
"""

from __future__ import annotations

import itertools
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from peers.models import User
from peers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from tests.conftest import login_two_step

pytestmark = pytest.mark.django_db

ROLES = ["admin@example.org", "trainer@example.org", "manager@example.org", "coordinator@example.org",
         "peer@example.org", "pro@example.org"]
ROWS = 30  # more than one default page
assert ROWS > DEFAULT_PAGE_SIZE

# What identifies a row of a list whose rows carry no `id`.
ROW_KEY = {"/api/v1/meetings/{id}/attendance/": "user", "/api/v1/meetings/{id}/messages/": "seq"}

_counter = itertools.count(1)


@pytest.fixture
def demo():
    call_command("load_demo", "--quiet-summary")


def list_operations(schema: dict) -> list[str]:
    """Paths whose GET answers one page of a list."""
    paths = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        ref = get["responses"].get("200", {}).get("content", {}).get("application/json", {}).get("schema", {})
        name = ref.get("$ref", "").rsplit("/", 1)[-1]
        if name.endswith("Page"):
            page = schema["components"]["schemas"][name]
            assert set(page["properties"]) == {"results", "next"}, path
            assert page["properties"]["results"]["type"] == "array", path
            parameters = {p["name"] for p in get.get("parameters", [])}
            assert {"cursor", "page_size"} <= parameters, f"{path} does not document cursor and page_size"
            paths.append(path)
    return paths


def _new_person() -> User:
    n = next(_counter)
    from peers.models import Prefecture, ProfessionalRole, Profile

    person = User.objects.create_user(email=f"list-row-{n}@example.test", password=None, display_name=f"一覧 {n}")
    profile = Profile.objects.create(user=person, prefecture=Prefecture.objects.get(code="13"))
    profile.professional_roles.add(ProfessionalRole.objects.first())
    return person


def _copy(model, pk, i: int):
    """A copy of the row `pk`, changed where a copy would break a unique rule."""
    from collaboration.activity.models import ActivityEntry
    from collaboration.models import (
        AgendaItem,
        Attendance,
        ConsultationBody,
        Meeting,
        MeetingInvitation,
        Message,
    )
    from peers.models import Engagement, HonorariumPayment, Organisation
    from training.models import Application, Certification, Cohort, Completion, Course
    from training.services import certification_number

    if model is User:
        return _new_person()
    row = model.objects.get(pk=pk)
    row.pk = None
    row.id = None
    row._state.adding = True
    if model in (Organisation, ConsultationBody):
        row.name = f"{row.name} {i:03}"
    elif model in (Course, Meeting):
        row.title = f"{row.title} {i:03}"
    elif model is Cohort:
        row.name = f"{row.name} {i:03}"
    elif model is AgendaItem:
        row.order, row.action_item = 1000 + i, None
    elif model in (MeetingInvitation, Attendance):
        row.user = _new_person()
    elif model is Message:
        top = Message.objects.filter(meeting_id=row.meeting_id).order_by("-rev").values_list("rev", flat=True)[0]
        row.seq = row.rev = top + 1
    elif model is Engagement:
        row.person, row.previous = _new_person(), None
    elif model is Application:
        row.applicant, row.pair = _new_person(), None
    elif model is Completion:
        row.person, row.number = _new_person(), f"{row.number}-{i}"
    elif model is Certification:
        row.sequence = 9000 + i
        row.number = certification_number(body=row.body, year=row.year, sequence=row.sequence)
        row.recertification_of = None
    elif model is ActivityEntry:
        pass
    elif model is HonorariumPayment:
        row.source_reference = ""  # a source makes one payment per person
    row.save()
    return row


def _walked_models() -> dict:
    from collaboration.activity.models import ActivityEntry, SupervisionSession
    from collaboration.models import (
        ActionItem,
        AgendaItem,
        Attendance,
        ConsultationBody,
        Decision,
        Meeting,
        MeetingInvitation,
        Message,
    )
    from peers.models import Engagement, HonorariumPayment, Organisation
    from training.models import Application, Certification, Cohort, Completion, Course

    return {
        "/api/v1/organisations/": Organisation, "/api/v1/people/": User, "/api/v1/engagements/": Engagement,
        "/api/v1/training/courses/": Course, "/api/v1/training/cohorts/": Cohort,
        "/api/v1/training/cohorts/open/": Cohort, "/api/v1/training/applications/": Application,
        "/api/v1/training/completions/": Completion, "/api/v1/training/certifications/": Certification,
        "/api/v1/bodies/": ConsultationBody, "/api/v1/meetings/": Meeting,
        "/api/v1/meetings/{id}/agenda/": AgendaItem, "/api/v1/meetings/{id}/invitations/": MeetingInvitation,
        "/api/v1/meetings/{id}/attendance/": Attendance, "/api/v1/meetings/{id}/decisions/": Decision,
        "/api/v1/meetings/{id}/action-items/": ActionItem, "/api/v1/meetings/{id}/messages/": Message,
        "/api/v1/activity/entries/": ActivityEntry, "/api/v1/activity/supervision/": SupervisionSession,
        "/api/v1/honoraria/": HonorariumPayment, "/api/v1/me/honoraria/": HonorariumPayment,
    }


def _model_of(path: str):
    return _walked_models()[path]


def _walk(client, url: str, key: str, size: int) -> list:
    seen, next_url, pages = [], f"{url}?page_size={size}", 0
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, (next_url, response.content[:300])
        body = response.json()
        assert set(body) == {"results", "next"}
        assert len(body["results"]) <= size
        seen += [row[key] for row in body["results"]]
        next_url, pages = body["next"], pages + 1
        assert pages < 1000
    return seen


def _queries(client, url: str, size: int, cursor: str | None = None) -> tuple[list[str], int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": size, **({"cursor": cursor} if cursor else {})})
    assert response.status_code == 200
    return [q["sql"][:200] for q in queries.captured_queries], len(response.json()["results"])


def _someone_who_sees_rows(path: str, meetings: dict) -> tuple[Client, str]:
    """The first demo person (and, under a meeting, the first of their meetings) with rows."""
    for email in ROLES:
        client = Client()
        login_two_step(client, User.objects.get(email=email))
        urls = [path.replace("{id}", str(m)) for m in meetings[email]] if "{id}" in path else [path]
        for url in urls:
            response = client.get(url, {"page_size": MAX_PAGE_SIZE})
            if response.status_code == 200 and response.json()["results"]:
                return client, url
    raise AssertionError(f"no demo person sees a row of {path}: add one to the demo")


def _attendance_recorded() -> None:
    """The demo records no attendance: a coordinator marks the invitees of a meeting present."""
    from collaboration.models import Meeting
    from collaboration.selectors import meeting_access_for
    from collaboration.services import attendance_record
    from tests.conftest import as_verified

    for meeting in Meeting.objects.order_by("id"):
        for email in ROLES:
            person = as_verified(User.objects.get(email=email))
            access = meeting_access_for(person, meeting.pk)
            if access is not None and access.can_coordinate and meeting.invitations.exists():
                for invitation in meeting.invitations.all():
                    attendance_record(access=access, user=person, person=invitation.user, present=True)
                return
    raise AssertionError("no demo meeting has a coordinator and invitees")


def _erasure_requested() -> None:
    """The demo holds no erasure request: the demo peer asks for one (administrators list them)."""
    from peers.services.privacy import erasure_request

    erasure_request(person=User.objects.get(email="peer@example.org"), note="")


def test_every_list_is_a_keyset_page_that_walks_every_row_once_in_fixed_queries(client, demo):
    schema = client.get("/api/v1/openapi.json").json()
    paths = list_operations(schema)
    assert len(paths) >= 19, paths  # the lists of all four APIs, not a part of them
    _attendance_recorded()
    _erasure_requested()
    meetings = {}
    for email in ROLES:
        login_two_step(client, User.objects.get(email=email))
        meetings[email] = [m["id"] for m in client.get("/api/v1/meetings/", {"page_size": 100}).json()["results"]]
    for path in [p for p in paths if p in _walked_models()]:
        viewer, url = _someone_who_sees_rows(path, meetings)
        key = ROW_KEY.get(path, "id")
        first = viewer.get(url, {"page_size": MAX_PAGE_SIZE}).json()["results"]
        model = _model_of(path)
        template = first[0]["id"] if "id" in first[0] else None
        if template is None:  # attendance, messages: find the row by its meeting and key
            meeting = int(url.split("/")[4])
            template = model.objects.get(meeting_id=meeting, **{f"{key}_id" if key == "user" else key: first[0][key]}).pk
        made = [_copy(model, template, i) for i in range(max(0, ROWS - len(first)))]

        viewer.get(url)  # warm what lives for the process
        large, shown = _queries(viewer, url, ROWS)
        assert shown == ROWS, (path, shown)
        # The last 3 rows of that page on a page of their own (rows alike, so that a prefetch
        # that finds nothing to fetch on one page and something on the other counts the same).
        cursor = parse_qs(urlsplit(viewer.get(url, {"page_size": ROWS - 3}).json()["next"]).query)["cursor"][0]
        small, shown = _queries(viewer, url, 3, cursor)
        assert shown == 3, (path, shown)
        # A prefetch runs once per page, and not at all when no row on the page has anything to
        # fetch (people without a profile): compared apart, each at most once per page.
        def prefetches(sql):
            return [q for q in sql if "_prefetch_related_val" in q]

        assert len(large) - len(prefetches(large)) == len(small) - len(prefetches(small)), (
            f"{path}: {len(small)} queries for 3 rows, {len(large)} for {ROWS}:\n"
            + "\n".join(large) + "\n---\n" + "\n".join(small))
        assert len(set(prefetches(large))) == len(prefetches(large)), path

        by_default = _walk(viewer, url, key, DEFAULT_PAGE_SIZE)
        assert len(by_default) == len(set(by_default)), f"{path} repeats a row"
        assert len(by_default) > DEFAULT_PAGE_SIZE, path
        assert _walk(viewer, url, key, 7) == by_default == _walk(viewer, url, key, MAX_PAGE_SIZE), path
        if key == "id" and model is not User:
            assert {row.pk for row in made} <= set(by_default), f"{path} leaves rows out"

        bad = viewer.get(url, {"cursor": "not-a-cursor"})
        assert bad.status_code == 400, (path, bad.status_code)
        assert "json" in bad["Content-Type"], path
        assert viewer.get(url, {"page_size": MAX_PAGE_SIZE + 1}).status_code == 400, path


def test_the_other_lists_answer_pages_and_refuse_bad_cursors(client, demo):
    """The lists added since the walk above was written (consents, vocabularies, materials,
    continuing education, renewal requests, …): for each, someone who may read it gets a page
    of the one shape, following `next` repeats no row, and a bad cursor or page size is a 400.
    (The walk with 30 copied rows and pinned queries covers the lists in _walked_models.)"""
    schema = client.get("/api/v1/openapi.json").json()
    others = [p for p in list_operations(schema) if p not in _walked_models()]
    assert others, "every list is walked above: fold this test into it"
    meetings = {}
    for email in ROLES:
        login_two_step(client, User.objects.get(email=email))
        meetings[email] = [m["id"] for m in client.get("/api/v1/meetings/", {"page_size": 100}).json()["results"]]
    # Lists that answer only with a question (the search): asked one; its paging is walked in
    # tests/cms/test_search.py.
    asked = {"/api/v1/search/": {"q": "ピアサポート"}}
    for path in others:
        answered = False
        for email in ROLES:
            viewer = Client()
            login_two_step(viewer, User.objects.get(email=email))
            if path.startswith("/api/v1/meetings/{id}/"):
                urls = [path.replace("{id}", str(m)) for m in meetings[email][:1]]
            elif "{" in path:
                urls = []  # another record in the path (an organisation): read by its own tests
            else:
                urls = [path]
            for url in urls:
                response = viewer.get(url, {"page_size": 2, **asked.get(path, {})})
                if response.status_code != 200:
                    continue
                answered = True
                body = response.json()
                assert set(body) == {"results", "next"}, path
                key = "id" if body["results"] and "id" in body["results"][0] else None
                if key and path not in asked:
                    seen = _walk(viewer, url, key, 2)
                    assert len(seen) == len(set(seen)), f"{path} repeats a row"
                assert viewer.get(url, {"cursor": "not-a-cursor", **asked.get(path, {})}).status_code == 400, path
                assert viewer.get(url, {"page_size": MAX_PAGE_SIZE + 1}).status_code == 400, path
        assert answered or not path.startswith("/api/v1/meetings/{id}/") and "{" in path, (
            f"nobody in the demo may read {path}")


# --- The lists added for issue 14's last models: each walked over 30 rows made for it ---------


def _new_lists_world():
    """An administrator (who reads every one of these lists) and, for each list, its address and
    a maker of one more row."""
    import datetime

    from django.utils import timezone

    from collaboration.activity.models import ActivityVerifier
    from collaboration.models import BodyMember, ConsultationBody, Sector
    from peers.models import Invitation, Organisation, Prefecture, Region, Role
    from peers.services import role_grant
    from training.models import (
        CECategory,
        Cohort,
        Course,
        CourseKind,
        Instructor,
        PeerSupportDeliveryCount,
        StaffingFiling,
        TrainingBody,
    )

    tokyo = Prefecture.objects.get(code="13")
    admin = User.objects.create_user(email="lists-admin@example.test", password=None, display_name="一覧 管理者")
    role_grant(user=admin, role=Role.ADMIN)
    org = Organisation.objects.create(name="一覧事業所", prefecture=tokyo)
    body = TrainingBody.objects.create(organisation=Organisation.objects.create(name="一覧研修機構", prefecture=tokyo),
                                       number_prefix="LST")
    course = Course.objects.create(body=body, kind=CourseKind.INITIAL, title="一覧研修")
    now = timezone.now()
    cohort = Cohort.objects.create(course=course, name="一覧 2026", year=2026, prefecture=tokyo, place="会場",
                                   capacity=10, applications_open=now, applications_close=now + datetime.timedelta(days=1))
    cbody = ConsultationBody.objects.create(name="一覧協議の場", level=ConsultationBody.Level.PREFECTURE,
                                            prefecture=tokyo)
    n = itertools.count(1)

    def month() -> datetime.date:
        i = next(n)
        return datetime.date(2000 + i // 12, i % 12 + 1, 1)

    makers = {
        f"/api/v1/bodies/{cbody.pk}/members/": lambda: BodyMember.objects.create(
            body=cbody, user=_new_person(), sector=Sector.PEER),
        f"/api/v1/activity/organisations/{org.pk}/supervisors/": lambda: ActivityVerifier.objects.create(
            organisation=org, user=_new_person()),
        f"/api/v1/training/cohorts/{cohort.pk}/instructors/": lambda: Instructor.objects.create(
            cohort=cohort, name=f"講師 {next(n)}"),
        f"/api/v1/organisations/{org.pk}/delivery-counts/": lambda: PeerSupportDeliveryCount.objects.create(
            organisation=org, month=month(), service_users=3),
        f"/api/v1/organisations/{org.pk}/staffing-filings/": lambda: StaffingFiling.objects.create(
            organisation=org, month=month(), snapshot={}),
        "/api/v1/invitations/": lambda: Invitation.objects.create(
            email=f"invitee-{next(n)}@example.test", role=Role.PEER, organisation=org,
            expires_at=now + datetime.timedelta(days=7)),
        "/api/v1/training/ce-categories/": lambda: CECategory.objects.create(body=body, name=f"区分 {next(n)}"),
        "/api/v1/regions/": lambda: Region.objects.create(prefecture=tokyo, name_ja=f"圏域 {next(n)}"),
        "/api/v1/training/bodies/": lambda: TrainingBody.objects.create(
            organisation=Organisation.objects.create(name=f"研修機構 {next(n)}", prefecture=tokyo),
            number_prefix=f"L{next(n)}"),
        "/api/v1/me/roles/": lambda: role_grant(
            user=admin, role=Role.MANAGER,
            organisation=Organisation.objects.create(name=f"管理先 {next(n)}", prefecture=tokyo)),
    }
    return admin, makers


NEW_LISTS = ["members", "supervisors", "instructors", "delivery-counts", "staffing-filings", "invitations",
             "ce-categories", "regions", "training/bodies", "me/roles"]


def test_the_new_lists_walk_every_row_once_in_fixed_queries(client, db):
    admin, makers = _new_lists_world()
    assert len(makers) == len(NEW_LISTS)
    login_two_step(client, admin)
    schema = client.get("/api/v1/openapi.json").json()
    documented = list_operations(schema)
    for url, make in makers.items():
        template = next((p for p in documented if _matches(p, url)), None)
        assert template, f"{url} is not documented as a list"
        while len(client.get(url, {"page_size": MAX_PAGE_SIZE}).json()["results"]) < ROWS:
            make()
        client.get(url)  # warm what lives for the process
        large, shown = _queries(client, url, ROWS)
        assert shown == ROWS, (url, shown)
        cursor = parse_qs(urlsplit(client.get(url, {"page_size": ROWS - 3}).json()["next"]).query)["cursor"][0]
        small, shown = _queries(client, url, 3, cursor)
        assert shown == 3, (url, shown)
        assert len(large) == len(small), f"{url}: {len(small)} queries for 3 rows, {len(large)} for {ROWS}:\n" + \
            "\n".join(large) + "\n---\n" + "\n".join(small)
        by_default = _walk(client, url, "id", DEFAULT_PAGE_SIZE)
        assert len(by_default) == len(set(by_default)) >= ROWS, f"{url} repeats or leaves out a row"
        assert _walk(client, url, "id", 7) == by_default == _walk(client, url, "id", MAX_PAGE_SIZE), url
        bad = client.get(url, {"cursor": "not-a-cursor"})
        assert bad.status_code == 400 and "json" in bad["Content-Type"], url
        assert client.get(url, {"page_size": MAX_PAGE_SIZE + 1}).status_code == 400, url


def _matches(template: str, url: str) -> bool:
    parts, actual = template.strip("/").split("/"), url.strip("/").split("/")
    return len(parts) == len(actual) and all(p == a or p.startswith("{") for p, a in zip(parts, actual, strict=True))
