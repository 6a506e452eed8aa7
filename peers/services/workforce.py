"""Changes to organisations, profiles and engagements. Each checks who acts through selectors."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import (
    Activity,
    Consent,
    DataCategory,
    Engagement,
    Organisation,
    OrganisationKind,
    Prefecture,
    ProfessionalRole,
    Profile,
    User,
)
from ..selectors import user_is_admin
from ..selectors.workforce import user_manages_organisation
from .accounts import audit_record

ORGANISATION_FIELDS = (
    "name", "kind", "prefecture", "municipality", "corporation", "contact_email", "contact_phone",
)


def _apply(instance, values: dict, allowed: Iterable[str]) -> list[str]:
    changed = []
    for field in allowed:
        if field in values and getattr(instance, field) != values[field]:
            setattr(instance, field, values[field])
            changed.append(field)
    return changed


# --- Organisations --------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    name: str,
    prefecture: Prefecture,
    kind: OrganisationKind | None = None,
    municipality: str = "",
    corporation: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> Organisation:
    """Add an organisation (administrators)."""
    if not user_is_admin(actor):
        raise PermissionDenied(_("Only an administrator can add organisations."))
    organisation = Organisation(
        name=name.strip(), prefecture=prefecture, kind=kind, municipality=municipality.strip(),
        corporation=corporation.strip(), contact_email=contact_email.strip(),
        contact_phone=contact_phone.strip(),
    )
    organisation.full_clean()
    organisation.save()
    audit_record(actor=actor, action="organisation.create", target=organisation,
                 data={"name": organisation.name})
    return organisation


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **values) -> Organisation:
    """Change an organisation's facts (its managers, or an administrator)."""
    if not user_manages_organisation(actor, organisation):
        raise PermissionDenied(_("You cannot change this organisation."))
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"Unknown organisation fields: {sorted(unknown)}")
    changed = _apply(organisation, values, ORGANISATION_FIELDS)
    if changed:
        organisation.full_clean()
        organisation.save()
        audit_record(actor=actor, action="organisation.update", target=organisation,
                     data={"fields": changed})
    return organisation


@transaction.atomic
def organisation_designations_set(
    *, actor: User, organisation: Organisation, services: Iterable, co_located: Iterable[Organisation],
) -> Organisation:
    """Record the welfare services the office is designated for (指定サービス種別) and the
    offices of the same operator on the same premises (兼務). Only offices the actor manages can
    be named as co-located: the claim is theirs to make for both."""
    if not user_manages_organisation(actor, organisation):
        raise PermissionDenied(_("You cannot change this organisation."))
    services = list(services)
    co_located = [office for office in co_located if office.pk != organisation.pk]
    refused = [office for office in co_located if not user_manages_organisation(actor, office)]
    if refused:
        raise ValidationError({"co_located": _("You can name only offices you manage as co-located.")})
    organisation.designated_services.set(services)
    organisation.co_located.set(co_located)
    audit_record(actor=actor, action="organisation.designations", target=organisation,
                 data={"services": sorted(s.code for s in services), "co_located": sorted(o.pk for o in co_located)})
    return organisation


# --- Profiles -------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "prefecture", "languages", "directory_opt_in", "public_prefecture", "public_languages",
    "public_roles", "public_engagements",
)


def active_consent_for(person: User, category: str, purpose: str | None = None) -> Consent | None:
    """The person's active consent covering `category` (for `purpose`, when given: the same
    data shared with someone else needs its own consent)."""
    consents = Consent.objects.filter(person=person, withdrawn_at__isnull=True)
    if purpose:
        consents = consents.filter(purpose=purpose)
    for consent in consents:
        if category in consent.data_categories:
            return consent
    return None


