"""Consent, lived experience, and the person's rights (erasure). APPI: sensitive data only
with prior consent for a stated purpose, unused at once on withdrawal, kept no longer than set."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from ..models import (
    Consent,
    DataCategory,
    ErasureRequest,
    LivedExperience,
    PrivacySettings,
    Profile,
    SensitiveAccess,
    User,
)
from ..selectors import user_is_admin
from ..tasks import send_email
from . import audit_record
from .workforce import active_consent_for

# What each purpose covers. A purpose names its data; the person agrees to both at once.
PURPOSE_CATEGORIES: dict[str, list[str]] = {
    Consent.Purpose.LIVED_EXPERIENCE: [DataCategory.LIVED_EXPERIENCE],
    Consent.Purpose.ACCOMMODATIONS: [DataCategory.ACCOMMODATIONS],
}


@transaction.atomic
def consent_give(*, person: User, purpose: str, recorded_by: User | None = None) -> Consent:
    """Record the person's consent to a purpose. Giving an active one again changes nothing.

    `recorded_by` is the person, or a staff member entering a paper form (合意書).
    """
    recorded_by = recorded_by or person
    if recorded_by.pk != person.pk and not user_is_admin(recorded_by):
        raise PermissionDenied(_("Only the person or an administrator can record consent."))
    existing = Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).first()
    if existing:
        return existing
    consent = Consent(
        person=person, purpose=purpose, data_categories=list(PURPOSE_CATEGORIES.get(purpose, [])),
        recorded_by=recorded_by,
    )
    consent.full_clean()
    consent.save()
    audit_record(actor=recorded_by, action="consent.give", target=consent,
                 data={"person": person.pk, "purpose": purpose})
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    """Withdraw a consent: what it covers is unused from now on, and erased after the
    retention period (consent_purge_expired)."""
    if actor.pk != consent.person_id and not user_is_admin(actor):
        raise PermissionDenied(_("Only the person can withdraw their consent."))
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.full_clean()
        consent.save(update_fields=["withdrawn_at"])
        audit_record(actor=actor, action="consent.withdraw", target=consent,
                     data={"person": consent.person_id, "purpose": consent.purpose})
    return consent


@transaction.atomic
def lived_experience_declare(*, person: User, relation: str, visibility: str) -> LivedExperience:
    """The person declares lived experience. Needs their active consent covering it."""
    consent = active_consent_for(person, DataCategory.LIVED_EXPERIENCE)
    if consent is None:
        raise ValidationError(_(
            "Lived experience is stored only with your consent. Please give it first."
        ))
    declaration = LivedExperience.objects.filter(person=person).first() or LivedExperience(person=person)
    declaration.consent = consent
    declaration.relation = relation
    declaration.visibility = visibility
    declaration.declared_at = timezone.now()
    declaration.full_clean()
    declaration.save()
    audit_record(actor=person, action="lived_experience.declare", target=declaration)
    return declaration


@transaction.atomic
def lived_experience_remove(*, person: User) -> None:
    """The person removes their declaration at once."""
    deleted, _rows = LivedExperience.objects.filter(person=person).delete()
    if deleted:
        audit_record(actor=person, action="lived_experience.remove", target=person)


@transaction.atomic
def consent_purge_expired(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Erase data covered by consents withdrawn longer ago than the retention period the
    administrator set (PrivacySettings). Safe to run repeatedly."""
    now = now or timezone.now()
    days = PrivacySettings.load().withdrawn_data_retention_days
    cutoff = now - datetime.timedelta(days=days)
    expired = list(
        Consent.objects.select_for_update().filter(
            withdrawn_at__isnull=False, withdrawn_at__lte=cutoff, data_erased_at__isnull=True
        )
    )
    ids = [c.pk for c in expired]
    lived, _rows = LivedExperience.objects.filter(consent_id__in=ids).delete()
    profiles = Profile.objects.filter(accommodations_consent_id__in=ids).update(
        accommodations="", accommodations_consent=None
    )
    Consent.objects.filter(pk__in=ids).update(data_erased_at=now)
    for consent in expired:
        audit_record(actor=None, action="consent.purge", target=consent,
                     data={"person": consent.person_id, "retention_days": days})
    return {"consents": len(ids), "lived_experience": lived, "accommodations": profiles}


# --- Erasure --------------------------------------------------------------------------------


@transaction.atomic
def erasure_request(*, person: User, note: str = "") -> ErasureRequest:
    """The person asks for their personal data to be erased; an administrator carries it out."""
    existing = ErasureRequest.objects.filter(person=person, status=ErasureRequest.Status.REQUESTED).first()
    if existing:
        return existing
    request = ErasureRequest(person=person, note=note.strip())
    request.full_clean()
    request.save()
    audit_record(actor=person, action="erasure.request", target=request)
    return request


@transaction.atomic
def erasure_carry_out(*, actor: User, request: ErasureRequest) -> ErasureRequest:
    """Erase or anonymise the person's data, keeping only what a rule requires, and say so.

    Kept: engagements (staffing records for welfare-fee claims are kept 5 years), linked to an
    anonymised account; the consent ledger (proof of what was agreed), without the data.
    """
    if not user_is_admin(actor):
        raise PermissionDenied(_("Only an administrator can carry out an erasure."))
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == ErasureRequest.Status.COMPLETED:
        return request
    person = request.person
    # Read before anonymising: where and how to tell the person it is done.
    address, language, name = person.email, person.language, person.display_name
    LivedExperience.objects.filter(person=person).delete()
    Profile.objects.filter(user=person).delete()
    SensitiveAccess.objects.filter(person=person).delete()
    now = timezone.now()
    Consent.objects.filter(person=person, withdrawn_at__isnull=True).update(withdrawn_at=now)
    Consent.objects.filter(person=person, data_erased_at__isnull=True).update(data_erased_at=now)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=person).delete()
    person.email = f"erased-{person.pk}@invalid.example"
    person.display_name = str(_("Erased person"))
    person.name_kana = ""
    person.password = make_password(None)
    person.is_active = False
    person.save()
    person.role_assignments.all().delete()
    request.status = ErasureRequest.Status.COMPLETED
    request.completed_at = now
    request.completed_by = actor
    request.kept = [
        {"data": "engagements", "count": person.engagements.count(),
         "reason": "Staffing records for welfare-fee claims are kept for 5 years."},
        {"data": "consents", "count": person.consents.count(),
         "reason": "The consent ledger proves what was agreed; the data it covered is erased."},
    ]
    request.note = ""
    request.full_clean()
    request.save()
    audit_record(actor=actor, action="erasure.complete", target=request, data={"person": person.pk})
    counts = {item["data"]: item["count"] for item in request.kept}

    def _tell_the_person() -> None:
        with translation.override(language):
            context = {"name": name, **counts}
            subject = render_to_string("peers/email/erasure_done_subject.txt", context).strip()
            body = render_to_string("peers/email/erasure_done_message.txt", context)
        send_email.enqueue(subject=subject, body=body, to=[address])

    # Only once the erasure is committed; the address exists nowhere else afterwards.
    transaction.on_commit(_tell_the_person)
    return request
