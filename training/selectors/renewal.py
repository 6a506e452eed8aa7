"""Renewal: credential types, continuing-education records, renewal progress and requests,
reminders."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    CEFloor,
    Certification,
    Completion,
    ContinuingEducation,
    Course,
    CredentialType,
    ReminderSent,
    RenewalRequest,
    TrainingBody,
)
from .bodies import _body_ids


def renewal_request_open_for_staff(user, certification: Certification) -> RenewalRequest | None:
    if certification.body_id not in _body_ids(user):
        raise Http404
    return RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).first()


def renewal_request_queue_for(user, *, body: TrainingBody) -> list[tuple[RenewalRequest, RenewalProgress]]:
    """The body's open renewal requests, oldest first, each with its renewal progress, in a
    fixed number of queries (at most five) whatever their number."""
    if body.pk not in _body_ids(user):
        raise Http404
    requests = list(
        RenewalRequest.objects.filter(certification__body=body, outcome=RenewalRequest.Outcome.OPEN)
        .select_related(
            "certification__holder", "certification__credential_type__renewal_course",
            "certification__credential_type__practice_ce_category", "certification__body",
        )
        .order_by("requested_at", "id")[:500]
    )
    progress = renewal_progress_list([r.certification for r in requests])
    return list(zip(requests, progress, strict=True))


def credential_type_list_for(user) -> QuerySet[CredentialType]:
    return CredentialType.objects.filter(body_id__in=_body_ids(user)).select_related(
        "body__organisation", "initial_course", "renewal_course"
    ).prefetch_related("ce_floors__category")


def ce_record_list_for(user) -> QuerySet[ContinuingEducation]:
    return ContinuingEducation.objects.filter(body_id__in=_body_ids(user)).select_related(
        "person", "category", "body", "cohort"
    )


def ce_record_list_of(user) -> QuerySet[ContinuingEducation]:
    return ContinuingEducation.objects.filter(person=user).select_related("category", "body")


def ce_evidence_request_list_of(user) -> QuerySet[ContinuingEducation]:
    """The person's records picked for an evidence check that are still open: evidence to send,
    sent and waiting for review, or rejected with time left to send it again. Soonest due first."""
    if user is None or not user.is_authenticated:
        return ContinuingEducation.objects.none()
    R = ContinuingEducation.Review
    return (
        ContinuingEducation.objects.filter(person=user, evidence_due_on__isnull=False)
        .filter(Q(review__in=[R.SAMPLED, R.SUBMITTED])
                | Q(review=R.REJECTED, evidence_due_on__gte=timezone.localdate()))
        .select_related("category", "body__organisation")
        .order_by("evidence_due_on", "date", "id")
    )


def ce_record_get_own(user, pk) -> ContinuingEducation:
    """One of the person's own records; anyone else's is a 404."""
    record = ContinuingEducation.objects.filter(person=user, pk=pk).select_related("category", "body").first()
    if record is None:
        raise Http404
    return record


def ce_record_get_for_staff(user, *, body, pk) -> ContinuingEducation:
    """A record of `body` for its staff to review; another body's (or no access) is a 404."""
    record = ce_record_list_for(user).filter(body=body, pk=pk).select_related("reviewed_by").first()
    if record is None:
        raise Http404
    return record


CURRENT_STATUSES = (Certification.Status.ACTIVE, Certification.Status.EXPIRING, Certification.Status.GRACE)


def certification_list_current_of(user) -> QuerySet[Certification]:
    """What the person holds now and may renew: active, due for renewal or in the grace period."""
    return (
        Certification.objects.filter(holder=user, status__in=CURRENT_STATUSES)
        .select_related(
            "credential_type__renewal_course", "credential_type__practice_ce_category", "body__organisation"
        )
        .order_by("valid_until", "id")
    )