@transaction.atomic
def profile_update(
    *,
    actor: User,
    person: User,
    display_name: str | None = None,
    name_kana: str | None = None,
    professional_roles: Iterable[ProfessionalRole] | None = None,
    accommodations: str | None = None,
    **values,
) -> Profile:
    """The person edits their own profile. Accommodation preferences are saved only under an
    active consent covering them; clearing them needs no consent."""
    if actor.pk != person.pk:
        raise PermissionDenied(_("Only the person can change their own profile."))
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown profile fields: {sorted(unknown)}")
    profile, _created = Profile.objects.get_or_create(user=person)
    changed = _apply(profile, values, PROFILE_FIELDS)

    user_changed = _apply(
        person,
        {k: v.strip() for k, v in (("display_name", display_name), ("name_kana", name_kana))
         if v is not None},
        ("display_name", "name_kana"),
    )
    if user_changed:
        person.full_clean(exclude=["password"])
        person.save(update_fields=user_changed)

    if accommodations is not None:
        accommodations = accommodations.strip()
        if accommodations:
            consent = active_consent_for(
                person, DataCategory.ACCOMMODATIONS, purpose=Consent.Purpose.ACCOMMODATIONS
            )
            if consent is None:
                raise ValidationError({"accommodations": _(
                    "To save accommodation preferences, first give your consent to share them."
                )})
            if accommodations != profile.accommodations or profile.accommodations_consent_id != consent.pk:
                profile.accommodations = accommodations
                profile.accommodations_consent = consent
                changed.append("accommodations")
        elif profile.accommodations:
            profile.accommodations = ""
            profile.accommodations_consent = None
            changed.append("accommodations")

    profile.full_clean()
    profile.save()
    if professional_roles is not None:
        roles = list(professional_roles)
        if {r.pk for r in roles} != set(profile.professional_roles.values_list("pk", flat=True)):
            profile.professional_roles.set(roles)
            changed.append("professional_roles")
    if changed or user_changed:
        # Field names only: the audit log never copies sensitive values.
        audit_record(actor=actor, action="profile.update", target=profile,
                     data={"fields": changed + user_changed})
    return profile


# --- Engagements ----------------------------------------------------------------------------

TERM_FIELDS = (
    "kind", "job_title", "start_date", "end_date", "honorarium_rate", "honorarium_unit",
    "weekly_hours", "full_time_weekly_hours", "on_leave", "contract",
)


def _normalise_terms(engagement: Engagement) -> None:
    """Drop the terms that do not belong to the kind (a form may send them all)."""
    if engagement.kind != Engagement.Kind.HONORARIUM:
        engagement.honorarium_rate = None
        engagement.honorarium_unit = ""
    if engagement.kind != Engagement.Kind.EMPLOYED:
        engagement.weekly_hours = None
        engagement.full_time_weekly_hours = None
        engagement.on_leave = False
        engagement.contract = ""


@transaction.atomic
def engagement_start(
    *,
    actor: User,
    person: User,
    organisation: Organisation,
    kind: str,
    start_date: datetime.date,
    job_title: str = "",
    activities: Iterable[Activity] = (),
    end_date: datetime.date | None = None,
    honorarium_rate: int | None = None,
    honorarium_unit: str = "",
    weekly_hours: Decimal | None = None,
    full_time_weekly_hours: Decimal | None = None,
    on_leave: bool = False,
    contract: str = "",
    previous: Engagement | None = None,
) -> Engagement:
    """Record that a person works at an organisation on some terms.

    The person records their own (the organisation's manager then confirms the terms); a
    manager records one for their organisation, confirmed at once.
    """
    manages = user_manages_organisation(actor, organisation)
    if actor.pk != person.pk and not manages:
        raise PermissionDenied(_("You cannot record engagements for this person here."))
    now = timezone.now()
    engagement = Engagement(
        person=person, organisation=organisation, kind=kind, job_title=job_title.strip(),
        start_date=start_date, end_date=end_date, honorarium_rate=honorarium_rate,
        honorarium_unit=honorarium_unit or "", weekly_hours=weekly_hours,
        full_time_weekly_hours=full_time_weekly_hours, on_leave=on_leave, contract=contract or "",
        previous=previous,
        created_by=actor, created_at=now,
        confirmed_by=actor if manages else None, confirmed_at=now if manages else None,
    )
    _normalise_terms(engagement)
    engagement.full_clean()
    engagement.save()
    engagement.activities.add(*activities)  # a new row: nothing to remove first
    audit_record(
        actor=actor, action="engagement.start", target=engagement,
        data={"person": person.pk, "organisation": organisation.pk, "kind": kind,
              "previous": previous.pk if previous else None},
    )
    return engagement


