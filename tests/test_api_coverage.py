"""Every resource people edit is in the API (issue 14): each concrete model of our apps has an
endpoint under /api/v1/ that serves it, unless it is listed below with the reason no person edits
it directly.

An endpoint serves a model when its view's `serializer_class` is a ModelSerializer of it, or the
view names it in `resource_models` (views whose serializer is not a ModelSerializer, or that serve
more than one model). A new model fails this test until it has an endpoint or an entry below.
"""

from __future__ import annotations

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers

APPS = ("peers", "training", "collaboration", "comparisons")  # collaboration.activity's models are in collaboration

# Models no person edits directly, and why. Keys are "app_label.ModelName".
NOT_EDITED_BY_PEOPLE = {
    # Reference data fixed by law or by the seed migrations, not edited on any page.
    "peers.Prefecture": "the 47 prefectures (JIS X 0401), seeded by migration and never edited",
    # Logs: written by services as a side effect of another change, append-only, never edited.
    "peers.AuditEvent": "the audit log: one line appended by each service, never edited",
    "peers.SensitiveAccess": "the log of who read sensitive data, appended by the selectors that read it",
    "peers.RetentionRun": "the log of the daily retention task, one row per rule per run",
    "training.ApplicationStateChange": "the history of an application's states, written by its transitions",
    "training.CertificationStatusChange": "the history of a certification's states, written by its actions",
    "training.ReminderSent": "the log of renewal reminders sent by the sweep, so none is sent twice",
    "collaboration.ModerationLog": "the log of moderation in the live room, written by the moderation service",
    "collaboration.ActivityStatusChange": "the history of an activity entry's states, written by its transitions",
    "collaboration.VerificationDigest": "the log of the verification digests sent to managers",
    # Mail waiting for the end of its recipient's quiet hours: written by peers.mail, sent and
    # deleted by the scheduler's tick; the person sets the quiet hours (/api/v1/me/display/).
    "peers.HeldEmail": "emails held during the recipient's quiet hours, written and sent by peers.mail",
    # Secrets: only a digest is stored; made and revoked on the person's own pages after the second
    # step, never through a token (a token must not mint tokens).
    "peers.ApiToken": "API tokens: SHA-256 digests, made and revoked only on /me/tokens/ after two-step sign-in",
    "collaboration.CalendarFeed": "the digest of a calendar-feed address, renewed from the meeting page",
    # Derived figures: recomputed from the entries by the services (the region's two rollups are
    # read through /activity/region/, so they count as served).
    "collaboration.OrganisationActivityRollup": "monthly counts per organisation, derived from verified entries",
    "collaboration.OrganisationRoleRollup": "monthly counts per organisation and role, derived from verified entries",
    "collaboration.OrganisationWaitingRollup": "entries waiting per organisation and author, derived from the entries",
    # Live-room state: the speaker queue lives only while a meeting runs, changed over the
    # websocket (collaboration.consumers), not through pages or the API.
    "collaboration.SpeakerQueueEntry": "the live room's speaker queue, changed over the websocket",
}

# Models people edit on pages that have no endpoint yet (none now). Each entry is a known gap,
# named so that it cannot hide: the test below fails as soon as one gets an endpoint (then delete
# its line), and a new model never lands here silently. (The retention and staffing rules are
# served read-only: administrators change them in the editor, whose snippet forms save them with no
# service the API could share.)
NOT_YET_IN_API = {
}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def edited_models() -> set[str]:
    found = set()
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if not (model._meta.abstract or model._meta.proxy or model._meta.auto_created):
                found.add(_label(model))
    return found


def _api_views(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            view = getattr(pattern.callback, "view_class", None)
            if view is not None:
                yield route, view, getattr(pattern.callback, "view_initkwargs", {})


def served_models() -> dict[str, list[str]]:
    """Each model an /api/v1/ endpoint serves, with the routes that serve it."""
    served: dict[str, list[str]] = {}
    for route, view, initkwargs in _api_views():
        models = list(initkwargs.get("resource_models", getattr(view, "resource_models", ())))
        serializer = initkwargs.get("serializer_class", getattr(view, "serializer_class", None))
        if isinstance(serializer, type) and issubclass(serializer, serializers.ModelSerializer):
            models.append(serializer.Meta.model)
        for model in models:
            served.setdefault(_label(model), []).append(route)
    return served


def test_every_model_people_edit_has_an_api():
    uncovered = (edited_models() - set(NOT_EDITED_BY_PEOPLE) - set(NOT_YET_IN_API)
                 - set(served_models()))
    assert not uncovered, "Models people edit with no endpoint under /api/v1/: " + ", ".join(sorted(uncovered))


def test_the_exclusions_name_real_models_that_no_endpoint_serves():
    """A stale entry would hide a model: each excluded one exists and none is in fact served."""
    models = edited_models()
    listed = set(NOT_EDITED_BY_PEOPLE) | set(NOT_YET_IN_API)
    assert listed <= models, sorted(listed - models)
    served = set(served_models())
    assert not set(NOT_EDITED_BY_PEOPLE) & served, sorted(set(NOT_EDITED_BY_PEOPLE) & served)
    assert not set(NOT_YET_IN_API) & served, "Served now, delete from NOT_YET_IN_API: " + ", ".join(
        sorted(set(NOT_YET_IN_API) & served))


def test_the_walk_finds_known_endpoints():
    """The test itself works: it sees endpoints of every app, including resource_models."""
    served = served_models()
    assert "api/v1/me/consents/" in served["peers.Consent"]
    assert "api/v1/meetings/<int:pk>/materials/" in served["collaboration.Material"]
    assert any(r.startswith("api/v1/vocabularies/") for r in served["peers.Activity"])
    assert served["training.Certification"] and served["collaboration.ActivityEntry"]
