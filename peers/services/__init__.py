"""Every change of state about people, organisations and roles goes through a service here:
`accounts` (the audit log, roles, invitations, language, API tokens), `workforce` and `privacy`.

The account services are importable from `peers.services` as before.
"""

from .accounts import (
    API_TOKEN_MAX_DAYS,
    SELF_SERVICE_ROLES,
    _check_scope,
    _invitation_save,
    api_token_create,
    api_token_revoke,
    api_token_secret_digest,
    audit_record,
    invitation_accept,
    invitation_create,
    invitation_issue,
    person_create,
    role_grant,
    user_preferences_save,
    user_set_language,
)

__all__ = [
    "person_create",
    "API_TOKEN_MAX_DAYS",
    "SELF_SERVICE_ROLES",
    "_check_scope",
    "_invitation_save",
    "api_token_create",
    "api_token_revoke",
    "api_token_secret_digest",
    "audit_record",
    "invitation_accept",
    "invitation_create",
    "invitation_issue",
    "role_grant",
    "user_preferences_save",
    "user_set_language",
]
