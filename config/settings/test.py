"""The test suite: PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set, else embedded."""

import os

os.environ.setdefault("KAKEHASHI_DEMO_ALLOWED", "1")
os.environ.setdefault("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", "1")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests hit the login form many times from one address.
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "1000/m/ip", "login_failed": "1000/m/ip,5/5m/key"}  # noqa: F405
# Each test process keeps its own cache: conftest clears it around every test, which must not
# empty a Redis that other processes use.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Private files (evidence) of this test process go to a folder of its own, never the work tree.
import tempfile  # noqa: E402

KAKEHASHI_PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kakehashi-private-"))  # noqa: F405
# Credential signing keys of this test process: a temporary folder (a key is made on first use).
KAKEHASHI_CREDENTIAL_KEYS_DIR = Path(tempfile.mkdtemp(prefix="kakehashi-keys-"))  # noqa: F405
KAKEHASHI_CREDENTIAL_SIGNING_KEY = ""
KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE = True
KAKEHASHI_CREDENTIAL_BASE_URL = "https://kakehashi.test"

# Under pytest-xdist (`make test` runs two processes) each process has its own test database, and
# its own channel-layer prefix on the shared Redis: meeting ids repeat between the databases, so
# the room groups of one process must never reach the other's.
_TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _TEST_WORKER and REDIS_URL:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-{_TEST_WORKER}"  # noqa: F405

# On PostgreSQL the test database need not survive a crash: commits do not wait for the WAL to
# reach the disk (`synchronous_commit=off`, this connection only; nothing else changes). The
# tests that commit (flushes, the demo loaded row by row before each browser test, the live
# server's requests) and the migrations at test-database creation wait on every commit otherwise.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = f"{_options.get('options', '')} -c synchronous_commit=off".strip()
