"""Consent, lived experience, and the person's rights (erasure). APPI: sensitive data only
with prior consent for a stated purpose, unused at once on withdrawal, kept no longer than set."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..mail import email_templates
from ..models import (
    Consent,
    DataCategory,
    ErasureRequest,
    LivedExperience,
    Profile,
    RetentionRule,
    RetentionRun,
    User,
)
from ..personal_data import parts
from ..selectors import user_is_admin
from ..selectors.privacy import kept_for_display
from .accounts import audit_record
from .workforce import active_consent_for

# What each purpose covers. A purpose names its data; the person agrees to both at once.
PURPOSE_CATEGORIES: dict[str, list[str]] = {
    Consent.Purpose.LIVED_EXPERIENCE: [DataCategory.LIVED_EXPERIENCE],
    Consent.Purpose.ACCOMMODATIONS: [DataCategory.ACCOMMODATIONS],
    Consent.Purpose.TRAINING_ACCOMMODATIONS: [DataCategory.ACCOMMODATIONS],
    Consent.Purpose.MEETING_ACCOMMODATIONS: [DataCategory.ACCOMMODATIONS],
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
def accommodation_consent_for(*, person: User, purpose: str, given: bool) -> Consent:
    """The consent an accommodation request (合理的配慮) is stored under: recorded now when the
    person ticked the box (`given`), else their active consent for the purpose. Without either
    the request is refused, never stored."""
    if given:
        return consent_give(person=person, purpose=purpose)
    consent = Consent.objects.filter(person=person, purpose=purpose, withdrawn_at__isnull=True).first()
    if consent is None:
        raise ValidationError({"accommodation_consent": _(
            "An accommodation request is stored only with your consent: tick the box to agree, "
            "or leave the request empty."
        )})
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
def consent_purge_expired(
    *, now: datetime.datetime | None = None, rule: RetentionRule | None = None
) -> dict[str, int]:
    """Erase data covered by consents withdrawn longer ago than the retention rule the
    administrator set (RetentionRule "withdrawn_consent_data"; at once unless changed), in
    every part of the record (profile, lived experience, training applications, meeting
    replies …). Safe to run repeatedly."""
    from ..personal_data import parts, subtract_period

    now = now or timezone.now()
    rule = rule or RetentionRule.objects.filter(kind="withdrawn_consent_data").first()
    period, unit = (rule.period, rule.unit) if rule else (0, RetentionRule.Unit.DAYS)
    if unit == RetentionRule.Unit.DAYS:
        cutoff = now - datetime.timedelta(days=period)
    else:
        cutoff = datetime.datetime.combine(
            subtract_period(timezone.localdate(now), period, unit), datetime.time.max,
            tzinfo=timezone.get_current_timezone(),
        )
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
    elsewhere = sum(part.consent_withdrawn(ids) for part in parts()) if ids else 0
    Consent.objects.filter(pk__in=ids).update(data_erased_at=now)
    for consent in expired:
        audit_record(actor=None, action="consent.purge", target=consent,
                     data={"person": consent.person_id, "retention": f"{period} {unit}"})
    return {"consents": len(ids), "lived_experience": lived, "accommodations": profiles + elsewhere}


# --- Retention --------------------------------------------------------------------------------


@transaction.atomic
def retention_rules_ensure() -> int:
    """Give every kind of record in the registry a rule with its defaults, if it has none yet
    (a part added later gets one without a data migration). Returns how many were added."""
    from ..personal_data import retention_kinds

    have = set(RetentionRule.objects.values_list("kind", flat=True))
    added = 0
    for code, (_part, kind) in retention_kinds().items():
        if code in have:
            continue
        rule = RetentionRule(kind=code, period=kind.default_period, unit=kind.default_unit,
                             anchor=kind.anchors[0], note_ja=kind.note_ja, note_en=kind.note_en)
        rule.full_clean()
        rule.save()
        audit_record(actor=None, action="retention.rule_default", target=rule, data={"kind": code})
        added += 1
    return added


def retention_apply(*, now: datetime.datetime | None = None) -> list[RetentionRun]:
    """Carry out every active retention rule once (the daily task) and log each run.

    Each rule runs in its own transaction: one failing rule is logged with its error and the
    others still run."""
    from ..personal_data import retention_kinds, subtract_period

    now = now or timezone.now()
    retention_rules_ensure()
    known = retention_kinds()
    runs = []
    for rule in RetentionRule.objects.filter(active=True).order_by("kind"):
        if rule.kind not in known:
            continue
        part, _kind = known[rule.kind]
        run = RetentionRun(kind=rule.kind, ran_at=now,
                           cutoff=subtract_period(timezone.localdate(now), rule.period, rule.unit))
        try:
            with transaction.atomic():
                run.removed = part.expire(rule.kind, rule=rule, now=now)
        except Exception as error:  # noqa: BLE001 - logged for the administrator; the next rule runs
            run.error = repr(error)[:2000]
        run.save()
        runs.append(run)
    return runs


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

    Every part of the record in the registry (peers.personal_data) erases or anonymises its
    own data and says what it keeps, under which rule and until when; that list is stored on
    the request, shown to the person, and sent to them.
    """
    if not user_is_admin(actor):
        raise PermissionDenied(_("Only an administrator can carry out an erasure."))
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == ErasureRequest.Status.COMPLETED:
        return request
    person = request.person
    # Read before anonymising: where and how to tell the person it is done.
    address, language, name = person.email, person.language, person.display_name
    now = timezone.now()
    kept = []
    # The account goes last: other parts still read the name (minutes) while they run.
    for part in sorted(parts(), key=lambda p: p.name == "account"):
        kept.extend(part.erase(person, request=request, now=now))
    request.status = ErasureRequest.Status.COMPLETED
    request.completed_at = now
    request.completed_by = actor
    request.kept = [item.as_json() for item in kept]
    request.note = ""
    request.full_clean()
    request.save()
    audit_record(actor=actor, action="erasure.complete", target=request, data={"person": person.pk})

    # Only once the erasure is committed; the address exists nowhere else afterwards.
    email_templates(to=address, language=language or settings.LANGUAGE_CODE, prefix="peers/email/erasure_done",
                    context=lambda: {"name": name, "kept": kept_for_display(request.kept, language)})
    return request
