"""The access matrix: every URL pattern of the URLconf × every role × with and without two-step
sign-in, with path parameters filled by another side's records (tests/access_world.py).

A cell fails on any server error, on a response that shows a marker of data the role must not
see (pages, JSON, CSV, spreadsheets, zips, files), on a file of another's record served to a role
that must not have it, and on a write (POST, PATCH, DELETE with a minimal body) that changes a
record the role may not change. The patterns are read from django.urls.get_resolver(), so a new
address is checked without anyone listing it; a parameter the world cannot fill fails the run.
Each request runs in a savepoint that is rolled back, so one fixture world serves the module.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass

import pyotp
import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import access_world
from .access_world import (
    ADMIN,
    COORDINATOR,
    EDITOR,
    MANAGER,
    PEER,
    PROFESSIONAL,
    SUPERVISOR,
    TRAINER,
    World,
)

pytestmark = pytest.mark.django_db

# ------------------------------------------------------------------ the clients (roles)

@dataclass(frozen=True)
class Who:
    key: str  # user key in the world, "" for anonymous
    role: str  # the matrix role its markers name
    two_step: bool  # passed in the session; for a token: the person has an authenticator
    token: bool = False  # an API token instead of a session (the API only)

    @property
    def id(self) -> str:
        if not self.key:
            return "anonymous"
        name = self.key if self.two_step or self.role in (PEER, PROFESSIONAL) else f"{self.role}-no2fa"
        return f"{name}-token" if self.token else name

    def may_see(self, roles: frozenset[str]) -> bool:
        # A staff capability without two-step sign-in reaches nothing beyond the person's own
        # record; people without one (peers, professionals) never need it.
        if not self.key or (not self.two_step and self.role not in (PEER, PROFESSIONAL)):
            return False
        return self.role in roles


STAFF = (MANAGER, TRAINER, COORDINATOR, ADMIN, SUPERVISOR, EDITOR)
WHO = [Who("", "anonymous", False), Who("peer", PEER, False), Who("professional", PROFESSIONAL, False)]
WHO += [Who(role, role, True) for role in STAFF] + [Who(f"{role}-no2fa", role, False) for role in STAFF]
# API tokens: a staff person's token with and without two-step sign-in enrolled.
WHO += [Who(role, role, True, token=True) for role in (MANAGER, TRAINER, ADMIN, SUPERVISOR)]
WHO += [Who(f"{role}-no2fa", role, False, token=True) for role in (MANAGER, TRAINER, ADMIN, SUPERVISOR)]


def api_token_for(user) -> str:
    """A read-and-write API token for the person (peers.ApiToken, made through the service;
    for someone without an authenticator: as if they turned two-step sign-in off afterwards)."""
    from tests.api_token_support import bearer_for

    return bearer_for(user, name="access matrix")


# ------------------------------------------------------------------ walking the URLconf

# Infrastructure left out of the walk, each with why; the sampled entry points below stand in.
SKIPPED_PREFIXES = {
    "cms-admin/": "Wagtail's admin: its own permission system; sampled at its entry points (ADMIN_SAMPLES)",
    "django-admin/": "Django's admin: superusers only; sampled at its entry point (ADMIN_SAMPLES)",
}
SKIPPED_NAMES = {
    "wagtail_serve": "Wagtail's page-serving catch-all: tested through every demo page type (wagtail_pages)",
}
ADMIN_SAMPLES = ["/cms-admin/", "/cms-admin/pages/", "/cms-admin/users/", "/cms-admin/reports/site-history/",
                 "/cms-admin/documents/", "/cms-admin/snippets/", "/django-admin/"]

# How each path parameter is filled: by the parameter's name, or for `pk` by the address
# segment before it. Values are keys of World.ids (lists try each).
BY_NAME = {
    "body_id": ["training_body"], "day_id": ["cohort_day"], "material_pk": ["material", "public_material"],
    "verifier_pk": ["verifier"], "number": ["certificate_number"], "proposal_pk": ["proposal"],
    "restriction_id": ["restriction"], "page_view_restriction_id": ["restriction"], "page_id": ["restricted_page"],
}
BY_SEGMENT = {
    "engagements": ["engagement", "job"], "organisations": ["organisation"], "people": ["person"],
    "leave": ["leave"], "accommodations": ["accommodation"],
    "meetings": ["meeting", "past_meeting"], "bodies": ["consultation_body"], "staffing": ["organisation"],
    "courses": ["course"], "credential-types": ["credential_type"], "cohorts": ["cohort"],
    "applications": ["application"], "completions": ["completion"], "certifications": ["certification"],
    "ce": ["ce"], "entries": ["activity_entry", "private_entry"], "activity": ["activity_entry", "private_entry"],
    "supervision": ["supervision"], "action-items": ["action_item"], "erasure": ["erasure"],
    "keys": ["authenticator"], "tokens": ["api_token"], "honoraria": ["honorarium_payment"],
    "proposals": ["proposal"],
}
# Parameters that name a variant of the page rather than a record.
LITERALS = {
    "fmt": ["csv", "xlsx", "json", "zip"],
    "shape": ["organisations", "people"],
    "purpose": ["revocation", "suspension"],  # the credential status lists
    "list_id": ["1"],
    "name": ["certifications", "applications", "engagements", "activity", "attendance"],  # the comparison tables
}
# Tokens, by the address they belong to.
TOKENS = {"peers:invitation_accept": ["invitation_token"], "calendar_feed": ["calendar_token"]}
# Regular-expression patterns (allauth's keys, Wagtail's documents): whole addresses.
REGEX_ADDRESSES = {
    "account_confirm_email": lambda w: ["/accounts/confirm-email/not-a-real-key/"],
    "account_reset_password_from_key": lambda w: [f"/accounts/password/reset/key/{w.ids['person_b36']}-bad-token/"],
    "wagtaildocs_serve": lambda w: [w.ids["document_url"]],
    # Every address under /api/v1/ that no endpoint has: 404 problem details for everyone.
    "api_no_such_address": lambda w: ["/api/v1/no-such-address/", f"/api/v1/organisations/-{w.ids.get('org_a', 1)}/"],
}


def _actions(name: str) -> list[str]:
    """The `action` parameter: every action the view knows (read from its own table)."""
    if name == "training_api:certification_action":
        from training.api.views import CERTIFICATION_ACTIONS

        return sorted(CERTIFICATION_ACTIONS)
    if name == "collaboration:staff_meeting_action":
        from collaboration.views.meetings import STAFF_ACTIONS

        return sorted(STAFF_ACTIONS)
    if name == "collaboration:proposal_action":
        from collaboration.views.proposals import ACTIONS

        return sorted(ACTIONS)
    return []


@dataclass(frozen=True)
class Address:
    name: str
    route: str
    path: str
    api: bool
    filled_with: frozenset[str] = frozenset()
    side: str = "B"


def walk(resolver=None, prefix: str = "", namespace: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}{pattern.namespace}:"
            yield from walk(pattern, route, ns)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}" if pattern.name else route, pattern


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>\w+)>")


def addresses(world: World, side: str = "B") -> tuple[list[Address], list[str]]:
    """Every address of the URLconf filled with one side's records (B: another organisation,
    body, region, person; A: people inside the signed-in roles' own scopes), and the patterns
    that could not be filled."""
    found, unfilled = [], []
    ids = world.ids if side == "B" else world.ids_a
    for route, name, _pattern in walk():
        if route.startswith(tuple(SKIPPED_PREFIXES)) or name in SKIPPED_NAMES:
            continue
        api = route.startswith("api/")
        if name in REGEX_ADDRESSES:
            if side == "B":
                found += [Address(name, route, p, api) for p in REGEX_ADDRESSES[name](world)]
            continue
        if side == "A" and "<" not in route:
            continue  # the same address as on side B
        if route.startswith("^") or "(?P" in route or "(" in route:
            unfilled.append(f"{route} ({name}): a regular-expression pattern with no entry in REGEX_ADDRESSES")
            continue
        combos = [{}]
        ok = True
        for match in PARAM.finditer(route):
            parameter = match["parameter"]
            before = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            if parameter in LITERALS:
                values = [(v, "") for v in LITERALS[parameter]]
            elif parameter == "action" and _actions(name):
                values = [(v, "") for v in _actions(name)]
            elif parameter == "token" and name in TOKENS:
                values = [(ids[k], k) for k in TOKENS[name]]
            elif parameter in BY_NAME:
                values = [(ids[k], k) for k in BY_NAME[parameter]]
            elif parameter == "pk" and before in BY_SEGMENT:
                values = [(ids[k], k) for k in BY_SEGMENT[before]]
            else:
                unfilled.append(f"{route} ({name}): no value for <{parameter}>")
                ok = False
                break
            combos = [{**c, parameter: (v, k)} for c in combos for v, k in values]
        if not ok:
            continue
        for combo in combos:
            kwargs = {p: v for p, (v, _k) in combo.items()}
            keys = frozenset(k for _v, k in combo.values() if k)
            try:
                path = reverse(name, kwargs=kwargs)
            except Exception as error:  # noqa: BLE001 - reported as an unfilled pattern
                unfilled.append(f"{route} ({name}): cannot reverse with {kwargs}: {error}")
                continue
            found.append(Address(name, route, path, api, keys, side))
    if side == "A":
        return found, unfilled
    found += [Address("wagtail_serve", "", p, False) for p in world.ids["wagtail_pages"]]
    found += [Address("wagtailadmin", "", p, False) for p in ADMIN_SAMPLES]
    return found, unfilled


# ------------------------------------------------------------------ the world, once per module

def _sign_in(client: Client, user, two_step: bool) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": access_world.PASSWORD})
    assert response.status_code == 302, response.content[:300]
    if two_step:
        response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(access_world.TOTP_SECRET).now()})
        assert response.status_code == 302, response.content[:300]
    assert client.get("/me/").status_code in (200, 302)


def _wagtail_world(world: World) -> None:
    """The demo website (every page type, both languages), a restricted page and a document."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document
    from wagtail.models import Page, PageViewRestriction

    from cms import demo as cms_demo
    from cms.models import ContentPage, HomePage, VerificationPage

    cms_demo.load()
    pages, seen = [], set()
    for page in Page.objects.live().specific().order_by("path"):
        key = (type(page).__name__, page.locale.language_code)
        if key in seen or page.depth < 2:
            continue
        seen.add(key)
        url = page.get_url()
        if url:
            pages.append(url)
            if isinstance(page, VerificationPage):
                pages.append(f"{url}?number={world.ids['certificate_number']}")
    home = HomePage.objects.filter(locale__language_code="ja").first()
    restricted = home.add_child(instance=ContentPage(title="限定ページ", slug="matrix-restricted", locale=home.locale))
    restricted.save_revision().publish()
    restriction = PageViewRestriction.objects.create(page=restricted, restriction_type="password", password="x")
    document = Document.objects.create(title="公開文書", file=ContentFile(b"public document", name="doc.txt"))
    world.ids.update({"wagtail_pages": pages, "restriction": restriction.pk, "restricted_page": restricted.pk,
                      "document_url": document.url})
    world.ids_a.update({"restriction": restriction.pk, "restricted_page": restricted.pk})


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    from django.utils.http import int_to_base36

    media = tempfile.TemporaryDirectory()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media.name), transaction.atomic():
        started = time.perf_counter()
        world = access_world.build(media.name)
        world.ids["person_b36"] = int_to_base36(world.ids["person"])
        _wagtail_world(world)
        clients = {}
        for who in WHO:
            client = Client()
            if who.token:
                client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_for(world.users[who.key])}")
            elif who.key:
                _sign_in(client, world.users[who.key], who.two_step)
            clients[who.id] = client
        found, unfilled = addresses(world)
        found_a, unfilled_a = addresses(world, "A")
        found, unfilled = found + found_a, unfilled + unfilled_a
        print(f"access matrix: world and sign-ins in {time.perf_counter() - started:.1f}s, {len(found)} addresses")
        yield world, clients, found, unfilled
        transaction.set_rollback(True)
    media.cleanup()


