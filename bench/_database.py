"""The database of a bench run: PostgreSQL at BENCH_DATABASE_URL (see bench/__init__).

`python -m bench` calls `configure()` before Django starts (Wagtail's search backend and other
parts pick their implementation by the database vendor at start-up, so the database cannot be
swapped later). BENCH_DATABASE_URL=postgres://user@host:port[/name]: each bench creates a
throwaway database `<name>_<pid>` there (name default `kakehashi_bench`), migrated, and drops it
afterwards; the process id in the name means an existing database is never reused or
overwritten. BENCH_DATABASE_URL=sqlite://: an in-memory SQLite database instead.
"""

from __future__ import annotations

import contextlib
import os
from urllib.parse import urlsplit, urlunsplit

from bench import env_database_url

DEFAULT_NAME = "kakehashi_bench"


def database_url(url: str | None = None) -> str:
    """BENCH_DATABASE_URL with a database name (the default one when it names only a server)."""
    url = url or env_database_url()
    if url.startswith("sqlite"):
        return "sqlite://:memory:"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{parts.path.strip('/') or DEFAULT_NAME}"))


def throwaway_name(url: str | None = None) -> str:
    return f"{urlsplit(database_url(url)).path.strip('/')}_{os.getpid()}"


def configure() -> None:
    """Before django.setup(): Django's default database is BENCH_DATABASE_URL's."""
    os.environ["DATABASE_URL"] = database_url()


def name_throwaway() -> None:
    """After django.setup(): the test runner's database is `<name>_<pid>`, never an existing one."""
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.sqlite3":
        default.setdefault("TEST", {})["NAME"] = throwaway_name()


@contextlib.contextmanager
def bench_database():
    """A throwaway database (migrated), dropped afterwards; yields the connection."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import get_runner

    name_throwaway()
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        yield connection
    finally:
        runner.teardown_databases(old)
