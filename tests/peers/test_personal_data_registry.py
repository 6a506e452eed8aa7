"""Every field that points at a person is in a part of the registry, or excluded with a reason:
a new model with a person field cannot be forgotten by "Download my data" and erasure."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings

from peers.personal_data import EXCLUDED_FIELDS, Part, parts, retention_kinds


def _person_fields() -> set[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if not field.concrete or field.model is not model and not model._meta.proxy:
                continue  # inherited from a parent table: counted there
            if (field.many_to_one or field.one_to_one or field.many_to_many) and field.related_model is user_model:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def _covered() -> dict[str, str]:
    covered = {}
    for part in parts():
        for name in (*part.person_fields, *part.actor_fields):
            covered[name] = part.name
    return covered


def test_every_person_field_is_in_a_part_or_excluded_with_a_reason():
    covered = _covered()
    missing = sorted(name for name in _person_fields() if name not in covered and name not in EXCLUDED_FIELDS)
    assert missing == [], (
        "These fields point at a person but no personal-data part covers them: register them in "
        f"the app's parts.py (person_fields or actor_fields) or exclude them with a reason: {missing}"
    )


def test_the_registry_names_only_fields_that_exist():
    real = _person_fields()
    stale = sorted(name for name in (*_covered(), *EXCLUDED_FIELDS) if name not in real)
    assert stale == []
    assert all(reason.strip() for reason in EXCLUDED_FIELDS.values())


def test_each_part_has_its_apps_tables_and_the_registry_holds_every_app():
    names = {part.name for part in parts()}
    assert {"account", "profile", "engagements", "consents", "roles", "sensitive_access_log",
            "training", "meetings", "activity"} <= names
    # Every table of the export is named once, so a CSV file is never overwritten by another.
    tables = [table.name for part in parts() for table in part.tables()]
    assert len(tables) == len(set(tables))


def test_a_model_with_a_person_field_that_no_part_covers_fails_the_walk():
    covered = _covered()
    assert "training.Application.applicant" in covered
    del covered["training.Application.applicant"]
    missing = [name for name in _person_fields() if name not in covered and name not in EXCLUDED_FIELDS]
    assert missing == ["training.Application.applicant"]


def test_every_retention_kind_has_a_part_that_carries_it_out():
    for code, (part, kind) in retention_kinds().items():
        assert type(part).expire is not Part.expire, code
        assert kind.note_ja and kind.note_en and kind.anchors