# ------------------------------------------------------------------ reading a response

def response_text(response) -> str:
    """Everything a response shows, as text: pages, JSON (escapes undone), CSV, the members of a
    zip or spreadsheet, files."""
    raw = response.raw
    parts = [raw]
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                parts += [archive.read(n) for n in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    text = "\n".join(p.decode("utf-8", "ignore") for p in parts)
    if "json" in response.get("Content-Type", ""):
        try:
            text += json.dumps(json.loads(raw), ensure_ascii=False)
        except ValueError:
            pass
    return text


def is_file(response) -> bool:
    kind = response.get("Content-Type", "")
    return "attachment" in response.get("Content-Disposition", "") or kind.startswith(
        ("application/pdf", "application/octet-stream", "image/", "text/calendar")
    )


# Records whose files only their people (and those who run them) may have.
PRIVATE_FILES = {"ce", "material", "certification", "completion", "engagement"}


def check(world: World, who: Who, address: Address, method: str, response, query: bool = False) -> list[str]:
    problems = []
    where = f"{method} {address.path}{'?<B ids>' if query else ''} ({address.name}, {address.side})"
    if response.status_code >= 500:
        return [f"{where}: HTTP {response.status_code}"]
    if response.status_code != 200:
        return []
    text = response_text(response)
    for marker, roles in world.markers.items():
        if who.may_see(roles) or marker in address.path:
            continue
        if address.name in world.public_on.get(marker, ()):
            continue
        if marker in text:
            problems.append(f"{where}: shows {marker!r}")
    file_roles = [access_world.B_RECORD if address.side == "B" else world.file_roles_a[k]
                  for k in address.filled_with & PRIVATE_FILES]
    if is_file(response) and any(not who.may_see(roles) for roles in file_roles):
        problems.append(f"{where}: serves the file of another's record ({response.get('Content-Type')})")
    return problems


def request(client: Client, address: Address, method: str, body: dict | None):
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)  # a copy: a request that signs out must not stick
    try:
        with transaction.atomic():
            call = getattr(client, method.lower())
            if method == "GET":
                response = call(address.path, body or {})
            elif address.api:
                response = call(address.path, json.dumps(body or {}), content_type="application/json")
            elif method == "POST":
                response = call(address.path, body or {})
            else:
                response = call(address.path)
            response.raw = b"".join(response.streaming_content) if response.streaming else response.content
            yield response
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies


