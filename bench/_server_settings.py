"""Settings of the server the page benchmark starts (underscore: not a bench module itself):
the test settings, with the bench's urlconf that adds the minimal baseline view."""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench._server_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
