"""Local development: `make run`. Debug on, demo data allowed, static files served by WhiteNoise."""

import os

os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("KAKEHASHI_DEMO_ALLOWED", "1")
os.environ.setdefault("KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE", "1")
os.environ.setdefault("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", "1")

from .base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
