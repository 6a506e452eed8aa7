"""The ground floor: people (accounts), places (prefectures, regions), organisations and roles,
the workforce (profiles, engagements) and privacy (consent, erasure, retention, audit).

One module per section; every model is imported here so that Django registers it, and every
name callers (and migrations) import from `peers.models` stays importable here.
"""

from .accounts import (
    ORGANISATION_ROLES,
    STAFF_ROLES,
    ApiToken,
    Furigana,
    HeldEmail,
    Invitation,
    Role,
    RoleAssignment,
    TextSize,
    Theme,
    User,
    UserManager,
    Wording,
    _api_token_expiry,
    _invitation_token,
    kana_validator,
)
from .base import BilingualNameMixin, TrustsSavedRelations
from .organisations import Organisation
from .payments import HonorariumPayment
from .people import Engagement, EngagementLeave, LivedExperience, Profile, WorkAccommodation
from .places import Prefecture, Region
from .privacy import (
    AuditEvent,
    Consent,
    DataCategory,
    ErasureRequest,
    RetentionRule,
    RetentionRun,
    SensitiveAccess,
    _retention_kind_choices,
)
from .vocabularies import (
    Activity,
    OrganisationKind,
    ProfessionalRole,
    VocabularyTerm,
    WelfareService,
)

__all__ = [
    "ORGANISATION_ROLES",
    "STAFF_ROLES",
    "Activity",
    "ApiToken",
    "AuditEvent",
    "BilingualNameMixin",
    "Consent",
    "DataCategory",
    "Engagement",
    "EngagementLeave",
    "HeldEmail",
    "HonorariumPayment",
    "ErasureRequest",
    "Invitation",
    "LivedExperience",
    "Organisation",
    "OrganisationKind",
    "Prefecture",
    "ProfessionalRole",
    "Profile",
    "Region",
    "RetentionRule",
    "RetentionRun",
    "Role",
    "RoleAssignment",
    "SensitiveAccess",
    "TextSize",
    "Theme",
    "Wording",
    "Furigana",
    "TrustsSavedRelations",
    "User",
    "UserManager",
    "VocabularyTerm",
    "WelfareService",
    "WorkAccommodation",
    "_api_token_expiry",
    "_invitation_token",
    "_retention_kind_choices",
    "kana_validator",
]
