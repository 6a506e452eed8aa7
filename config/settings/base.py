"""Settings shared by every environment.

Everything is read from the environment, with an embedded default when unset: SQLite and the
in-memory channel layer, so that one command runs the whole platform on a laptop.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "insecure-embedded-key-for-local-use-only-never-in-production"
)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For/-Proto are believed;
# none by default. The server (config/serve.py) and every per-address limit (peers/addresses.py)
# read this one list: from anyone else the header would let a client pick its own address.
KAKEHASHI_TRUSTED_PROXIES = env_list("KAKEHASHI_TRUSTED_PROXIES")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Our apps first so that their templates override those of the libraries.
    "peers",
    "training",
    "collaboration",
    "comparisons",
    "cms",
    "config",  # the demo loader and the scheduler: they name every app, so they sit above them
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, with a nonce; the admin's own policy (config/csp.py).
    "config.csp.KakehashiCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peers.middleware.TwoStepMarkMiddleware",
    # Plain Japanese texts (やさしい日本語) for those who chose them (peers/plain.py).
    "peers.plain.PlainWordingMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A form sent after the session ended: the sign-in page says what happened.
    "peers.middleware.SessionExpiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "peers.middleware.RememberedLanguageMiddleware",
    "peers.middleware.StaffMFAMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Wagtail's site, route and view-restriction lookups from memory, per site version (cms/routing.py).
    "cms.routing.WagtailLookupMiddleware",
    # Whole public pages for visitors who are not signed in (cms/cache.py).
    "cms.cache.PageCacheMiddleware",
    # Last: ruby over kanji for those who asked for furigana (inside the cache, so cached pages
    # keep their ruby).
    "peers.middleware.FuriganaMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "peers.context_processors.navigation",
                "peers.context_processors.display",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded SQLite file.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Channel layer: Redis when REDIS_URL is set, else the in-memory layer (one process only).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # redis-py 8 defaults to a 5 s read timeout and a 100-connection asyncio pool,
                # which drops members of large rooms (channels_redis#422, redis-py#4091).
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000")),
                    }
                ],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "kakehashi"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Cache: Redis when REDIS_URL is set (shared by every process, so publishing a page clears the
# page cache everywhere), else memory in the one process. The cache is an optimisation: when
# Redis is down, reads miss and writes are dropped (config/cache.py), one pool per process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSafeRedisCache",
            "LOCATION": os.environ.get("REDIS_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "kakehashi"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_CACHE_TIMEOUT", "1")),
                "socket_timeout": float(os.environ.get("REDIS_CACHE_TIMEOUT", "1")),
                "RETRY_SECONDS": float(os.environ.get("REDIS_CACHE_RETRY_SECONDS", "2")),
            },
        }
    }
# Public pages served from the cache for visitors who are not signed in (cms/cache.py).
KAKEHASHI_PAGE_CACHE = env_bool("KAKEHASHI_PAGE_CACHE", True)

# Live meeting rooms (collaboration): edit/delete window, frame size and per-connection rate.
KAKEHASHI_ROOM_EDIT_SECONDS = int(os.environ.get("KAKEHASHI_ROOM_EDIT_SECONDS", "300"))
KAKEHASHI_ROOM_MAX_FRAME_BYTES = int(os.environ.get("KAKEHASHI_ROOM_MAX_FRAME_BYTES", "16384"))
KAKEHASHI_ROOM_MAX_MESSAGE_CHARS = int(os.environ.get("KAKEHASHI_ROOM_MAX_MESSAGE_CHARS", "4000"))
KAKEHASHI_ROOM_RATE_BURST = int(os.environ.get("KAKEHASHI_ROOM_RATE_BURST", "10"))
KAKEHASHI_ROOM_RATE_PER_SECOND = float(os.environ.get("KAKEHASHI_ROOM_RATE_PER_SECOND", "3"))
KAKEHASHI_ROOM_BROADCAST_TIMEOUT = float(os.environ.get("KAKEHASHI_ROOM_BROADCAST_TIMEOUT", "2"))
# The chair's participation figures after messages sent in the room: worked out at most once per
# this many seconds per meeting and server process, always once more after the last change.
KAKEHASHI_ROOM_PARTICIPATION_INTERVAL = float(os.environ.get("KAKEHASHI_ROOM_PARTICIPATION_INTERVAL", "1"))
KAKEHASHI_ROOM_REPLAY_LIMIT = int(os.environ.get("KAKEHASHI_ROOM_REPLAY_LIMIT", "5000"))
# Open room sockets one person may hold in one server process: per meeting (a few tabs and a
# phone) and across meetings. The next one closes with 4429 (collaboration/sockets.py).
KAKEHASHI_ROOM_MAX_SOCKETS_PER_MEETING = int(os.environ.get("KAKEHASHI_ROOM_MAX_SOCKETS_PER_MEETING", "5"))
KAKEHASHI_ROOM_MAX_SOCKETS_PER_USER = int(os.environ.get("KAKEHASHI_ROOM_MAX_SOCKETS_PER_USER", "20"))
# How often a process with open rooms checks the channel layer, to tell members it is down/back.
KAKEHASHI_ROOM_LAYER_CHECK_SECONDS = float(os.environ.get("KAKEHASHI_ROOM_LAYER_CHECK_SECONDS", "5"))
# The room's own database threads (collaboration.consumers.room_db), off Channels' one shared
# database thread; one on SQLite.
KAKEHASHI_ROOM_DB_THREADS = int(os.environ.get("KAKEHASHI_ROOM_DB_THREADS", "4"))
# How long a socket holds an event after a gap in the room's numbers before reading the missing
# ones from the database (two processes may publish neighbouring numbers the other way round).
KAKEHASHI_ROOM_REORDER_SECONDS = float(os.environ.get("KAKEHASHI_ROOM_REORDER_SECONDS", "0.5"))
# Presence (collaboration.presence): at most one presence frame per socket per interval; each
# process refreshes its sockets every heartbeat, and a socket not refreshed for the TTL (its
# process died) is swept as a leave.
KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS = float(os.environ.get("KAKEHASHI_ROOM_PRESENCE_COALESCE_SECONDS", "0.25"))
KAKEHASHI_ROOM_PRESENCE_HEARTBEAT_SECONDS = float(os.environ.get("KAKEHASHI_ROOM_PRESENCE_HEARTBEAT_SECONDS", "10"))
KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS = int(os.environ.get("KAKEHASHI_ROOM_PRESENCE_TTL_SECONDS", "30"))
# How long a presence change or snapshot may wait on Redis (a join storm queues them) before it
# is given up (the member's next hello or the heartbeat puts things right).
KAKEHASHI_ROOM_PRESENCE_TIMEOUT_SECONDS = float(os.environ.get("KAKEHASHI_ROOM_PRESENCE_TIMEOUT_SECONDS", "10"))

# Background tasks: immediate unless a worker runs (production sets the database backend).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Accounts
AUTH_USER_MODEL = "peers.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# A calm, bilingual page when a form's CSRF check fails (open too long, or cookies off).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
LOGIN_REDIRECT_URL = "peers:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "peers.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "peers.forms.SignupProfileForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Open sign-up is off: people join by invitation. A setting turns it on.
KAKEHASHI_OPEN_SIGNUP = env_bool("KAKEHASHI_OPEN_SIGNUP", False)
KAKEHASHI_INVITATION_DAYS = int(os.environ.get("KAKEHASHI_INVITATION_DAYS", "14"))

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Kakehashi"
# Accept the code of the neighbouring 30-second period too: people who type slowly, or whose
# phone clock drifts a little, are not locked out (a code still works only once).
MFA_TOTP_TOLERANCE = 1
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env_bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)

# Paths that only staff roles use, and so need MFA first (StaffMFAMiddleware).
KAKEHASHI_STAFF_PATHS = ["/staff/", "/cms-admin/", "/django-admin/"]

# Demo data may be loaded only where this is on (dev and test, never production).
KAKEHASHI_DEMO_ALLOWED = env_bool("KAKEHASHI_DEMO_ALLOWED", False)

# Languages: Japanese first (unprefixed URLs), English under /en/.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kakehashi_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The admin speaks the site's two languages; an editor without a preference reads it in the
# language of the request, Japanese unless chosen otherwise.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "Kakehashi"
# The admin asks no other site for anything: no avatars from Gravatar (they would tell it the
# editors' email hashes), no update check (our CSP allows only this origin).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]

# Static and media files
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Files that must never have a public address (continuing-education evidence): outside
# MEDIA_ROOT, served only by views that check who asks (training/evidence.py).
KAKEHASHI_PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

# Digital credentials (Open Badges 3.0, issue 19). The issuer's Ed25519 private keys are never in
# the database: PEM files in this folder (`manage.py credential_keys create|rotate|retire`), or
# one key given whole in KAKEHASHI_CREDENTIAL_SIGNING_KEY (PEM text) with its id. The base URL
# names the issuer (did:web of its host) and the status lists in every credential: set it to
# the public address and never change it.
KAKEHASHI_CREDENTIAL_KEYS_DIR = Path(os.environ.get("KAKEHASHI_CREDENTIAL_KEYS_DIR", BASE_DIR / "private_keys" / "credentials"))
KAKEHASHI_CREDENTIAL_SIGNING_KEY = os.environ.get("KAKEHASHI_CREDENTIAL_SIGNING_KEY", "")
KAKEHASHI_CREDENTIAL_SIGNING_KEY_ID = os.environ.get("KAKEHASHI_CREDENTIAL_SIGNING_KEY_ID", "")
KAKEHASHI_CREDENTIAL_BASE_URL = os.environ.get("KAKEHASHI_CREDENTIAL_BASE_URL", WAGTAILADMIN_BASE_URL)
# Development, the demo and tests only: make a key in the folder when there is none.
KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE = env_bool("KAKEHASHI_CREDENTIAL_KEY_AUTOCREATE", False)
KAKEHASHI_STATUS_LIST_CACHE_SECONDS = int(os.environ.get("KAKEHASHI_STATUS_LIST_CACHE_SECONDS", "300"))
# The Japanese font embedded in certificate PDFs (training/certificates.py): Debian's
# fonts-ipaexfont-gothic, which the production image installs; where that file is missing (a
# development machine) the same font from matplotlib-fontja (requirements.lock) is used.
KAKEHASHI_CERTIFICATE_FONT = os.environ.get(
    "KAKEHASHI_CERTIFICATE_FONT", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
)
# Largest evidence file accepted (bytes); PDF, JPEG, PNG or HEIC only, checked by content.
KAKEHASHI_EVIDENCE_MAX_BYTES = int(os.environ.get("KAKEHASHI_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))

# Email
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "Kakehashi <no-reply@kakehashi.example>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "peers.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "peers.authentication.TwoStepForStaff",
    ],
    "DEFAULT_PARSER_CLASSES": [  # DRF's three, with a JSON parser that never answers a 500
        "peers.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "peers.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kakehashi API",
    "VERSION": "1",
    "DESCRIPTION": (
        "Sign in with a session (the website's sign-in). Anyone who holds staff work (platform "
        "administrator, training-body staff, organisation manager, regional coordinator, editor, "
        "named supervisor, body coordinator) reaches nothing beyond their own record until "
        "two-step sign-in is enrolled and passed in the session. Until then every endpoint except "
        "`/api/v1/people/me/` answers 403 `application/problem+json` (RFC 9457) with "
        "`errors[0].code = \"two_step_required\"` and a message in Japanese and English that says how "
        "to enrol at /accounts/2fa/.\n\n"
        "**API tokens.** A person makes their own tokens on their account page (/me/tokens/), only "
        "after two-step sign-in in that session, and sends one as `Authorization: Bearer kk_<prefix>_<secret>`. "
        "Each token is named, `read_only` (GET, HEAD and OPTIONS only) or `read_write`, expires after "
        "90 days unless another length (1-365 days) is chosen, can be revoked at any time, and is "
        "stored only as a SHA-256 digest (the secret is shown once). The page shows when each was last "
        "used (recorded at most once a minute). A token reaches what its owner may see; a staff "
        "person's token reaches staff data only while their account still has two-step sign-in: "
        "once it is removed the token reaches the owner's own record only (403 `two_step_required` "
        "elsewhere).\n\n"
        "**Version note (2026-12): every error is RFC 9457 problem details.** Every error of every "
        "endpoint (400, 401, 403, 404, 405, 409, 415, 429, and bad JSON) is `application/problem+json`: "
        "`{type, title, status, detail, errors: [{field, code, message: {ja, en}}]}`. `type` is an "
        "absolute URI documenting the problem (this document at `#problem-<code>`, or the page that "
        "explains it); `title` and `detail` are in the request's language; `errors` lists every "
        "message with the field or parameter it is about (`null` for the whole record), a stable "
        "`code` (`required`, `invalid`, `not_found`, `forbidden`, `method_not_allowed`, `throttled`, "
        "`room_closed`, ...) and the message in Japanese and English. 429 carries `Retry-After`. "
        "This replaces the earlier shapes (`{detail: {ja, en}, errors: {field: [{ja, en}]}}`, "
        "`{errors: {field: {ja: [...], en: [...]}}}` and `non_field_errors`).\n\n"
        "**Errors**: 401 with `WWW-Authenticate: Bearer` and code "
        "`token_invalid` (unknown, malformed or wrong secret), `token_expired` or `token_revoked`; "
        "403 `token_read_only` for a write with a read-only token; 403 `two_step_required` as above."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["config.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "config.schema.problem_responses"],
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "training.models.Application.State",
        "EngagementKindEnum": "peers.models.Engagement.Kind",
        "MeetingStatusEnum": "collaboration.models.Meeting.Status",
        "MinutesStatusEnum": "collaboration.models.Minutes.Status",
        "ActionItemStatusEnum": "collaboration.models.ActionItem.Status",
        "CertificationStatusEnum": "training.models.Certification.Status",
        "ActivityEntryStatusEnum": "collaboration.activity.models.EntryStatus",
        "ErasureRequestStatusEnum": "peers.models.ErasureRequest.Status",
        "PlatformRoleEnum": "peers.models.Role",
        "LeaveKindEnum": "peers.models.EngagementLeave.Kind",
        "RenewalRequestOutcomeEnum": "training.models.RenewalRequest.Outcome",
        "ProposalOutcomeEnum": "collaboration.models.Proposal.Outcome",
        "VoteMajorityEnum": "collaboration.models.VoteMajority",
        "VoteQuorumEnum": "collaboration.models.VoteQuorum",
    },
}

SITE_NAME = _("Kakehashi")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Content-Security-Policy (django-csp 4, config/csp.py). Our pages: nothing inline without this
# response's nonce, nothing from another origin, never framed. The room's websocket host is added
# per request.
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE  # noqa: E402

CSP_REPORT_URI = "/csp-report/"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": CSP_REPORT_URI,
    },
}
# Wagtail's admin writes inline scripts and styles of its own (its page editor: inline <script>
# in the page and from vendor.js, <style> from vendor.js; measured in Chromium, Wagtail 8); Django's
# admin works under the strict policy and keeps it.
KAKEHASHI_CSP_ADMIN_PREFIXES = ("/cms-admin/",)
KAKEHASHI_CSP_ADMIN_DIRECTIVES = {
    **CONTENT_SECURITY_POLICY["DIRECTIVES"],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "frame-src": [SELF],  # the preview panel
    "frame-ancestors": [SELF],
}

# API tokens (peers.ApiToken): how many days a new one lasts unless the person chooses.
KAKEHASHI_API_TOKEN_DAYS = int(os.environ.get("KAKEHASHI_API_TOKEN_DAYS", "90"))