@dataclass
class RenewalProgress:
    certification: Certification
    hours_total: Decimal = Decimal("0")
    hours_required: Decimal = Decimal("0")
    # Of hours_total, those credited from verified activity and confirmed supervision.
    hours_from_practice: Decimal = Decimal("0")
    # Not in hours_total: hours whose evidence was asked for (audit sampling), until accepted.
    hours_waiting: Decimal = Decimal("0")
    by_category: list[dict] = field(default_factory=list)
    renewal_course_done: bool = True
    missing: list[str] = field(default_factory=list)
    # Whether renewal can happen today: the window has opened and the late-renewal limit has
    # not passed (nor is the certification suspended, revoked or replaced).
    renewable_now: bool = False
    renewal_opens_on: datetime.date | None = None
    late_limit: datetime.date | None = None

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def hours_enough(self) -> bool:
        return self.hours_total >= self.hours_required

    @property
    def can_request(self) -> bool:
        """The holder may ask for renewal: it is possible now and nothing is missing."""
        return self.renewable_now and self.complete

    @property
    def practice_counts(self) -> bool:
        return self.certification.credential_type.practice_ce_category_id is not None


def renewal_progress(certification: Certification) -> RenewalProgress:
    """What this cycle has toward renewal, and in words what is still missing (in the active
    language). The one source of these figures: the home card, the training page, the activity
    page, the staff pages and the reminders all read them from here (renewal_progress_list)."""
    return renewal_progress_list([certification])[0]


def renewal_progress_list(certifications: list[Certification]) -> list[RenewalProgress]:
    """renewal_progress for many certifications in a fixed number of queries (at most four,
    whatever their number): a page can show every certification a person holds."""
    certifications = list(certifications)
    if not certifications:
        return []
    # Hours of continuing education in each certification's current cycle, by category: one
    # query with a conditional sum per certification (cycles start on different days).
    window = Q()
    sums = {}
    for c in certifications:
        own = Q(person_id=c.holder_id, body_id=c.body_id, date__gte=c.cycle_started_on)
        if c.credential_type.practice_ce_category_id is None:
            # Practice credited for another credential type of the body does not count here.
            own &= Q(source_ref="")
        window |= own
        # Hours picked for an evidence check wait (w) until accepted: not earned meanwhile.
        waiting = own & Q(review__in=ContinuingEducation.WAITING_REVIEWS)
        own &= ~Q(review__in=ContinuingEducation.WAITING_REVIEWS)
        sums[f"h{c.pk}"] = Sum("hours", filter=own)
        sums[f"p{c.pk}"] = Sum("hours", filter=own & ~Q(source_ref=""))
        sums[f"w{c.pk}"] = Sum("hours", filter=waiting)
    rows = list(
        ContinuingEducation.objects.filter(window)
        .exclude(review=ContinuingEducation.Review.REJECTED)
        .values("category_id")
        .annotate(**sums)
        .order_by()
    )
    type_ids = {c.credential_type_id for c in certifications}
    floors: dict[int, list] = {}
    for floor in CEFloor.objects.filter(credential_type_id__in=type_ids).select_related("category").order_by("id"):
        floors.setdefault(floor.credential_type_id, []).append(floor)
    renewal_course_ids = {c.credential_type.renewal_course_id for c in certifications} - {None}
    completed: dict[tuple[int, int], datetime.date] = {}
    if renewal_course_ids:
        for person_id, course_id, on in Completion.objects.filter(
            person_id__in={c.holder_id for c in certifications}, course_id__in=renewal_course_ids
        ).values_list("person_id", "course_id", "completed_on"):
            key = (person_id, course_id)
            completed[key] = max(on, completed.get(key, on))
        uncached = [c.credential_type for c in certifications if c.credential_type.renewal_course_id
                    and not CredentialType.renewal_course.is_cached(c.credential_type)]
        if uncached:
            courses = Course.objects.in_bulk({t.renewal_course_id for t in uncached})
            for ctype in uncached:
                ctype.renewal_course = courses[ctype.renewal_course_id]
    return [_progress(c, rows, floors.get(c.credential_type_id, []), completed) for c in certifications]


