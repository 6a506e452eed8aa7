"""Shared fixtures. Tests talk to the real database and channel layer named by the environment
(PostgreSQL and Redis in CI); with REQUIRE_SERVICES=1 a missing service fails the run."""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from peers.access import two_step_mark
from peers.models import Organisation, Prefecture, Role, User
from peers.services import role_grant

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "a-long-test-password-42"


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def _flush_through_the_history_guard() -> None:
    """Transactional tests (live_server, browser tests) end with Django's flush, which on SQLite
    empties every table with DELETE; the append-only history tables refuse that unless purging
    is on (peers/history.py). The flush turns it on in its own transaction. PostgreSQL flushes
    with TRUNCATE, which the triggers do not guard."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        return
    from django.db.backends.sqlite3.base import DatabaseOperations

    from peers.history import PURGE_TABLE

    original = DatabaseOperations.sql_flush
    if getattr(original, "through_history_guard", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        return [f"INSERT INTO {PURGE_TABLE} (on_at) VALUES (CURRENT_TIMESTAMP)", *statements,
                f"DELETE FROM {PURGE_TABLE}"]

    sql_flush.through_history_guard = True
    DatabaseOperations.sql_flush = sql_flush


_flush_through_the_history_guard()


def pytest_sessionstart(session):
    if not REQUIRE_SERVICES:
        return
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point at PostgreSQL")
    if not settings.REDIS_URL:
        problems.append("REDIS_URL must be set")
    elif not _redis_reachable(settings.REDIS_URL):
        problems.append(f"Redis is not reachable at {settings.REDIS_URL}")
    if chromium_path() is None:
        problems.append("Chromium is not installed (apt-get install chromium)")
    if problems:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but: " + "; ".join(problems))


def _is_transactional(item) -> bool:
    """As pytest-django decides it: a test that commits (and so flushes the database after it)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                               or (marker.args and marker.args[0])):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def _drives_browser(item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    """Work units for the two test processes (`--dist loadgroup`): a module's tests that run in
    a rolled-back transaction go together (the module's demo is loaded once). The tests that
    commit, and so flush the database and its seeds after them, are handed out after every
    other unit (pytest-django orders them after the rest, and those that drive the browser come
    last of all: `_browser_tests_last`), so the two processes share them: a module's committing
    tests are one unit ("commit:<module>"), and each browser test is a unit of its own (each
    loads its own demo after the flush before it, and the browser is the process's), so the
    slowest unit, not the slowest kind of test, bounds the run."""
    if _is_transactional(item):
        group = f"browser:{item.nodeid}" if _drives_browser(item) else f"commit:{item.path}"
    else:
        group = str(item.path)
    item.add_marker(pytest.mark.xdist_group(group))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """Before pytest-django's ordering (a stable sort: tests in a rolled-back transaction first,
    then those that commit, then those without a database), each of them stable:
    - the modules that drive the browser come last (and their browser tests after everything:
      `_BrowserTestsLast`);
    - within each module, the tests that read the demo (the `demo` fixture, loaded once for the
      module) run after the others, so a test that does not ask for the demo never sees it."""

    def reads_demo(item) -> bool:
        return "_demo_for_module" in getattr(item, "fixturenames", ())

    modules: dict = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)
    drives_browser = {path for path, its in modules.items()
                      if any("browser" in getattr(i, "fixturenames", ()) for i in its)}
    ordered = []
    for path in sorted(modules, key=lambda path: path in drives_browser):
        ordered += sorted(modules[path], key=reads_demo)
    items[:] = ordered


