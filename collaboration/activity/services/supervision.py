"""Supervision sessions: recorded by the supervisor, confirmed by the peer."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import (
    User,
)
from peers.services import audit_record
from training.services import ce_credit_practice

from .. import emails
from ..models import (
    SupervisionSession,
)
from ..selectors import (
    NOT_A_COUNTERPART,
    supervision_pair_allowed,
)
from .verification import _hours

# --- Supervision ------------------------------------------------------------------------------


@transaction.atomic
def supervision_record(*, actor: User, supervisor: User, peer: User, date: datetime.date, minutes: int,
                       topics: str = "", notify: bool = True) -> SupervisionSession:
    """Recorded by either person; the other confirms it (and is emailed, unless notify=False)."""
    if actor.pk not in (supervisor.pk, peer.pk):
        raise PermissionDenied(_("Only the supervisor or the peer can record a session."))
    if supervisor.pk != peer.pk and not supervision_pair_allowed(supervisor=supervisor, peer=peer):
        other = "peer" if actor.pk == supervisor.pk else "supervisor"
        raise ValidationError({other: NOT_A_COUNTERPART})
    session = SupervisionSession(
        supervisor=supervisor, peer=peer, date=date, minutes=minutes, topics=topics, recorded_by=actor
    )
    session.full_clean()
    session.save()
    audit_record(actor=actor, action="supervision.record", target=session)
    if notify:
        emails.supervision_recorded(session=session)
    return session


@transaction.atomic
def supervision_confirm(*, actor: User, session: SupervisionSession) -> SupervisionSession:
    session = SupervisionSession.objects.select_for_update().get(pk=session.pk)
    other = session.peer_id if session.recorded_by_id == session.supervisor_id else session.supervisor_id
    if actor.pk != other:
        raise PermissionDenied(_("Only the other person in the session can confirm it."))
    if session.confirmed_at is None:
        session.confirmed_at = timezone.now()
        session.save(update_fields=["confirmed_at"])
        audit_record(actor=actor, action="supervision.confirm", target=session)
        ce_credit_practice(
            items=[{
                "person_id": session.peer_id, "date": session.date, "hours": _hours(session.minutes),
                "provider": session.supervisor.display_name, "title": str(_("Supervision")),
                "source_ref": f"supervision:{session.pk}",
            }]
        )
    return session
