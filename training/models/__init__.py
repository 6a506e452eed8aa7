"""Training bodies, courses, cohorts, applications, completions, certifications and renewal,
and the welfare-fee staffing rules and records.

Every rule that differs between bodies (validity, windows, hours, floors, fees, reminder offsets,
number formats) is a field here, set by the body's staff, never a constant in code.

One module per section; every model is imported here so that Django registers it, and every
name callers (and migrations) import from `training.models` stays importable here.
"""

from .applications import (
    ACCOMMODATION_MAX_CHARS,
    ELIGIBILITY_FOR_ROLE,
    Application,
    ApplicationStateChange,
    Attendance,
    Completion,
    Eligibility,
    PairRole,
)
from .badges import STATUS_LIST_SIZE, BadgeCredential
from .base import AppendOnlyModel
from .bodies import CECategory, TrainingBody, _check_secret
from .certifications import (
    CEFloor,
    Certification,
    CertificationStatusChange,
    CredentialType,
    RenewalOverrideReason,
)
from .courses import Cohort, CohortDay, Course, CourseKind, CurriculumModule, Instructor
from .renewal import ContinuingEducation, ReminderSent, RenewalRequest, ce_evidence_path
from .staffing import (
    Addition,
    InHouseTraining,
    PeerSupportDeliveryCount,
    StaffingFiling,
    StaffingPublication,
    StaffingRule,
)

__all__ = [
    "ACCOMMODATION_MAX_CHARS",
    "ELIGIBILITY_FOR_ROLE",
    "Addition",
    "AppendOnlyModel",
    "BadgeCredential",
    "Application",
    "ApplicationStateChange",
    "Attendance",
    "CECategory",
    "CEFloor",
    "Certification",
    "CertificationStatusChange",
    "Cohort",
    "CohortDay",
    "Completion",
    "ContinuingEducation",
    "Course",
    "CourseKind",
    "CredentialType",
    "CurriculumModule",
    "Eligibility",
    "InHouseTraining",
    "Instructor",
    "PairRole",
    "PeerSupportDeliveryCount",
    "ReminderSent",
    "RenewalOverrideReason",
    "RenewalRequest",
    "STATUS_LIST_SIZE",
    "StaffingFiling",
    "StaffingPublication",
    "StaffingRule",
    "TrainingBody",
    "_check_secret",
    "ce_evidence_path",
]
