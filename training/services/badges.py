"""Digital credentials (Open Badges 3.0): each certification cycle and each completion gets one,
the first time it is asked for (the holder's download, the API, the demo)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from peers.services import audit_record

from ..models import STATUS_LIST_SIZE, BadgeCredential, Certification, Completion

# A list is left for the next once half its entries are taken, so a random free index is found
# in a few draws and an index never narrows down who holds it.
_LIST_FILL = STATUS_LIST_SIZE // 2


def _allocate(fields: dict) -> BadgeCredential:
    """Save a credential at a random free index of the open status list."""
    number = BadgeCredential.objects.order_by("-status_list").values_list("status_list", flat=True).first() or 1
    if BadgeCredential.objects.filter(status_list=number).count() >= _LIST_FILL:
        number += 1
    for _attempt in range(20):
        credential = BadgeCredential(status_list=number, status_index=secrets.randbelow(STATUS_LIST_SIZE), **fields)
        credential.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                credential.save()
            return credential
        except IntegrityError:
            existing = _existing(fields)
            if existing is not None:  # made at the same moment by another request
                return existing
    raise RuntimeError("no free status list index found")


def _existing(fields: dict) -> BadgeCredential | None:
    if fields.get("completion") is not None:
        return BadgeCredential.objects.filter(completion=fields["completion"]).first()
    return BadgeCredential.objects.filter(certification=fields["certification"], cycle=fields["cycle"]).first()


@transaction.atomic
def badge_credential_for_certification(*, certification: Certification, actor=None) -> BadgeCredential:
    """The credential of the certification's current cycle (made now if there is none yet).
    Refused for a revoked certification, or one replaced by a re-certification."""
    from ..badges.documents import day_end, day_start

    if certification.status == Certification.Status.REVOKED:
        raise ValidationError(_("This certification was revoked: no digital credential is issued for it."))
    if certification.replaced_on is not None:
        raise ValidationError(_("This certification was replaced by a re-certification; use the new one."))
    existing = BadgeCredential.objects.filter(certification=certification, cycle=certification.cycle).first()
    if existing is not None:
        return existing
    credential = _allocate({
        "kind": BadgeCredential.Kind.CERTIFICATION, "certification": certification, "cycle": certification.cycle,
        "valid_from": day_start(certification.cycle_started_on),
        "valid_until": day_end(certification.valid_until) if certification.valid_until else None,
    })
    audit_record(actor=actor, action="certification.credential", target=certification,
                 data={"credential": str(credential.uuid), "cycle": credential.cycle})
    return credential


@transaction.atomic
def badge_credential_for_completion(*, completion: Completion, actor=None) -> BadgeCredential:
    """The completion's credential (made now if there is none yet); a completion does not expire."""
    from ..badges.documents import day_start

    existing = BadgeCredential.objects.filter(completion=completion).first()
    if existing is not None:
        return existing
    credential = _allocate({
        "kind": BadgeCredential.Kind.COMPLETION, "completion": completion,
        "valid_from": day_start(completion.completed_on),
    })
    audit_record(actor=actor, action="completion.credential", target=completion,
                 data={"credential": str(credential.uuid)})
    return credential


def badge_status_changed(certification: Certification) -> None:
    """Called by the services that change a certification's status: its credentials' status
    lists are signed afresh on the next request."""
    from ..badges.status import status_list_changed

    status_list_changed(
        BadgeCredential.objects.filter(certification=certification).values_list("status_list", flat=True)
    )
