"""Supervision: the sessions a person may see, and who may be named as the other person."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.access import two_step_passed
from peers.models import (
    Engagement,
    Role,
    User,
)
from peers.selectors import role_assignment_list_for

from ..models import (
    ActivityVerifier,
    SupervisionSession,
)


def supervision_list_for(user) -> QuerySet[SupervisionSession]:
    """Sessions this person took part in (as supervisor or peer)."""
    return SupervisionSession.objects.select_related("supervisor", "peer", "recorded_by").filter(
        Q(supervisor=user) | Q(peer=user)
    )


def supervision_get_for(user, pk: int) -> SupervisionSession | None:
    return supervision_list_for(user).filter(pk=pk).first()


# Who may be named in a supervision record. A session is between a peer and a supervisor who
# really work together: the supervisor is a manager, or a supervisor the manager named (an
# ActivityVerifier not removed), of an organisation where the peer has a current engagement
# (started, not ended). Nobody else, administrators included: naming anyone else, like naming an
# id that does not exist, answers "not someone you work with" and sends nothing.
SUPERVISOR = "supervisor"


PEER = "peer"


# The one answer for an id that does not exist, a person who is not active, and a person one does
# not work with: the same words, so that the answer never tells which ids exist.
NOT_A_COUNTERPART = _(
    "Choose someone you work with: a manager or named supervisor of the organisation where the peer works."
)


def _current_engagements():
    today = timezone.localdate()
    return Engagement.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today)


def _supervising_organisations(user):
    """Organisations this person supervises for: as their manager or as a named supervisor."""
    managed = {a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER}
    # Named supervision is staff work: it applies only after two-step sign-in (peers.access).
    if not two_step_passed(user):
        return managed
    named = set(
        ActivityVerifier.objects.filter(user=user, removed_at__isnull=True).values_list("organisation_id", flat=True)
    )
    return managed | named


def supervision_supervisor_list_for(peer) -> QuerySet[User]:
    """Who may be named as this peer's supervisor: the managers and the named supervisors of the
    organisations where the peer works now."""
    if not getattr(peer, "is_authenticated", False):
        return User.objects.none()
    org_ids = _current_engagements().filter(person=peer).values("organisation_id")
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role_assignments__role=Role.MANAGER, role_assignments__organisation_id__in=org_ids)
            | Q(pk__in=ActivityVerifier.objects.filter(organisation_id__in=org_ids, removed_at__isnull=True)
                .values("user_id"))
        )
        .exclude(pk=peer.pk)
        .distinct()
        .order_by("display_name", "id")
    )


def supervision_peer_list_for(supervisor) -> QuerySet[User]:
    """Whom this person may name as the peer they supervised: the people who work now at an
    organisation they manage or were named a supervisor for."""
    if not getattr(supervisor, "is_authenticated", False):
        return User.objects.none()
    org_ids = _supervising_organisations(supervisor)
    if not org_ids:
        return User.objects.none()
    people = _current_engagements().filter(organisation_id__in=org_ids).values("person_id")
    return (
        User.objects.filter(is_active=True, pk__in=people)
        .exclude(pk=supervisor.pk)
        .order_by("display_name", "id")
    )


@dataclass(frozen=True)
class SupervisionCounterparts:
    supervisors: list  # people who may be named as this user's supervisor
    peers: list  # people this user may name as the peer they supervised

    def get(self, part: str, pk) -> User | None:
        """The person `pk` as the other side, `part` being what *they* were in the session."""
        people = self.supervisors if part == SUPERVISOR else self.peers
        return next((p for p in people if p.pk == pk), None)


def supervision_counterpart_list_for(user) -> SupervisionCounterparts:
    """Everyone this user may name in a supervision record, by the part the other person had.
    The form's choices and the API's check both come from here."""
    return SupervisionCounterparts(
        supervisors=list(supervision_supervisor_list_for(user)), peers=list(supervision_peer_list_for(user))
    )


def supervision_pair_allowed(*, supervisor, peer) -> bool:
    """The one rule, for the service: the supervisor works with the peer (see above)."""
    return supervision_supervisor_list_for(peer).filter(pk=supervisor.pk).exists()
