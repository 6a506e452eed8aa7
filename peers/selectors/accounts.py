"""Roles and their scopes (read once per request), invitations, users and API tokens."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..access import two_step_passed
from ..models import (
    STAFF_ROLES,
    Invitation,
    Organisation,
    Prefecture,
    Region,
    Role,
    RoleAssignment,
    User,
)

_CACHE_ATTR = "_kakehashi_role_assignments"


def role_assignment_list_all(user) -> list[RoleAssignment]:
    """Every role the user holds, with its scope, whether or not two-step sign-in was passed
    (for deciding whether they need it). Read once per request and kept on the user. Access to
    data asks `role_assignment_list_for` instead."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user)
            .select_related("organisation", "prefecture", "region__prefecture")
            .order_by("role", "id")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def role_assignment_list_for(user) -> list[RoleAssignment]:
    """The roles that apply to this user object now: every role they hold, except that staff
    roles apply only when the user is marked as having passed two-step sign-in in this session
    (peers.access). This is the one place staff scopes are granted from."""
    assignments = role_assignment_list_all(user)
    if not any(a.role in STAFF_ROLES for a in assignments):
        return assignments
    if two_step_passed(user):
        return assignments
    return [a for a in assignments if a.role not in STAFF_ROLES]


def forget_roles(user) -> None:
    """Drop the per-request cache after roles change."""
    from peers.access import _CAPABILITY_CACHE

    for attr in (_CACHE_ATTR, _CAPABILITY_CACHE):
        if hasattr(user, attr):
            delattr(user, attr)


def user_has_role(user, role: str) -> bool:
    return any(a.role == role for a in role_assignment_list_for(user))


def user_is_admin(user) -> bool:
    """A platform administrator (the role, or superuser rights) who passed two-step sign-in."""
    if getattr(user, "is_superuser", False) and two_step_passed(user):
        return True
    return user_has_role(user, Role.ADMIN)


def home_parts_for(roles) -> dict:
    """Which homes (and so which of their own pages' menu entries) a person gets from their roles:
    a professional their own; a peer theirs; both both, peer first; anyone else (a staff role
    only, or no role yet) the peer's."""
    held = {assignment.role for assignment in roles}
    professional = Role.PROFESSIONAL in held
    return {"peer_home": Role.PEER in held or not professional, "professional_home": professional}


def user_has_staff_role(user) -> bool:
    """Holds a staff role or editor rights (passed two-step sign-in or not): such a person is
    shown the staff pages and is walked through two-step sign-in before they open."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(a.role in STAFF_ROLES for a in role_assignment_list_all(user))


def organisation_list_managed_by(user) -> QuerySet[Organisation]:
    """Organisations whose records this user manages (all of them for an administrator)."""
    if user_is_admin(user):
        return Organisation.objects.select_related("prefecture").all()
    ids = [a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.MANAGER]
    return Organisation.objects.select_related("prefecture").filter(id__in=ids)


def organisation_list_for_trainer(user) -> QuerySet[Organisation]:
    """Training bodies (as organisations) whose staff this user is."""
    if user_is_admin(user):
        return Organisation.objects.select_related("prefecture").all()
    ids = [a.organisation_id for a in role_assignment_list_for(user) if a.role == Role.TRAINER]
    return Organisation.objects.select_related("prefecture").filter(id__in=ids)


def prefecture_list_coordinated_by(user) -> QuerySet[Prefecture]:
    """Prefectures a coordinator covers, whole or through one of their regions."""
    if user_is_admin(user):
        return Prefecture.objects.all()
    codes = set()
    for a in role_assignment_list_for(user):
        if a.role == Role.COORDINATOR:
            codes.add(a.prefecture_id or a.region.prefecture_id)
    return Prefecture.objects.filter(code__in=codes)


def region_list_coordinated_by(user) -> QuerySet[Region]:
    """Regions a coordinator covers: named ones, and every region of a whole prefecture."""
    if user_is_admin(user):
        return Region.objects.select_related("prefecture").all()
    prefecture_codes = []
    region_ids = []
    for a in role_assignment_list_for(user):
        if a.role == Role.COORDINATOR:
            if a.prefecture_id:
                prefecture_codes.append(a.prefecture_id)
            else:
                region_ids.append(a.region_id)
    return Region.objects.select_related("prefecture").filter(
        Q(prefecture_id__in=prefecture_codes) | Q(id__in=region_ids)
    )


def invitable_roles_for(user) -> list[str]:
    """The roles this user may invite someone to hold.

    An administrator invites to any role. An organisation manager invites to their own
    organisations: fellow managers, peer supporters and professionals.
    """
    if user_is_admin(user):
        return [choice.value for choice in Role]
    if user_has_role(user, Role.MANAGER):
        return [Role.MANAGER.value, Role.PEER.value, Role.PROFESSIONAL.value]
    return []


def invitation_list_for(user) -> QuerySet[Invitation]:
    """Invitations this user may see: all for an administrator, else those for their organisations."""
    qs = Invitation.objects.select_related("organisation", "prefecture", "region", "invited_by")
    if user_is_admin(user):
        return qs.all()
    return qs.filter(
        Q(organisation__in=organisation_list_managed_by(user)) | Q(invited_by=user)
    ).distinct()


def invitation_get_usable(token: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organisation", "prefecture", "region")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def user_get_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def api_token_list_for(user) -> QuerySet:
    """The person's own API tokens, newest first (never anyone else's)."""
    from ..models import ApiToken

    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def user_may_manage_people(user) -> bool:
    """Whether the staff pages for organisation managers are open to the user: an organisation
    manager, or an administrator (each after two-step sign-in)."""
    return user_is_admin(user) or user_has_role(user, Role.MANAGER)


def user_may_coordinate(user) -> bool:
    """Whether the pages for regional coordinators (counts by region) are open to the user: a
    regional coordinator, or an administrator (each after two-step sign-in)."""
    return user_is_admin(user) or user_has_role(user, Role.COORDINATOR)
