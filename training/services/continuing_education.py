"""Continuing-education records, practice credit, sampling and evidence."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from peers.models import User
from peers.services import audit_record

from ..evidence import evidence_check
from ..models import (
    CECategory,
    Certification,
    ContinuingEducation,
    TrainingBody,
)
from .common import _notify


# ---------------------------------------------------------------- continuing education
@transaction.atomic
def ce_record_add(
    *, person: User, body: TrainingBody, date: datetime.date, provider: str, hours: Decimal,
    category: CECategory, title: str = "", evidence=None, actor: User | None = None,
) -> ContinuingEducation:
    if category.body_id != body.pk:
        raise ValidationError({"category": _("Choose a category of this training body.")})
    record = ContinuingEducation(
        person=person, body=body, date=date, provider=provider, hours=hours, category=category,
        title=title,
    )
    if evidence is not None:
        try:
            evidence_check(evidence)  # PDF, JPEG, PNG or HEIC by content, within the size limit
        except ValidationError as error:
            raise ValidationError({"evidence": error.error_list}) from error
        record.evidence = evidence
    record.full_clean()
    record.save()
    audit_record(actor=actor or person, action="ce.add", target=record)
    return record


@transaction.atomic
def ce_credit_practice_withdraw(*, person_id: int, source_ref: str) -> int:
    """Take back the hours credited for one piece of practice (an entry its author corrected
    goes back for verification; verifying it again credits the corrected hours)."""
    deleted, _detail = ContinuingEducation.objects.filter(
        person_id=person_id, source_ref=source_ref
    ).exclude(source_ref="").delete()
    return deleted


def ce_credit_practice(*, items: list[dict]) -> int:
    """Credit verified peer-support practice (activity entries, confirmed supervision) as
    continuing-education hours, wherever the person holds a live certification whose credential
    type says practice counts (`practice_ce_category`). Each item: person_id, date, hours,
    provider, title, source_ref. Never twice for the same source; three queries for any number.

    Called by collaboration when it verifies entries (the dependency runs that way)."""
    if not items:
        return 0
    S = Certification.Status
    person_ids = {item["person_id"] for item in items}
    targets: dict[int, list[tuple[int, int]]] = {}
    for person_id, body_id, category_id in (
        Certification.objects.filter(
            holder_id__in=person_ids, status__in=[S.ACTIVE, S.EXPIRING, S.GRACE],
            credential_type__practice_ce_category__isnull=False,
        )
        .values_list("holder_id", "body_id", "credential_type__practice_ce_category_id")
        .distinct()
    ):
        targets.setdefault(person_id, []).append((body_id, category_id))
    if not targets:
        return 0
    refs = {item["source_ref"] for item in items}
    existing = set(
        ContinuingEducation.objects.filter(person_id__in=targets, source_ref__in=refs).values_list(
            "person_id", "body_id", "source_ref"
        )
    )
    records = []
    for item in items:
        for body_id, category_id in targets.get(item["person_id"], []):
            key = (item["person_id"], body_id, item["source_ref"])
            if key in existing or item["hours"] <= 0:
                continue
            existing.add(key)
            records.append(
                ContinuingEducation(
                    person_id=item["person_id"], body_id=body_id, category_id=category_id,
                    date=item["date"], hours=item["hours"], provider=item["provider"][:200],
                    title=item.get("title", "")[:200], source_ref=item["source_ref"],
                )
            )
    ContinuingEducation.objects.bulk_create(records)
    return len(records)


@transaction.atomic
def ce_sample(*, body: TrainingBody, actor: User, size: int, seed: int | None = None) -> list[ContinuingEducation]:
    """Pick `size` unreviewed records at random and ask for their evidence: each person is told by
    email, in their language, which records, what to upload and by when (the body's
    `evidence_due_days` from today). Until accepted, the hours count as waiting, not earned."""
    ids = list(
        ContinuingEducation.objects.filter(body=body, review=ContinuingEducation.Review.NOT_REVIEWED)
        .values_list("pk", flat=True)
    )
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    chosen = rng.sample(ids, min(size, len(ids)))
    due_on = timezone.localdate() + datetime.timedelta(days=body.evidence_due_days)
    ContinuingEducation.objects.filter(pk__in=chosen).update(
        review=ContinuingEducation.Review.SAMPLED, evidence_due_on=due_on, review_reason="",
        evidence_submitted_at=None,
    )
    audit_record(actor=actor, action="ce.sample", target=body,
                 data={"ids": chosen, "due_on": due_on.isoformat()})
    records = list(
        ContinuingEducation.objects.filter(pk__in=chosen).select_related("person", "category")
        .order_by("person_id", "date", "id")
    )
    by_person: dict[int, list[ContinuingEducation]] = {}
    for record in records:
        by_person.setdefault(record.person_id, []).append(record)
    body_name = body.organisation.name
    for person_records in by_person.values():
        _notify_evidence_request(person_records[0].person, person_records, body_name=body_name, due_on=due_on)
    return records


def _record_line(record: ContinuingEducation) -> str:
    title = f" {record.title}" if record.title else ""
    return _("・%(date)s %(provider)s%(title)s, %(category)s, %(hours)s hours") % {
        "date": formats.date_format(record.date, "DATE_FORMAT"), "provider": record.provider,
        "title": title, "category": record.category.name, "hours": f"{record.hours.normalize():f}",
    }


def _notify_evidence_request(person: User, records: list[ContinuingEducation], *, body_name: str,
                             due_on: datetime.date) -> None:
    _notify(person, lambda: _("Please send evidence for your continuing education"), [
        lambda: _(
            "%(body)s checks a random sample of continuing-education records, and picked these of yours:"
        ) % {"body": body_name},
        lambda: "\n".join(_record_line(record) for record in records),
        lambda: _(
            "Please upload evidence for each (a certificate of attendance, a receipt or the programme "
            "with your name: a PDF, JPEG, PNG or HEIC file) by %(date)s, on your training page "
            "under “Evidence requested”."
        ) % {"date": formats.date_format(due_on, "DATE_FORMAT")},
        lambda: _("Until the evidence is accepted these hours count as waiting, not yet toward renewal."),
    ])


@transaction.atomic
def ce_evidence_submit(*, record: ContinuingEducation, person: User, evidence) -> ContinuingEducation:
    """The person sends the evidence asked for (until the due date; again after a rejection).
    The record then waits for staff review; an earlier file is replaced."""
    record = ContinuingEducation.objects.select_for_update().get(pk=record.pk)
    if record.person_id != person.pk:
        raise PermissionDenied
    if not record.evidence_asked:
        raise ValidationError({"evidence": _(
            "Evidence is not asked for this record now (or the date to send it has passed). Nothing was saved."
        )})
    try:
        evidence_check(evidence)
    except ValidationError as error:
        raise ValidationError({"evidence": error.error_list}) from error
    old_name = record.evidence.name if record.evidence else ""
    record.evidence = evidence
    record.review = ContinuingEducation.Review.SUBMITTED
    record.evidence_submitted_at = timezone.now()
    record.full_clean()
    record.save(update_fields=["evidence", "review", "evidence_submitted_at"])
    audit_record(actor=person, action="ce.evidence_submit", target=record)
    if old_name and old_name != record.evidence.name:
        storage = record.evidence.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return record


@transaction.atomic
def ce_review(*, record: ContinuingEducation, actor: User, accepted: bool, reason: str = "") -> ContinuingEducation:
    """Accept or reject a record's evidence. A rejection needs a reason, which the person is told;
    they may upload again until the due date (the hours stay out of renewal meanwhile)."""
    record = ContinuingEducation.objects.select_for_update(of=("self",)).select_related("person", "category", "body__organisation").get(pk=record.pk)
    reason = (reason or "").strip()
    if not accepted and not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting; the person is told it.")})
    record.review = ContinuingEducation.Review.ACCEPTED if accepted else ContinuingEducation.Review.REJECTED
    record.reviewed_by = actor
    record.review_reason = "" if accepted else reason
    record.full_clean()
    record.save(update_fields=["review", "reviewed_by", "review_reason"])
    audit_record(actor=actor, action="ce.review", target=record, data={"accepted": accepted, "reason": reason})
    if record.evidence_due_on is not None:  # the person was asked for evidence: tell them the outcome
        _notify_review(record, accepted=accepted)
    return record


def _notify_review(record: ContinuingEducation, *, accepted: bool) -> None:
    if accepted:
        _notify(record.person, lambda: _("Your evidence has been accepted"), [
            lambda: _("The evidence you sent for this record has been accepted; its hours count toward renewal:"),
            lambda: _record_line(record),
        ])
        return
    due_on = record.evidence_due_on
    reason = record.review_reason
    _notify(record.person, lambda: _("Your evidence was not accepted"), [
        lambda: _("The evidence you sent for this record was not accepted:"),
        lambda: _record_line(record),
        lambda: _("Reason: %(reason)s") % {"reason": reason},
        (lambda: _("You may upload evidence again on your training page until %(date)s.") % {
            "date": formats.date_format(due_on, "DATE_FORMAT")}) if record.evidence_asked else
        (lambda: _("The date to send evidence has passed, so these hours do not count toward renewal.")),
    ])


def hours_total(person: User, body: TrainingBody, since: datetime.date) -> Decimal:
    """Hours earned: rejected records and those waiting for their evidence check do not count."""
    total = ContinuingEducation.objects.filter(person=person, body=body, date__gte=since).exclude(
        review__in=[ContinuingEducation.Review.REJECTED, *ContinuingEducation.WAITING_REVIEWS]
    ).aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")



