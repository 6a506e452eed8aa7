"""Renewal requests from holders."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import User
from peers.services import audit_record

from ..models import (
    Certification,
    CertificationStatusChange,
    RenewalRequest,
)
from .certifications import _certification_history, _lock_certification, _require_reason
from .common import _notify


# ---------------------------------------------------------------- renewal requests
@transaction.atomic
def renewal_request_submit(*, certification: Certification, holder: User, note: str = "") -> RenewalRequest:
    """The holder asks the body to renew, once the renewal window is open and the requirements
    are met (the selector's renewal progress decides). One open request at a time."""
    from ..selectors import renewal_progress

    certification = _lock_certification(certification)
    if certification.holder_id != holder.pk:
        raise PermissionDenied
    progress = renewal_progress(certification)
    if not progress.renewable_now:
        raise ValidationError(_("This certification cannot be renewed now."))
    if progress.missing:
        raise ValidationError(progress.missing)
    if RenewalRequest.objects.filter(certification=certification, outcome=RenewalRequest.Outcome.OPEN).exists():
        raise ValidationError(_("You have already asked for renewal; the training body will reply."))
    request = RenewalRequest(certification=certification, cycle=certification.cycle, note=(note or "").strip()[:300])
    request.full_clean()
    request.save()
    _certification_history(certification, certification.status,
                           CertificationStatusChange.Event.RENEWAL_REQUESTED, holder, request.note)
    audit_record(actor=holder, action="certification.renewal_request", target=certification,
                 data={"request": request.pk})
    number = certification.number
    _notify(holder, lambda: _("We have received your request for renewal"), [
        lambda: _("The training body will review your request to renew certificate %(number)s.") % {"number": number},
    ])
    return request


@transaction.atomic
def renewal_request_decline(*, renewal_request: RenewalRequest, actor: User, reason: str) -> RenewalRequest:
    """Staff decline an open renewal request, saying why (the holder is told)."""
    reason = _require_reason(reason)
    renewal_request = RenewalRequest.objects.select_for_update(of=("self",)).select_related(
        "certification__holder").get(pk=renewal_request.pk)
    if renewal_request.outcome != RenewalRequest.Outcome.OPEN:
        raise ValidationError(_("This renewal request has already been answered."))
    renewal_request.outcome = RenewalRequest.Outcome.DECLINED
    renewal_request.closed_at = timezone.now()
    renewal_request.closed_by = actor
    renewal_request.save(update_fields=["outcome", "closed_at", "closed_by"])
    certification = renewal_request.certification
    _certification_history(certification, certification.status,
                           CertificationStatusChange.Event.RENEWAL_DECLINED, actor, reason)
    audit_record(actor=actor, action="certification.renewal_decline", target=certification,
                 data={"request": renewal_request.pk, "reason": reason})
    number = certification.number
    _notify(certification.holder, lambda: _("Your request for renewal"), [
        lambda: _("The training body could not yet renew certificate %(number)s:") % {"number": number},
        reason,
    ])
    return renewal_request


