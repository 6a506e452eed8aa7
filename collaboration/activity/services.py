"""Every change to the activity log goes through here. Nothing is ever deleted: verification and
decline append to an entry's history, a correction sends it back for verification, and the
rollup tables for regional reports change in the same transaction as the entries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peers.models import (
    Activity,
    Engagement,
    Organisation,
    OrganisationKind,
    ProfessionalRole,
    Role,
    RoleAssignment,
    User,
)
from peers.services import audit_record
from training.services import ce_credit_practice, ce_credit_practice_withdraw

from . import emails
from .models import (
    LEVEL_FIELDS,
    ActivityColleague,
    ActivityEntry,
    ActivityRoleRollup,
    ActivityRollup,
    ActivityStatusChange,
    ActivityVerifier,
    EntryStatus,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
    SupervisionSession,
    VerificationDigest,
)
from .selectors import (
    NOT_A_COUNTERPART,
    can_manage_verifiers,
    can_verify,
    forget_verifier_cache,
    possible_duplicates,
    supervision_pair_allowed,
)

Action = ActivityStatusChange.Action

# Fields an author gives (and may correct).
ENTRY_FIELDS = (
    "date", "start_time", "duration_minutes", "setting", "activity", "mode", "stage",
    "people_supported", *LEVEL_FIELDS, "reflection", "reflection_shared",
)


# --- Rollups ----------------------------------------------------------------------------------


def _rollup_keys(entries: Iterable[ActivityEntry]):
    """(month, prefecture, setting, activity) and role deltas of these entries."""
    main = defaultdict(lambda: [0, 0, 0])
    by_role = defaultdict(lambda: [0, 0])
    org_main = defaultdict(lambda: [0, 0])
    org_role = defaultdict(int)
    through = ActivityEntry.professional_roles.through
    entries = list(entries)
    roles = defaultdict(list)
    for entry_id, role_id in through.objects.filter(
        activityentry_id__in=[e.pk for e in entries]
    ).values_list("activityentry_id", "professionalrole_id"):
        roles[entry_id].append(role_id)
    prefectures = dict(
        Organisation.objects.filter(pk__in={e.organisation_id for e in entries}).values_list("pk", "prefecture_id")
    )
    for e in entries:
        key = (e.date.replace(day=1), prefectures[e.organisation_id], e.setting_id, e.activity_id)
        cell = main[key]
        cell[0] += 1
        cell[1] += e.duration_minutes
        cell[2] += e.people_supported
        org_cell = org_main[(e.organisation_id, key[0], e.author_id, e.activity_id)]
        org_cell[0] += 1
        org_cell[1] += e.duration_minutes
        for role_id in roles[e.pk]:
            role_cell = by_role[(*key, role_id)]
            role_cell[0] += 1
            role_cell[1] += e.duration_minutes
            org_role[(e.organisation_id, key[0], e.activity_id, role_id)] += 1
    return main, by_role, org_main, org_role


def _rollup_apply(entries: Iterable[ActivityEntry], sign: int) -> None:
    """Add (sign=1) or take away (sign=-1) verified entries from the rollups: one upsert per cell."""
    main, by_role, org_main, org_role = _rollup_keys(entries)
    rollup = ActivityRollup._meta.db_table
    role_rollup = ActivityRoleRollup._meta.db_table
    with connection.cursor() as cursor:
        for (month, prefecture, setting, activity), (n, m, p) in main.items():
            cursor.execute(
                f"INSERT INTO {rollup} (month, prefecture_id, setting_id, activity_id, entries, minutes, people) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (prefecture_id, month, setting_id, activity_id) DO UPDATE SET "
                f"entries = {rollup}.entries + excluded.entries, minutes = {rollup}.minutes + excluded.minutes, "
                f"people = {rollup}.people + excluded.people",
                [month, prefecture, setting, activity, sign * n, sign * m, sign * p],
            )
        for (month, prefecture, setting, activity, role), (n, m) in by_role.items():
            cursor.execute(
                f"INSERT INTO {role_rollup} (month, prefecture_id, setting_id, activity_id, role_id, entries, minutes) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (prefecture_id, month, setting_id, activity_id, role_id) DO UPDATE SET "
                f"entries = {role_rollup}.entries + excluded.entries, minutes = {role_rollup}.minutes + excluded.minutes",
                [month, prefecture, setting, activity, role, sign * n, sign * m],
            )
        org_rollup = OrganisationActivityRollup._meta.db_table
        for (organisation, month, author, activity), (n, m) in org_main.items():
            cursor.execute(
                f"INSERT INTO {org_rollup} (organisation_id, month, author_id, activity_id, entries, minutes) "
                "VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (organisation_id, month, author_id, activity_id) DO UPDATE SET "
                f"entries = {org_rollup}.entries + excluded.entries, minutes = {org_rollup}.minutes + excluded.minutes",
                [organisation, month, author, activity, sign * n, sign * m],
            )
        org_role_rollup = OrganisationRoleRollup._meta.db_table
        for (organisation, month, activity, role), n in org_role.items():
            cursor.execute(
                f"INSERT INTO {org_role_rollup} (organisation_id, month, activity_id, role_id, entries) "
                "VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (organisation_id, month, activity_id, role_id) DO UPDATE SET "
                f"entries = {org_role_rollup}.entries + excluded.entries",
                [organisation, month, activity, role, sign * n],
            )


@transaction.atomic
def activity_rollup_rebuild() -> None:
    """Rebuild the rollups from the verified entries in bulk (repair, and after bulk loads)."""
    entry = ActivityEntry._meta.db_table
    org = Organisation._meta.db_table
    through = ActivityEntry.professional_roles.through._meta.db_table
    month = "DATE_TRUNC('month', e.date)::date" if connection.vendor == "postgresql" else "DATE(e.date, 'start of month')"
    with connection.cursor() as cursor:
        for model in (ActivityRoleRollup, OrganisationActivityRollup, OrganisationRoleRollup):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(f"DELETE FROM {ActivityRollup._meta.db_table}")
        cursor.execute(
            f"INSERT INTO {ActivityRollup._meta.db_table} (month, prefecture_id, setting_id, activity_id, entries, minutes, people) "
            f"SELECT {month}, o.prefecture_id, e.setting_id, e.activity_id, COUNT(*), SUM(e.duration_minutes), SUM(e.people_supported) "
            f"FROM {entry} e JOIN {org} o ON o.id = e.organisation_id WHERE e.status = %s "
            f"GROUP BY {month}, o.prefecture_id, e.setting_id, e.activity_id",
            [EntryStatus.VERIFIED],
        )
        cursor.execute(
            f"INSERT INTO {ActivityRoleRollup._meta.db_table} (month, prefecture_id, setting_id, activity_id, role_id, entries, minutes) "
            f"SELECT {month}, o.prefecture_id, e.setting_id, e.activity_id, t.professionalrole_id, COUNT(*), SUM(e.duration_minutes) "
            f"FROM {entry} e JOIN {org} o ON o.id = e.organisation_id JOIN {through} t ON t.activityentry_id = e.id "
            f"WHERE e.status = %s GROUP BY {month}, o.prefecture_id, e.setting_id, e.activity_id, t.professionalrole_id",
            [EntryStatus.VERIFIED],
        )
        cursor.execute(
            f"INSERT INTO {OrganisationActivityRollup._meta.db_table} (organisation_id, month, author_id, activity_id, entries, minutes) "
            f"SELECT e.organisation_id, {month}, e.author_id, e.activity_id, COUNT(*), SUM(e.duration_minutes) "
            f"FROM {entry} e WHERE e.status = %s GROUP BY e.organisation_id, {month}, e.author_id, e.activity_id",
            [EntryStatus.VERIFIED],
        )
        cursor.execute(
            f"INSERT INTO {OrganisationRoleRollup._meta.db_table} (organisation_id, month, activity_id, role_id, entries) "
            f"SELECT e.organisation_id, {month}, e.activity_id, t.professionalrole_id, COUNT(*) "
            f"FROM {entry} e JOIN {through} t ON t.activityentry_id = e.id WHERE e.status = %s "
            f"GROUP BY e.organisation_id, {month}, e.activity_id, t.professionalrole_id",
            [EntryStatus.VERIFIED],
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
    entry.full_clean()
    return entry


@transaction.atomic
def activity_entry_create(
    *, author: User, engagement: Engagement, date: datetime.date, duration_minutes: int,
    activity: Activity, stage: str, mode: str = "in_person", setting: OrganisationKind | None = None,
    start_time: datetime.time | None = None, people_supported: int = 0,
    professional_roles: Iterable[ProfessionalRole] = (), colleagues: Iterable[User] = (),
    level_person: bool = False, level_professionals: bool = False, level_organisation: bool = False,
    level_community: bool = False, reflection: str = "", reflection_shared: bool = False,
) -> ActivityEntry:
    """Record one entry, waiting for verification. A likely duplicate is allowed: its ids are on
    `entry.possible_duplicates` so that the page can warn."""
    colleagues = _check_colleagues(author, colleagues)
    entry = _build_entry(
        author=author, engagement=engagement, setting=setting, date=date, start_time=start_time,
        duration_minutes=duration_minutes, activity=activity, mode=mode, stage=stage,
        people_supported=people_supported, level_person=level_person,
        level_professionals=level_professionals, level_organisation=level_organisation,
        level_community=level_community, reflection=reflection, reflection_shared=reflection_shared,
    )
    duplicates = possible_duplicates(author=author, date=date, activity_id=activity.pk, start_time=start_time)
    entry.save()
    entry.professional_roles.set(list(professional_roles or []))
    ActivityColleague.objects.bulk_create([ActivityColleague(entry=entry, user=c) for c in colleagues])
    _history(entry, Action.SUBMITTED, author)
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
    entry.updated_at = timezone.now()
    entry.full_clean()
    entry.save()
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
    audit_record(actor=actor, action="activity.correct", target=entry, data={"fields": sorted(changed)})
    return entry


def _verify_many(actor: User, entries: list[ActivityEntry]) -> int:
    now = timezone.now()
    ids = [e.pk for e in entries]
    ActivityEntry.objects.filter(pk__in=ids).update(status=EntryStatus.VERIFIED, updated_at=now)
    ActivityStatusChange.objects.bulk_create(
        [ActivityStatusChange(entry_id=pk, action=Action.VERIFIED, actor=actor, at=now) for pk in ids]
    )
    _rollup_apply(entries, 1)
    # Verified practice counts toward certification renewal where the credential type says so.
    ce_credit_practice(
        items=[
            {
                "person_id": author_id, "date": day, "hours": _hours(minutes), "provider": organisation,
                "title": str(_("Verified peer-support activity")), "source_ref": f"activity:{pk}",
            }
            for pk, author_id, day, minutes, organisation in ActivityEntry.objects.filter(pk__in=ids).values_list(
                "pk", "author_id", "date", "duration_minutes", "engagement__organisation__name"
            )
        ]
    )
    return len(ids)


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


@transaction.atomic
def activity_entry_verify(*, actor: User, entry: ActivityEntry) -> ActivityEntry:
    entry = ActivityEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_verify(actor, entry):
        raise PermissionDenied(_("Only the organisation's manager or a supervisor they named can verify this."))
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(_("Only an entry waiting for verification can be verified."))
    _verify_many(actor, [entry])
    audit_record(actor=actor, action="activity.verify", target=entry)
    entry.refresh_from_db()
    return entry


@transaction.atomic
def activity_entry_decline(*, actor: User, entry: ActivityEntry, reason: str) -> ActivityEntry:
    entry = ActivityEntry.objects.select_for_update().get(pk=entry.pk)
    if not can_verify(actor, entry):
        raise PermissionDenied(_("Only the organisation's manager or a supervisor they named can decline this."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason, so that the author can correct the entry.")})
    if entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(_("Only an entry waiting for verification can be declined."))
    entry.status = EntryStatus.DECLINED
    entry.updated_at = timezone.now()
    entry.save(update_fields=["status", "updated_at"])
    _history(entry, Action.DECLINED, actor, reason.strip())
    audit_record(actor=actor, action="activity.decline", target=entry)
    return entry


@transaction.atomic
def activity_week_verify(*, actor: User, organisation: Organisation, week_start: datetime.date) -> int:
    """Verify every waiting entry of one organisation in the week starting that day (not the
    actor's own). Returns how many."""
    from .selectors import organisation_ids_verified_by

    org_ids = organisation_ids_verified_by(actor)
    if org_ids is not None and organisation.pk not in org_ids:
        raise PermissionDenied(_("Only the organisation's manager or a supervisor they named can verify this."))
    entries = list(
        ActivityEntry.objects.select_for_update()
        .filter(
            organisation=organisation, status=EntryStatus.SUBMITTED,
            date__gte=week_start, date__lt=week_start + datetime.timedelta(days=7),
        )
        .exclude(author=actor)
    )
    if not entries:
        return 0
    count = _verify_many(actor, entries)
    audit_record(actor=actor, action="activity.verify_week", target=organisation,
                 data={"week_start": week_start.isoformat(), "count": count})
    return count


@transaction.atomic
def activity_colleague_confirm(*, user: User, entry: ActivityEntry) -> ActivityColleague:
    link = ActivityColleague.objects.select_for_update().filter(entry=entry, user=user).first()
    if link is None:
        raise PermissionDenied(_("Only a colleague named in the entry can confirm it."))
    if link.confirmed_at is None:
        link.confirmed_at = timezone.now()
        link.save(update_fields=["confirmed_at"])
        audit_record(actor=user, action="activity.colleague_confirm", target=entry)
    return link


@transaction.atomic
def activity_verifier_name(*, actor: User, organisation: Organisation, user: User) -> ActivityVerifier:
    """A manager names a supervisor who may verify their organisation's entries."""
    if not can_manage_verifiers(actor, organisation):
        raise PermissionDenied(_("Only the organisation's manager can name supervisors."))
    row, created = ActivityVerifier.objects.get_or_create(
        organisation=organisation, user=user, removed_at__isnull=True, defaults={"named_by": actor}
    )
    if created:
        audit_record(actor=actor, action="activity.verifier_name", target=organisation, data={"user": user.pk})
    forget_verifier_cache(user)
    return row


@transaction.atomic
def activity_verifier_remove(*, actor: User, verifier: ActivityVerifier) -> ActivityVerifier:
    """The manager removes a supervisor they named: from now on that person cannot verify the
    organisation's entries. The row stays, with who removed it and when; what they verified
    before stays verified."""
    verifier = ActivityVerifier.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=verifier.pk)
    if not can_manage_verifiers(actor, verifier.organisation):
        raise PermissionDenied(_("Only the organisation's manager can remove supervisors."))
    if verifier.removed_at is None:
        verifier.removed_at = timezone.now()
        verifier.removed_by = actor
        verifier.save(update_fields=["removed_at", "removed_by"])
        audit_record(actor=actor, action="activity.verifier_remove", target=verifier.organisation,
                     data={"user": verifier.user_id})
    forget_verifier_cache(verifier.user)
    return verifier


