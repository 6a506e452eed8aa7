"""Reads about consent and the person's own data (the download of everything we hold)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ..models import Consent, ErasureRequest, LivedExperience, Profile, User
from . import user_is_admin


def consent_list_for(person: User) -> QuerySet[Consent]:
    return Consent.objects.filter(person=person).select_related("recorded_by")


def consent_get_own(person: User, pk) -> Consent:
    try:
        return consent_list_for(person).get(pk=pk)
    except (Consent.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def erasure_request_list_for(user) -> QuerySet[ErasureRequest]:
    """Open and past erasure requests: administrators see all, a person their own."""
    qs = ErasureRequest.objects.select_related("person", "completed_by")
    return qs.all() if user_is_admin(user) else qs.filter(person=user)


def erasure_request_get_for(user, pk) -> ErasureRequest:
    try:
        return erasure_request_list_for(user).get(pk=pk)
    except (ErasureRequest.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404 from missing


def _iso(value):
    return value.isoformat() if value is not None else None


def personal_data_for(person: User) -> dict:
    """Everything the platform holds about the person, for them to download."""
    profile = Profile.objects.filter(user=person).select_related("prefecture").first()
    lived = LivedExperience.objects.filter(person=person).first()
    engagements = person.engagements.select_related("organisation").prefetch_related("activities")
    return {
        "account": {
            "email": person.email,
            "display_name": person.display_name,
            "name_kana": person.name_kana,
            "language": person.language,
            "date_joined": _iso(person.date_joined),
        },
        "roles": [
            {"role": a.role, "organisation": a.organisation_id, "prefecture": a.prefecture_id,
             "region": a.region_id, "granted_at": _iso(a.granted_at)}
            for a in person.role_assignments.all()
        ],
        "profile": None if profile is None else {
            "prefecture": profile.prefecture_id,
            "languages": profile.languages,
            "professional_roles": [r.code for r in profile.professional_roles.all()],
            "accommodations": profile.accommodations,
            "directory_opt_in": profile.directory_opt_in,
            "public_prefecture": profile.public_prefecture,
            "public_languages": profile.public_languages,
            "public_roles": profile.public_roles,
            "public_engagements": profile.public_engagements,
        },
        "lived_experience": None if lived is None else {
            "relation": lived.relation, "visibility": lived.visibility,
            "declared_at": _iso(lived.declared_at), "consent": lived.consent_id,
        },
        "engagements": [
            {"id": e.pk, "organisation": e.organisation.name, "kind": e.kind,
             "job_title": e.job_title, "activities": [a.code for a in e.activities.all()],
             "start_date": _iso(e.start_date), "end_date": _iso(e.end_date),
             "honorarium_rate": e.honorarium_rate, "honorarium_unit": e.honorarium_unit,
             "weekly_hours": str(e.weekly_hours) if e.weekly_hours is not None else None,
             "full_time_weekly_hours": str(e.full_time_weekly_hours)
             if e.full_time_weekly_hours is not None else None,
             "fte": str(e.fte) if e.fte is not None else None, "on_leave": e.on_leave,
             "confirmed_at": _iso(e.confirmed_at), "replaces": e.previous_id}
            for e in engagements
        ],
        "consents": [
            {"id": c.pk, "purpose": c.purpose, "data_categories": c.data_categories,
             "given_at": _iso(c.given_at), "withdrawn_at": _iso(c.withdrawn_at),
             "data_erased_at": _iso(c.data_erased_at)}
            for c in person.consents.all()
        ],
        "sensitive_access_log": [
            {"at": _iso(a.at), "category": a.category, "read_by": str(a.accessor or ""),
             "context": a.context}
            for a in person.sensitive_accesses.select_related("accessor")
        ],
        "erasure_requests": [
            {"requested_at": _iso(r.requested_at), "status": r.status,
             "completed_at": _iso(r.completed_at)}
            for r in person.erasure_requests.all()
        ],
    }


def personal_data_rows(data: dict) -> list[list[str]]:
    """The same data flattened to rows of (section, item, field, value) for CSV."""
    rows: list[list[str]] = [["section", "item", "field", "value"]]

    def add(section, item, record):
        for field, value in record.items():
            if isinstance(value, list):
                value = ";".join(str(v) for v in value)
            rows.append([section, str(item), field, "" if value is None else str(value)])

    for section, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict):
            add(section, 1, value)
        else:
            for number, record in enumerate(value, start=1):
                add(section, number, record)
    return rows
