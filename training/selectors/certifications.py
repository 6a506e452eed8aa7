"""Completions and certifications: the person's own, and the staff's view of them."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from ..models import (
    Certification,
    CertificationStatusChange,
    Completion,
    ReminderSent,
    RenewalRequest,
)
from .bodies import _body_ids


def completion_list_for(user) -> QuerySet[Completion]:
    return Completion.objects.filter(body_id__in=_body_ids(user)).select_related(
        "person", "course", "cohort", "body__organisation"
    )


def completion_list_of(user) -> QuerySet[Completion]:
    return Completion.objects.filter(person=user).select_related(
        "course", "cohort", "body__organisation"
    )


def completion_get_visible(user, pk) -> Completion:
    completion = (
        Completion.objects.filter(Q(person=user) | Q(body_id__in=_body_ids(user)))
        .select_related("person", "course", "body__organisation")
        .filter(pk=pk)
        .first()
    )
    if completion is None:
        raise Http404
    return completion


def _certification_qs() -> QuerySet[Certification]:
    return Certification.objects.select_related(
        "holder", "credential_type", "body__organisation", "recertified_as", "recertification_of"
    )


def certification_list_for(user) -> QuerySet[Certification]:
    """Staff see their bodies' register; everyone else sees only what they hold."""
    if not getattr(user, "is_authenticated", False):
        return Certification.objects.none()
    return _certification_qs().filter(Q(body_id__in=_body_ids(user)) | Q(holder=user))


def certification_list_for_staff(user) -> QuerySet[Certification]:
    return _certification_qs().filter(body_id__in=_body_ids(user))


def certification_get_for_staff(user, pk) -> Certification:
    certification = certification_list_for_staff(user).filter(pk=pk).first()
    if certification is None:
        raise Http404
    return certification


def certification_get_visible(user, pk) -> Certification:
    certification = certification_list_for(user).filter(pk=pk).first()
    if certification is None:
        raise Http404
    return certification


def certification_list_of(user, *, with_records: bool = False) -> QuerySet[Certification]:
    """What the person holds (current and past). `with_records` adds, in three more queries
    whatever the number, each one's status history, reminder log and renewal requests (the
    person's training page shows them)."""
    qs = _certification_qs().filter(holder=user).select_related("credential_type__renewal_course")
    if with_records:
        qs = qs.prefetch_related(
            Prefetch("history", queryset=CertificationStatusChange.objects.order_by("at", "id")),
            Prefetch("reminders", queryset=ReminderSent.objects.order_by("-sent_at", "-id")),
            Prefetch("renewal_requests", queryset=RenewalRequest.objects.filter(outcome=RenewalRequest.Outcome.OPEN),
                     to_attr="open_renewal_requests"),
        )
    return qs


def certification_get_by_number(number: str) -> Certification | None:
    """For public verification only: callers check the number's check code first. A number a
    re-certification kept belongs to the newest record that carries it."""
    return _certification_qs().filter(number=number).order_by("-id").first()


def certification_history_for_staff(user, certification: Certification) -> QuerySet[CertificationStatusChange]:
    if certification.body_id not in _body_ids(user):
        raise Http404
    return certification.history.select_related("actor").order_by("at", "id")


def reminder_log_for_staff(user, certification: Certification) -> QuerySet[ReminderSent]:
    """Which reminder went out when, by which channel (every cycle, newest first)."""
    if certification.body_id not in _body_ids(user):
        raise Http404
    return ReminderSent.objects.filter(certification=certification).order_by("-sent_at", "-id")
