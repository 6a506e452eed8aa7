"""Settings of the servers the production bench starts (underscore: not a bench module itself):
production's own settings (DEBUG off, the manifest static storage, the Redis cache), with the
bench's urlconf (the minimal Django view) and a bare Wagtail page type (bench/_minimal_page).
The bench sets DATABASE_URL, REDIS_URL and BENCH_STATIC_ROOT; BENCH_SETUP=1 while it loads the
demo (which production refuses)."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # nginx would send X-Forwarded-Proto

from config.settings.production import *  # noqa: E402,F403

ROOT_URLCONF = "bench._server_urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench._minimal_page"]  # noqa: F405
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
KAKEHASHI_DEMO_ALLOWED = os.environ.get("BENCH_SETUP") == "1"
KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE = KAKEHASHI_DEMO_ALLOWED
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The cache's connections carry a name, so the bench counts them in Redis's CLIENT LIST.
CACHES["default"]["OPTIONS"]["client_name"] = os.environ.get("REDIS_CACHE_CLIENT_NAME", "kakehashi-bench-cache")  # noqa: F405