# A minimal body: the fields many forms and endpoints read, with harmless values.
def minimal_body(world: World) -> dict:
    return {
        "reason": "matrix probe", "note": "matrix probe", "text": "matrix probe", "body": "matrix probe",
        "title": "matrix probe", "response": "attending", "to_state": "declined", "state": "declined",
        "status": "closed", "action": "withdraw", "end_date": "2026-12-01", "accepted": "true", "show": "1",
        "present": "true", "week_start": "2026-11-30", "organisation": world.ids["organisation"],
        "person": world.ids["person"], "user": world.ids["person"], "email": "probe@example.test",
    }


# A list read that names B's records in its filters.
def b_query(world: World) -> dict:
    return {
        "organisation": world.ids["organisation"], "body": world.ids["training_body"],
        "prefecture": world.ids["prefecture"], "region": world.ids["region"], "person": world.ids["person"],
        "meeting": world.ids["meeting"], "cohort": world.ids["cohort"], "holder": world.ids["person"],
    }


def rows_written() -> int:
    """Rows inserted, updated or deleted so far on this connection (cheap: a request that wrote
    nothing needs no snapshot)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return connection.connection.total_changes
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables")
        return int(cursor.fetchone()[0])


def protected_changes(world: World, who: Who, before: dict) -> list[str]:
    after = access_world.protected_state(world)
    return [
        group for group, (roles, rows) in after.items()
        if rows != before[group][1] and not who.may_see(roles)
    ]


# Addresses that take no form: written to only by reads' side effects, checked by the reads.
NOT_FORMS = {"wagtail_serve", "wagtailadmin", "wagtaildocs_serve", "sitemap", "openapi", "healthz"}

# Cells that fail for a reason too large to fix here: (who, address name, method) -> reason.
KNOWN_LEAKS: dict[tuple[str, str, str], str] = {}


def run_cell(matrix, who: Who, *, writes: bool) -> list[str]:
    world, clients, found, _unfilled = matrix
    client = clients[who.id]
    problems = []
    before = access_world.protected_state(world)
    body = minimal_body(world)
    for address in found:
        if who.token and not address.api:
            continue
        if writes and address.side == "A" and who.two_step:
            continue  # inside their own scopes staff with two-step may change records
        if writes and address.name in NOT_FORMS:
            continue
        if writes:
            methods = ["POST", "PATCH", "DELETE"] if address.api else ["POST"]
            if address.name == "account_logout":
                methods = []
        else:
            methods = ["GET"]
        for method in methods:
            if (who.id, address.name, method) in KNOWN_LEAKS:
                continue
            filtered_list = "<" not in address.route and (address.api or address.path.startswith("/staff/"))
            payloads = [body] if writes else [None] + ([b_query(world)] if filtered_list else [])
            for payload in payloads:
                written = rows_written()
                for response in request(client, address, method, payload):
                    problems += check(world, who, address, method, response, query=payload is not None and not writes)
                    if not writes or rows_written() == written:
                        continue
                    changed = protected_changes(world, who, before)
                    problems += [f"{method} {address.path} ({address.name}): changed {g}" for g in changed]
    return problems


# ------------------------------------------------------------------ the tests

def test_every_pattern_is_filled(matrix):
    """A pattern whose parameters the world cannot fill fails here, so the matrix never shrinks."""
    _world, _clients, found, unfilled = matrix
    assert unfilled == []
    names = {a.name for a in found}
    for route, name, _pattern in walk():
        if route.startswith(tuple(SKIPPED_PREFIXES)) or name in SKIPPED_NAMES:
            continue
        assert name in names, route


@pytest.mark.parametrize("who", WHO, ids=lambda w: w.id)
def test_reads(matrix, who):
    problems = run_cell(matrix, who, writes=False)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("who", WHO, ids=lambda w: w.id)
def test_writes(matrix, who):
    problems = run_cell(matrix, who, writes=True)
    assert problems == [], "\n".join(problems)
