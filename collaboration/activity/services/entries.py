"""Activity entries: an author records, corrects, and names colleagues."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import (
    Activity,
    Engagement,
    OrganisationKind,
    ProfessionalRole,
    User,
)
from peers.services import audit_record
from training.services import ce_credit_practice_withdraw

from .. import emails
from ..models import (
    LEVEL_FIELDS,
    RECOVERY_FIELDS,
    ActivityColleague,
    ActivityEntry,
    ActivityStatusChange,
    EntryStatus,
)
from ..selectors import (
    possible_duplicates,
)
from .rollups import _rollup_apply, _waiting_apply

Action = ActivityStatusChange.Action


# Fields an author gives (and may correct).
ENTRY_FIELDS = (
    "date", "start_time", "duration_minutes", "setting", "activity", "mode", "stage",
    "people_supported", *LEVEL_FIELDS, *RECOVERY_FIELDS, "reflection", "reflection_shared",
)


# --- Entries ----------------------------------------------------------------------------------


def _check_colleagues(author: User, colleagues: Iterable[User]) -> list[User]:
    colleagues = list(colleagues or [])
    if any(c.pk == author.pk for c in colleagues):
        raise ValidationError({"colleagues": _("You cannot name yourself as a colleague.")})
    return colleagues


def _history(entry: ActivityEntry, action: str, actor: User, reason: str = "") -> None:
    row = ActivityStatusChange(entry=entry, action=action, actor=actor, reason=reason)
    row.full_clean()
    row.save()


def _waives_verification(engagement: Engagement) -> bool:
    """A volunteer's entry (第一群) is confirmed at once unless the organisation asks for
    verification of volunteer hours."""
    return (engagement.kind == Engagement.Kind.VOLUNTEER
            and not engagement.organisation.volunteer_hours_need_verification)


def _confirm_without_verification(entry: ActivityEntry, actor: User) -> None:
    """Record the entry as confirmed: in the figures (rollups) at once, with a history line that
    says no one verified it. Renewal hours are not credited: they need a verification."""
    entry.status = EntryStatus.VERIFIED
    entry.verification_waived = True
    entry.save(update_fields=["status", "verification_waived"])
    _rollup_apply([entry], 1)
    _history(entry, Action.CONFIRMED, actor)


def _build_entry(*, author: User, engagement: Engagement, setting: OrganisationKind | None = None,
                 **fields) -> ActivityEntry:
    if engagement.person_id != author.pk:
        raise PermissionDenied(_("You can only record activity for your own engagements."))
    setting = setting or engagement.organisation.kind
    if setting is None:
        raise ValidationError({"setting": _("Choose the setting.")})
    entry = ActivityEntry(
        author=author, engagement=engagement, organisation_id=engagement.organisation_id,
        engagement_kind=engagement.kind, setting=setting,
        **{k: v for k, v in fields.items() if k in ENTRY_FIELDS},
    )
    if entry.recovery_personal or entry.recovery_social:
        entry.level_person = True  # recovery is the effect on the person (seed 000)
    entry.full_clean()
    return entry


@transaction.atomic
def activity_entry_create(
    *, author: User, engagement: Engagement, date: datetime.date, duration_minutes: int,
    activity: Activity, stage: str, mode: str = "in_person", setting: OrganisationKind | None = None,
    start_time: datetime.time | None = None, people_supported: int = 0,
    professional_roles: Iterable[ProfessionalRole] = (), colleagues: Iterable[User] = (),
    level_person: bool = False, level_professionals: bool = False, level_organisation: bool = False,
    level_community: bool = False, recovery_personal: bool = False, recovery_social: bool = False,
    reflection: str = "", reflection_shared: bool = False,
) -> ActivityEntry:
    """Record one entry, waiting for verification; a volunteer's entry at an organisation that
    does not ask for verification is confirmed at once (`verification_waived`). A likely
    duplicate is allowed: its ids are on `entry.possible_duplicates` so that the page can warn."""
    colleagues = _check_colleagues(author, colleagues)
    entry = _build_entry(
        author=author, engagement=engagement, setting=setting, date=date, start_time=start_time,
        duration_minutes=duration_minutes, activity=activity, mode=mode, stage=stage,
        people_supported=people_supported, level_person=level_person,
        level_professionals=level_professionals, level_organisation=level_organisation,
        level_community=level_community, recovery_personal=recovery_personal, recovery_social=recovery_social,
        reflection=reflection, reflection_shared=reflection_shared,
    )
    duplicates = possible_duplicates(author=author, date=date, activity_id=activity.pk, start_time=start_time)
    entry.save()
    _waiting_apply([entry], 1)
    entry.professional_roles.set(list(professional_roles or []))
    ActivityColleague.objects.bulk_create([ActivityColleague(entry=entry, user=c) for c in colleagues])
    _history(entry, Action.SUBMITTED, author)
    if _waives_verification(engagement):
        _confirm_without_verification(entry, author)
    audit_record(actor=author, action="activity.create", target=entry)
    emails.colleague_named(entry=entry, colleagues=colleagues)
    entry.possible_duplicates = duplicates
    return entry


@transaction.atomic
def activity_week_create(*, author: User, engagement: Engagement, rows: list[dict]) -> list[ActivityEntry]:
    """A past week in one go: every row becomes an entry, or none does (errors name the row)."""
    entries = []
    for number, row in enumerate(rows, start=1):
        try:
            entries.append(activity_entry_create(author=author, engagement=engagement, **row))
        except ValidationError as error:
            messages = error.messages
            raise ValidationError(
                _("Row %(row)s: %(messages)s") % {"row": number, "messages": " ".join(messages)}
            ) from error
    return entries


@transaction.atomic
def activity_entry_correct(*, actor: User, entry: ActivityEntry, professional_roles=None, colleagues=None,
                           **fields) -> ActivityEntry:
    """The author corrects an entry; it goes back for verification (and out of the verified
    figures until verified again)."""
    entry = ActivityEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can correct an entry."))
    was_verified = entry.status == EntryStatus.VERIFIED
    was_waiting = entry.status == EntryStatus.SUBMITTED
    if was_verified:
        _rollup_apply([entry], -1)
        # Its renewal hours go back too, until the corrected entry is verified again.
        ce_credit_practice_withdraw(person_id=entry.author_id, source_ref=f"activity:{entry.pk}")
    changed = []
    for name, value in fields.items():
        if name not in ENTRY_FIELDS:
            raise ValidationError({name: _("This cannot be changed.")})
        if getattr(entry, name if name not in ("setting", "activity") else name) != value:
            changed.append(name)
        setattr(entry, name, value)
    entry.status = EntryStatus.SUBMITTED
    entry.verification_waived = False
    if entry.recovery_personal or entry.recovery_social:
        entry.level_person = True
    entry.updated_at = timezone.now()
    entry.full_clean()
    entry.save()
    if not was_waiting:
        _waiting_apply([entry], 1)
    if professional_roles is not None:
        entry.professional_roles.set(list(professional_roles))
        changed.append("professional_roles")
    if colleagues is not None:
        colleagues = _check_colleagues(actor, colleagues)
        keep = {c.pk for c in colleagues}
        existing = set(ActivityColleague.objects.filter(entry=entry).values_list("user_id", flat=True))
        # Nothing is deleted: a colleague once named stays on the record; new ones are added.
        ActivityColleague.objects.bulk_create(
            [ActivityColleague(entry=entry, user_id=pk) for pk in keep - existing]
        )
        changed.append("colleagues")
        emails.colleague_named(entry=entry, colleagues=[c for c in colleagues if c.pk not in existing])
    _history(entry, Action.CORRECTED, actor)
    if _waives_verification(entry.engagement):
        _confirm_without_verification(entry, actor)
    audit_record(actor=actor, action="activity.correct", target=entry, data={"fields": sorted(changed)})
    return entry