def _progress(certification: Certification, rows: list[dict], floors: list, completed: dict) -> RenewalProgress:
    from ..services import renewal_late_limit

    ctype = certification.credential_type
    progress = RenewalProgress(certification=certification, hours_required=ctype.ce_hours_required)
    if ctype.expires and certification.valid_until is not None:
        today = timezone.localdate()
        progress.renewal_opens_on = certification.renewal_due_from
        progress.late_limit = renewal_late_limit(certification)
        progress.renewable_now = (
            certification.replaced_on is None
            and certification.status not in (Certification.Status.SUSPENDED, Certification.Status.REVOKED)
            and certification.renewal_due_from <= today <= progress.late_limit
        )
    per_category = {r["category_id"]: r[f"h{certification.pk}"] for r in rows if r[f"h{certification.pk}"]}
    progress.hours_total = sum(per_category.values(), Decimal("0"))
    progress.hours_from_practice = sum(
        (r[f"p{certification.pk}"] for r in rows if r[f"p{certification.pk}"]), Decimal("0")
    )
    progress.hours_waiting = sum(
        (r[f"w{certification.pk}"] for r in rows if r[f"w{certification.pk}"]), Decimal("0")
    )
    if ctype.ce_hours_required and progress.hours_total < ctype.ce_hours_required:
        progress.missing.append(
            _("%(hours)s more hours of continuing education (%(have)s of %(need)s).")
            % {
                "hours": _hours(ctype.ce_hours_required - progress.hours_total),
                "have": _hours(progress.hours_total),
                "need": _hours(ctype.ce_hours_required),
            }
        )
    for floor in floors:
        have = per_category.get(floor.category_id) or Decimal("0")
        progress.by_category.append(
            {"category": floor.category, "have": have, "need": floor.minimum_hours}
        )
        if have < floor.minimum_hours:
            progress.missing.append(
                _("%(hours)s more hours of %(category)s (%(have)s of %(need)s).")
                % {
                    "hours": _hours(floor.minimum_hours - have),
                    "category": floor.category.name,
                    "have": _hours(have),
                    "need": _hours(floor.minimum_hours),
                }
            )
    if ctype.renewal_course_id:
        done_on = completed.get((certification.holder_id, ctype.renewal_course_id))
        progress.renewal_course_done = done_on is not None and done_on >= certification.cycle_started_on
        if not progress.renewal_course_done:
            progress.missing.append(
                _("Complete the renewal course “%(course)s”.") % {"course": ctype.renewal_course.title}
            )
    return progress


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def reminder_list_of(user, *, limit: int = 5) -> QuerySet[ReminderSent]:
    """Reminders for the person's home page: those of the current cycle only."""
    return (
        ReminderSent.objects.filter(
            certification__holder=user,
            certification__status__in=[
                Certification.Status.ACTIVE,
                Certification.Status.EXPIRING,
                Certification.Status.GRACE,
            ],
            cycle=F("certification__cycle"),
        )
        .select_related("certification__credential_type__renewal_course")
        .order_by("-sent_at")[:limit]
    )


def ce_record_get_visible(user, pk) -> ContinuingEducation:
    """A record its person or the body's staff may open (with its evidence file)."""
    record = (
        ContinuingEducation.objects.filter(Q(person=user) | Q(body_id__in=_body_ids(user)))
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    return record


# --- For the API: what the holder and the body's staff read -------------------------------------


def credential_type_list_visible(user) -> QuerySet[CredentialType]:
    """Credential types a person may read: every type of the bodies they run as staff, and the
    types of the certifications they hold (their rules and floors decide their renewal)."""
    if not getattr(user, "is_authenticated", False):
        return CredentialType.objects.none()
    return (
        CredentialType.objects.filter(Q(body_id__in=_body_ids(user)) | Q(certifications__holder=user))
        .distinct()
        .select_related("body__organisation", "initial_course", "renewal_course")
        .prefetch_related("ce_floors__category")
    )


def renewal_request_list_of(user) -> QuerySet[RenewalRequest]:
    """The renewal requests a holder sent, open and answered."""
    if not getattr(user, "is_authenticated", False):
        return RenewalRequest.objects.none()
    return RenewalRequest.objects.filter(certification__holder=user).select_related("certification")


def renewal_request_list_for_staff(user) -> QuerySet[RenewalRequest]:
    """The open renewal requests of the bodies the user runs as staff (the queue of each body's
    renewal-requests page)."""
    return (
        RenewalRequest.objects.filter(certification__body_id__in=_body_ids(user), outcome=RenewalRequest.Outcome.OPEN)
        .select_related(
            "certification__holder", "certification__credential_type__renewal_course",
            "certification__credential_type__practice_ce_category", "certification__body",
        )
    )


def training_body_list_held_by(user) -> QuerySet[TrainingBody]:
    """Bodies that certified the person: where they add their continuing education (as the
    training page's form offers)."""
    if not getattr(user, "is_authenticated", False):
        return TrainingBody.objects.none()
    return TrainingBody.objects.filter(certifications__holder=user).distinct()
