"""Credential types, course modules, training-body settings and CE categories."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peers.models import User
from peers.services import audit_record

from ..models import (
    CECategory,
    Course,
    CredentialType,
    TrainingBody,
)


# ---------------------------------------------------------------- credential types and modules
@transaction.atomic
def credential_type_save(
    *, credential_type: CredentialType, actor: User, reminder_offsets: list[int], floors: dict[str, Decimal]
) -> CredentialType:
    """Save a credential type's rules; floors name categories (created when new)."""
    from ..models import CEFloor

    credential_type.reminder_offsets = sorted(set(reminder_offsets), reverse=True)
    credential_type.full_clean()
    created = credential_type._state.adding
    credential_type.save()
    credential_type.ce_floors.all().delete()
    for name, hours in floors.items():
        category, _created = CECategory.objects.get_or_create(body_id=credential_type.body_id, name=name)
        CEFloor.objects.create(credential_type=credential_type, category=category, minimum_hours=hours)
    audit_record(
        actor=actor, action="credential_type.create" if created else "credential_type.update",
        target=credential_type, data={"floors": {k: str(v) for k, v in floors.items()}},
    )
    return credential_type


@transaction.atomic
def course_module_add(*, course: Course, title: str, hours: Decimal, actor: User):
    from ..models import CurriculumModule

    module = CurriculumModule(course=course, title=title, hours=hours, order=course.modules.count())
    module.full_clean()
    module.save()
    audit_record(actor=actor, action="course.module_add", target=course, data={"module": module.pk})
    return module


# ---------------------------------------------------------------- body settings
@transaction.atomic
def training_body_settings_update(*, body: TrainingBody, actor: User, number_prefix: str,
                                  sequence_digits: int,
                                  recertification_keeps_number: bool | None = None) -> TrainingBody:
    """The body's certificate numbering. The prefix is part of every number already printed on
    a certificate and checked by /verify/, so it can change only until the first one is issued.
    `recertification_keeps_number` (unchanged when None): whether a re-certification after a
    lapse keeps the old number or gets a new one."""
    body = TrainingBody.objects.select_for_update().get(pk=body.pk)
    number_prefix = number_prefix.strip().upper()
    if number_prefix != body.number_prefix and body.certifications.exists():
        raise ValidationError({"number_prefix": _(
            "Certificates have already been issued with this prefix, so it can no longer change."
        )})
    before = {"number_prefix": body.number_prefix, "sequence_digits": body.sequence_digits,
              "recertification_keeps_number": body.recertification_keeps_number}
    body.number_prefix, body.sequence_digits = number_prefix, sequence_digits
    if recertification_keeps_number is not None:
        body.recertification_keeps_number = bool(recertification_keeps_number)
    body.full_clean()
    body.save(update_fields=["number_prefix", "sequence_digits", "recertification_keeps_number"])
    audit_record(actor=actor, action="training_body.settings", target=body,
                 data={"before": before, "after": {"number_prefix": number_prefix,
                                                   "sequence_digits": sequence_digits,
                                                   "recertification_keeps_number": body.recertification_keeps_number}})
    return body


@transaction.atomic
def training_body_evidence_days_update(*, body: TrainingBody, actor: User, evidence_due_days: int) -> TrainingBody:
    """How many days a sampled person has to send evidence (records sampled from now on)."""
    body = TrainingBody.objects.select_for_update().get(pk=body.pk)
    before = body.evidence_due_days
    body.evidence_due_days = evidence_due_days
    body.full_clean()
    body.save(update_fields=["evidence_due_days"])
    audit_record(actor=actor, action="training_body.evidence_days", target=body,
                 data={"before": before, "after": evidence_due_days})
    return body


@transaction.atomic
def ce_category_save(*, body: TrainingBody, actor: User, name: str,
                     category: CECategory | None = None) -> CECategory:
    """Add a continuing-education category, or rename one (records keep pointing at it)."""
    if category is not None and category.body_id != body.pk:
        raise PermissionDenied
    category = category or CECategory(body=body)
    category.name = name.strip()
    category.full_clean()
    category.save()
    audit_record(actor=actor, action="ce_category.save", target=category, data={"name": category.name})
    return category