class _BrowserTestsLast:
    """After pytest-django's ordering: the tests that drive the browser move to the very end
    (stable), behind even the tests without a database. The one Chromium of a process starts
    with the first of them and stays open to the end of the session, and its event loop, which
    would disturb the async tests, never meets one: every unit handed to a process after a
    browser test is a browser test too."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        items.sort(key=lambda item: _is_transactional(item) and _drives_browser(item))


def pytest_configure(config):
    config.pluginmanager.register(_BrowserTestsLast(), "kakehashi-browser-tests-last")


class _DemoCopy:
    """The demo, loaded once per test process and then copied in, rather than loaded again for
    every module and every committing test (loading it walks through the services: seconds).

    - SQLite (the in-memory test database): snapshots made with SQLite's backup API, one of the
      freshly migrated database and one with the demo committed; copying a snapshot back
      replaces the whole database in milliseconds.
    - PostgreSQL: a database made from the test database as a template when the session starts
      (`<test>_demo`), into which the demo is loaded the first time it is needed; a module that
      reads the demo points the connection at it, and a committing test gets a fresh copy of it
      (`<test>_run`, `CREATE DATABASE ... TEMPLATE`), so nothing it commits reaches another test.

    Either way the data a test starts from is exactly what `load_demo` leaves, and a test that
    does not ask for the demo never sees it."""

    def __init__(self):
        self.vendor = None
        self.blank_name = None
        self.blank_snapshot = None
        self.demo_snapshot = None
        self.loaded = False

    # Names and connections -----------------------------------------------------------------
    @staticmethod
    def _connection():
        from django.db import connection

        return connection

    def _raw(self):
        """The SQLite connection itself (opened if this thread has not used it yet)."""
        connection = self._connection()
        connection.ensure_connection()
        return connection.connection

    def _use(self, name: str) -> None:
        connection = self._connection()
        connection.close()
        connection.settings_dict["NAME"] = name

    def _admin(self, *statements: str) -> None:
        connection = self._connection()
        with connection._nodb_cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    @property
    def _demo_name(self) -> str:
        return f"{self.blank_name}_demo"

    @property
    def _run_name(self) -> str:
        return f"{self.blank_name}_run"

    # Session -------------------------------------------------------------------------------
    def start(self) -> None:
        """Right after the test database is created (nothing else is connected to it yet)."""
        import sqlite3

        connection = self._connection()
        self.vendor = connection.vendor
        self.blank_name = connection.settings_dict["NAME"]
        if self.vendor == "postgresql":
            connection.close()
            self._admin(f'DROP DATABASE IF EXISTS "{self._run_name}" WITH (FORCE)',
                        f'DROP DATABASE IF EXISTS "{self._demo_name}" WITH (FORCE)',
                        f'CREATE DATABASE "{self._demo_name}" TEMPLATE "{self.blank_name}"')
        elif self.vendor == "sqlite":
            self.blank_snapshot = sqlite3.connect(":memory:", check_same_thread=False)
            self._raw().backup(self.blank_snapshot)

    def finish(self) -> None:
        if self.vendor == "postgresql":
            self._use(self.blank_name)
            self._admin(f'DROP DATABASE IF EXISTS "{self._run_name}" WITH (FORCE)',
                        f'DROP DATABASE IF EXISTS "{self._demo_name}" WITH (FORCE)')

    def _load(self) -> None:
        """The demo itself, committed in one transaction, the first time a test needs it."""
        if self.loaded:
            return
        if self.vendor == "postgresql":
            self._use(self._demo_name)
            _load_demo_in_one_transaction()
            self._use(self.blank_name)
        elif self.vendor == "sqlite":
            import sqlite3

            self.blank_snapshot.backup(self._raw())  # from the migrated database
            _load_demo_in_one_transaction()
            self.demo_snapshot = sqlite3.connect(":memory:", check_same_thread=False)
            self._raw().backup(self.demo_snapshot)
            self.blank_snapshot.backup(self._raw())
        self.loaded = True

    @property
    def copies(self) -> bool:
        """Whether this backend has a copy (SQLite, PostgreSQL); elsewhere the demo is loaded
        afresh each time, as before the copy existed."""
        return self.vendor in ("postgresql", "sqlite")

    # For a module that reads the demo ----------------------------------------------------------
    def enter_read_only(self) -> None:
        self._load()
        if self.vendor == "postgresql":
            self._use(self._demo_name)
        elif self.vendor == "sqlite":
            self.demo_snapshot.backup(self._raw())

    def leave_read_only(self) -> None:
        if self.vendor == "postgresql":
            self._use(self.blank_name)
        elif self.vendor == "sqlite":
            self.blank_snapshot.backup(self._raw())

    # For a test that commits -----------------------------------------------------------------
    def enter_committed(self) -> bool:
        """The demo as committed data for this test; False where this backend has no copy
        (then the caller loads it)."""
        if not self.copies:
            return False
        self._load()
        if self.vendor == "postgresql":
            self._use(self.blank_name)
            self._admin(f'DROP DATABASE IF EXISTS "{self._run_name}" WITH (FORCE)',
                        f'CREATE DATABASE "{self._run_name}" TEMPLATE "{self._demo_name}"')
            self._use(self._run_name)
        else:
            self.demo_snapshot.backup(self._raw())
        return True

    def leave_committed(self) -> None:
        """Before the flush that ends the test: back on the test database (PostgreSQL; on
        SQLite the copy is the test database and the flush empties it as usual)."""
        if self.vendor == "postgresql":
            self._use(self.blank_name)


_DEMO = _DemoCopy()


def _load_demo_in_one_transaction() -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import translation

    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        call_command("load_demo", "--quiet-summary")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and the demo copy beside it (`_DemoCopy`)."""
    with django_db_blocker.unblock():
        _DEMO.start()
    yield
    with django_db_blocker.unblock():
        _DEMO.finish()


@pytest.fixture(scope="module")
def _demo_for_module(django_db_setup, django_db_blocker):
    """The demo for a module's tests that read it: the process's demo copy, in place for the
    module. Each test (`db`) runs in a transaction that is rolled back, so every test starts
    from the freshly loaded demo whatever the one before it changed. On a backend without a
    copy, the demo is loaded for the module in a transaction rolled back at its end."""
    from django.db import transaction

    if not _DEMO.copies:
        with django_db_blocker.unblock(), transaction.atomic():
            _load_demo_in_one_transaction()
            yield
            transaction.set_rollback(True)
        return
    with django_db_blocker.unblock():
        _DEMO.enter_read_only()
    yield
    with django_db_blocker.unblock():
        _DEMO.leave_read_only()