@transaction.atomic
def activity_verification_digest_send(*, now: datetime.datetime | None = None) -> int:
    """The daily digest: each manager and named supervisor of an organisation where an entry
    arrived or was corrected since the last digest gets one email with what waits (their own
    entries left out). Returns how many emails were queued; running it again sends nothing new."""
    now = now or timezone.now()
    marks = dict(VerificationDigest.objects.select_for_update().values_list("organisation_id", "last_sent_at"))
    waiting: dict[int, dict[int, int]] = defaultdict(dict)  # organisation -> author -> entries
    due = set()
    for row in (
        ActivityEntry.objects.filter(status=EntryStatus.SUBMITTED)
        .values("organisation_id", "author_id").annotate(n=Count("id"), newest=Max("updated_at")).order_by()
    ):
        waiting[row["organisation_id"]][row["author_id"]] = row["n"]
        mark = marks.get(row["organisation_id"])
        if mark is None or row["newest"] > mark:
            due.add(row["organisation_id"])
    if not due:
        return 0
    recipients: dict[int, tuple[User, set[int]]] = {}
    managers = RoleAssignment.objects.filter(
        role=Role.MANAGER, organisation_id__in=due, user__is_active=True
    ).select_related("user")
    named = ActivityVerifier.objects.filter(
        organisation_id__in=due, removed_at__isnull=True, user__is_active=True
    ).select_related("user")
    for row in [*managers, *named]:
        recipients.setdefault(row.user_id, (row.user, set()))[1].add(row.organisation_id)
    organisations = Organisation.objects.in_bulk(due)
    sent = 0
    for user, org_ids in recipients.values():
        rows = []
        for org_id in sorted(org_ids, key=lambda pk: organisations[pk].name):
            count = sum(n for author_id, n in waiting[org_id].items() if author_id != user.pk)
            if count:
                rows.append({"organisation": organisations[org_id], "waiting": count})
        if rows:
            emails.verification_digest(user=user, organisations=rows)
            sent += 1
    for org_id in due:
        VerificationDigest.objects.update_or_create(organisation_id=org_id, defaults={"last_sent_at": now})
    return sent


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