@transaction.atomic
def engagement_confirm(*, actor: User, engagement: Engagement) -> Engagement:
    """The organisation's manager confirms the terms as recorded."""
    if not user_manages_organisation(actor, engagement.organisation):
        raise PermissionDenied(_("Only the organisation's manager can confirm its engagements."))
    if engagement.confirmed_at is None:
        engagement.confirmed_by = actor
        engagement.confirmed_at = timezone.now()
        engagement.full_clean()
        engagement.save(update_fields=["confirmed_by", "confirmed_at"])
        audit_record(actor=actor, action="engagement.confirm", target=engagement)
    return engagement


def _check_may_change(actor: User, engagement: Engagement) -> None:
    if actor.pk != engagement.person_id and not user_manages_organisation(
        actor, engagement.organisation
    ):
        raise PermissionDenied(_("You cannot change this engagement."))


@transaction.atomic
def engagement_end(*, actor: User, engagement: Engagement, end_date: datetime.date) -> Engagement:
    """End an engagement on a date (the person, or the organisation's manager)."""
    _check_may_change(actor, engagement)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.end_date is not None and engagement.end_date < end_date:
        raise ValidationError({"end_date": _("This engagement has already ended.")})
    engagement.end_date = end_date
    engagement.full_clean()
    engagement.save(update_fields=["end_date"])
    audit_record(actor=actor, action="engagement.end", target=engagement,
                 data={"end_date": end_date.isoformat()})
    return engagement


@transaction.atomic
def engagement_change_terms(
    *,
    actor: User,
    engagement: Engagement,
    effective_date: datetime.date,
    activities: Iterable[Activity] | None = None,
    **terms,
) -> Engagement:
    """New terms from `effective_date`: the current engagement ends the day before and a new
    one starts, pointing back to it. History is never overwritten."""
    _check_may_change(actor, engagement)
    unknown = set(terms) - (set(TERM_FIELDS) - {"start_date", "end_date"})
    if unknown:
        raise ValueError(f"Unknown engagement terms: {sorted(unknown)}")
    old = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if effective_date <= old.start_date:
        raise ValidationError({"effective_date": _(
            "New terms must start after the current engagement started."
        )})
    if old.end_date is not None and old.end_date < effective_date:
        raise ValidationError({"effective_date": _("This engagement has already ended.")})
    if hasattr(old, "next"):
        raise ValidationError(_("These terms have already been replaced."))
    new_end = old.end_date
    engagement_end(actor=actor, engagement=old, end_date=effective_date - datetime.timedelta(days=1))
    values = {field: getattr(old, field) for field in TERM_FIELDS if field not in ("start_date", "end_date")}
    values.update(terms)
    return engagement_start(
        actor=actor, person=old.person, organisation=old.organisation,
        start_date=effective_date, end_date=new_end,
        activities=list(old.activities.all()) if activities is None else activities,
        previous=old, **values,
    )


VOCABULARY_FIELDS = ("code", "name_ja", "name_en", "sort_order", "is_active")


@transaction.atomic
def vocabulary_term_save(*, actor: User, model, term=None, **values):
    """Add a term to a vocabulary (term None) or change one; who may is who may on the
    vocabulary pages in the editor. A term in use is retired (is_active off), never deleted."""
    from ..selectors.workforce import vocabulary_change_allowed

    if not vocabulary_change_allowed(actor, model, "add" if term is None else "change"):
        raise PermissionDenied(_("Only an administrator can change the vocabularies."))
    unknown = set(values) - set(VOCABULARY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown vocabulary fields: {sorted(unknown)}")
    if term is None:
        term = model()
    else:
        term = model.objects.select_for_update().get(pk=term.pk)
    changed = _apply(term, values, VOCABULARY_FIELDS)
    term.full_clean()
    term.save()
    audit_record(actor=actor, action=f"vocabulary.{model._meta.model_name}.save", target=term,
                 data={"changed": changed})
    return term
