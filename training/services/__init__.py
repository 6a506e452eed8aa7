"""Every change of state about training and certification goes through here.

Services take keyword arguments, run in one transaction, validate with full_clean(), append to
the audit log, and tell people by email once the transaction has committed. One module per
section; this package only re-exports them, so callers import from ``training.services``.
"""
from .applications import (
    PAIR_TRANSITIONS,
    PUBLIC_CONFIRM_SALT,
    TRANSITIONS,
    application_actions,
    application_attach_invited,
    application_pair_submit,
    application_submit,
    application_transition,
)
from .attendance import (
    attendance_record,
    cohort_complete,
    completion_issue,
)
from .badges import (
    badge_credential_for_certification,
    badge_credential_for_completion,
    badge_status_changed,
)
from .certifications import (
    certification_issue,
    certification_recertify,
    certification_reinstate,
    certification_renew,
    certification_revoke,
    certification_set_public_name,
    certification_suspend,
    completion_set_public_name,
    renewal_late_limit,
)
from .common import (
    add_months,
    certification_number,
    completion_number,
    cycle_dates,
    number_is_genuine,
    status_for_dates,
)
from .configuration import (
    ce_category_save,
    course_module_add,
    credential_type_save,
    training_body_evidence_days_update,
    training_body_settings_update,
)
from .continuing_education import (
    ce_credit_practice,
    ce_credit_practice_withdraw,
    ce_evidence_submit,
    ce_record_add,
    ce_review,
    ce_sample,
    hours_total,
)
from .courses import (
    cohort_day_add,
    cohort_save,
    course_save,
    instructor_add,
    training_body_create,
)
from .public_applications import (
    application_public_confirm,
    application_public_submit,
    public_confirm_days,
    public_confirmation_application,
)
from .reminders import (
    ManualReminderPlan,
    certification_sweep,
    reminder_manual_plan,
    reminder_manual_send,
    reminders_send,
)
from .renewal import (
    renewal_request_decline,
    renewal_request_submit,
)

__all__ = [
    "badge_credential_for_certification",
    "badge_credential_for_completion",
    "badge_status_changed",
    "instructor_add",
    "number_is_genuine",
    "certification_number",
    "completion_number",
    "add_months",
    "cycle_dates",
    "status_for_dates",
    "training_body_create",
    "course_save",
    "cohort_save",
    "cohort_day_add",
    "TRANSITIONS",
    "PAIR_TRANSITIONS",
    "PUBLIC_CONFIRM_SALT",
    "application_actions",
    "application_submit",
    "application_pair_submit",
    "application_attach_invited",
    "application_transition",
    "application_public_submit",
    "public_confirm_days",
    "public_confirmation_application",
    "application_public_confirm",
    "attendance_record",
    "completion_issue",
    "cohort_complete",
    "renewal_late_limit",
    "certification_issue",
    "certification_renew",
    "certification_recertify",
    "certification_suspend",
    "certification_reinstate",
    "certification_revoke",
    "certification_set_public_name",
    "completion_set_public_name",
    "renewal_request_submit",
    "renewal_request_decline",
    "certification_sweep",
    "reminders_send",
    "ManualReminderPlan",
    "reminder_manual_plan",
    "reminder_manual_send",
    "ce_record_add",
    "ce_credit_practice_withdraw",
    "ce_credit_practice",
    "ce_sample",
    "ce_evidence_submit",
    "ce_review",
    "hours_total",
    "credential_type_save",
    "course_module_add",
    "training_body_settings_update",
    "training_body_evidence_days_update",
    "ce_category_save",
]