@pytest.fixture
def demo_committed(transactional_db):
    """The demo as committed data, for a test that commits (a live server reads it from another
    connection): the process's demo copy (`_DemoCopy`); the flush after the test empties it."""
    if not _DEMO.enter_committed():
        _load_demo_in_one_transaction()
    yield
    _DEMO.leave_committed()


@pytest.fixture
def demo(_demo_for_module, db):
    """The demo data (accounts, organisations, courses, the website), for tests that start from it."""


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth remembers used TOTP codes and rate-limit hits in the cache: start each test clean."""
    from django.core.cache import cache

    from cms.routing import memory_clear

    cache.clear()
    memory_clear()
    yield
    cache.clear()
    memory_clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request to an /en/ page leaves English active in the thread; each test starts in
    Japanese, the site's default, so `reverse()` and rendered text do not depend on order."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def tokyo(db) -> Prefecture:
    return Prefecture.objects.get(code="13")


@pytest.fixture
def make_user(db):
    counter = iter(range(1, 10_000))

    def make(*, email: str | None = None, roles: list[tuple[str, dict]] | None = None, mfa: bool = False, **extra) -> User:
        number = next(counter)
        user = User.objects.create_user(
            email=email or f"person{number}@example.test",
            password=PASSWORD,
            display_name=extra.pop("display_name", f"Person {number}"),
            **extra,
        )
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        for role, scope in roles or []:
            role_grant(user=user, role=role, **scope)
        if mfa:
            TOTP.activate(user, TOTP_SECRET)
            # The object stands for a person who signed in with the second step: services and
            # selectors called with it directly grant its staff scopes. A request made with
            # client.force_login(user) does not: it needs login_two_step (or the real forms).
            as_verified(user)
        return user

    return make


@pytest.fixture
def organisation(tokyo) -> Organisation:
    return Organisation.objects.create(name="ピアサポートセンター東", prefecture=tokyo)


@pytest.fixture
def other_organisation(tokyo) -> Organisation:
    return Organisation.objects.create(name="ピアサポートセンター西", prefecture=tokyo)


@pytest.fixture
def manager(make_user, organisation) -> User:
    return make_user(roles=[(Role.MANAGER, {"organisation": organisation})], mfa=True)


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user(roles=[(Role.ADMIN, {})], mfa=True)


@pytest.fixture
def totp_now():
    """A valid code for TOTP_SECRET that allauth has not yet seen used."""

    def code() -> str:
        return pyotp.TOTP(TOTP_SECRET).now()

    return code


def with_mfa(user: User) -> User:
    """Turn two-step sign-in on for someone (every staff page requires it, whatever the role)."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, TOTP_SECRET)
    return user


def as_verified(user: User) -> User:
    """Mark a user object as having passed two-step sign-in (enrolling TOTP if needed), for
    tests that call selectors and services directly; the mark is still confirmed against the
    person's authenticators, as for a request."""
    with_mfa(user)
    return two_step_mark(user, passed=True)


def login_two_step(client, user: User) -> None:
    """Sign in the way a finished two-step sign-in leaves the session: force_login, then the
    authentication records allauth writes (a password step and an "mfa" step). Enrols TOTP
    first if the person has no authenticator."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    with_mfa(user)
    client.force_login(user)
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    session = client.session
    now = time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        {"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def signed_in(user: User, *, two_step: bool = True):
    """A test client signed in as the person: with the second step passed (TOTP enrolled when
    the person has none), or with the password alone (`two_step=False`)."""
    from django.test import Client

    client = Client()
    if two_step:
        login_two_step(client, user)
    else:
        client.force_login(user)
    return client


def login_as(client, user: User) -> None:
    """Sign in as a test would with the real forms: with the second step passed when the person
    has an authenticator (every staff fixture), with the password alone otherwise."""
    if Authenticator.objects.filter(user=user).exists():
        login_two_step(client, user)
    else:
        client.force_login(user)


@pytest.fixture
def two_step_client(client):
    """A client signed in with two-step sign-in passed (quick: no forms)."""

    def sign_in(user: User):
        login_two_step(client, user)
        return client

    return sign_in


def login_with_mfa(client, user: User) -> None:
    """Sign in through allauth's real forms, including the authenticator step."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(TOTP_SECRET).now()})
        assert response.status_code == 302, response.content[:500]


@pytest.fixture
def mfa_client(client):
    def sign_in(user: User):
        login_with_mfa(client, user)
        return client

    return sign_in


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one per test process, started by its first browser
    test (each test opens a context of its own). Its sync API keeps an event loop running in
    this thread while open, so the ORM's async-safety check is relaxed from then on; the browser
    tests run after every other test of the process (`_BrowserTestsLast`), so no async test
    meets that loop."""
    executable = chromium_path()
    if executable is None:
        if REQUIRE_SERVICES:
            pytest.fail("Chromium is required (REQUIRE_SERVICES=1) but was not found")
        pytest.skip("Chromium not installed; browser tests run where it is")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
