"""Every change to the activity log goes through here. Nothing is ever deleted: verification and
decline append to an entry's history, a correction sends it back for verification, and the
rollup tables for regional reports change in the same transaction as the entries. One module per
section; this package only re-exports them."""
from .entries import (
    ENTRY_FIELDS,
    activity_entry_correct,
    activity_entry_create,
    activity_week_create,
)
from .rollups import (
    activity_rollup_rebuild,
)
from .supervision import (
    supervision_confirm,
    supervision_record,
)
from .verification import (
    activity_colleague_confirm,
    activity_entry_decline,
    activity_entry_verify,
    activity_verification_digest_send,
    activity_verifier_name,
    activity_verifier_remove,
    activity_week_verify,
)
from .volunteer import (
    activity_volunteer_verification_set,
    volunteer_check_in,
    volunteer_check_in_undo,
    volunteer_check_out,
    volunteer_hours_record,
    volunteer_thanks_send,
)

__all__ = [
    "activity_rollup_rebuild",
    "ENTRY_FIELDS",
    "activity_entry_create",
    "activity_week_create",
    "activity_entry_correct",
    "activity_entry_verify",
    "activity_entry_decline",
    "activity_week_verify",
    "activity_colleague_confirm",
    "activity_verifier_name",
    "activity_verifier_remove",
    "activity_verification_digest_send",
    "supervision_record",
    "supervision_confirm",
    "activity_volunteer_verification_set",
    "volunteer_check_in",
    "volunteer_check_in_undo",
    "volunteer_check_out",
    "volunteer_hours_record",
    "volunteer_thanks_send",
]
