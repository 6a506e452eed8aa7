"""Production only hardens what base.py reads from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

if "DJANGO_SECRET_KEY" not in os.environ:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")

DEBUG = False
KAKEHASHI_DEMO_ALLOWED = False
KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE = False  # production keys are made on purpose (credential_keys create)
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False

# Whether a request came over https is the server's word (gunicorn's wsgi.url_scheme, uvicorn's
# scope), and each server believes X-Forwarded-Proto only from KAKEHASHI_TRUSTED_PROXIES
# (config/gunicorn.conf.py, config/serve.py). Django's SECURE_PROXY_SSL_HEADER would believe it
# from anyone who reaches the process, so it stays unset.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
# The health checks ask the process itself over plain HTTP, from inside its container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# A worker (`manage.py db_worker`) runs background tasks from the database queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
