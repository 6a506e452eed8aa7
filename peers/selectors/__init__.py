"""Reads about people, organisations and roles. Access for this app is decided here:
`accounts` (roles and their scopes, invitations, users, API tokens), `workforce` and `privacy`.

The account selectors are importable from `peers.selectors` as before.
"""

from .accounts import (
    _CACHE_ATTR,
    api_token_list_for,
    forget_roles,
    home_parts_for,
    invitable_roles_for,
    invitation_get_usable,
    invitation_list_for,
    organisation_list_for_trainer,
    organisation_list_managed_by,
    prefecture_list_coordinated_by,
    region_list_coordinated_by,
    role_assignment_list_all,
    role_assignment_list_for,
    user_get_by_email,
    user_has_role,
    user_has_staff_role,
    user_is_admin,
    user_may_coordinate,
    user_may_manage_people,
)

__all__ = [
    "user_may_coordinate",
    "user_may_manage_people",
    "_CACHE_ATTR",
    "api_token_list_for",
    "forget_roles",
    "home_parts_for",
    "invitable_roles_for",
    "invitation_get_usable",
    "invitation_list_for",
    "organisation_list_for_trainer",
    "organisation_list_managed_by",
    "prefecture_list_coordinated_by",
    "region_list_coordinated_by",
    "role_assignment_list_all",
    "role_assignment_list_for",
    "user_get_by_email",
    "user_has_role",
    "user_has_staff_role",
    "user_is_admin",
]
