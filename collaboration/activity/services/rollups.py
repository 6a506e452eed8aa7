"""The rollup tables behind regional reports, kept in step with the entries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from peers.models import (
    Organisation,
)

from ..models import (
    ActivityEntry,
    ActivityRoleRollup,
    ActivityRollup,
    EntryStatus,
    OrganisationActivityRollup,
    OrganisationRoleRollup,
    OrganisationWaitingRollup,
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


def _waiting_apply(entries: Iterable[ActivityEntry], sign: int) -> None:
    """Add (sign=1: submitted, or back for verification) or take away (sign=-1: verified,
    declined, deleted) entries waiting for verification: one upsert per organisation and author,
    in key order (two transactions touching the same people lock their rows in the same order)."""
    counts = defaultdict(int)
    for e in entries:
        counts[(e.organisation_id, e.author_id)] += 1
    _waiting_add({key: sign * n for key, n in counts.items()})


def _waiting_add(deltas: dict[tuple[int, int], int]) -> None:
    """Add each delta to the waiting count of its (organisation, author)."""
    table = OrganisationWaitingRollup._meta.db_table
    with connection.cursor() as cursor:
        for (organisation, author), n in sorted(deltas.items()):
            if n:
                cursor.execute(
                    f"INSERT INTO {table} (organisation_id, author_id, entries) VALUES (%s, %s, %s) "
                    f"ON CONFLICT (organisation_id, author_id) DO UPDATE SET entries = {table}.entries + excluded.entries",
                    [organisation, author, n],
                )


def waiting_forget(entries) -> None:
    """Before `entries` (a queryset) are deleted, in the same transaction: take the waiting ones
    out of the counts. They are locked first, so that a verification or decline running at the
    same time cannot take one out a second time."""
    deltas = defaultdict(int)
    for key in (entries.filter(status=EntryStatus.SUBMITTED).select_for_update().order_by("pk")
                .values_list("organisation_id", "author_id")):
        deltas[key] -= 1
    _waiting_add(deltas)


@transaction.atomic
def activity_rollup_rebuild() -> None:
    """Rebuild the rollups from the entries in bulk (repair, and after bulk loads): the verified
    ones for the reports, the waiting ones for the team table."""
    entry = ActivityEntry._meta.db_table
    org = Organisation._meta.db_table
    through = ActivityEntry.professional_roles.through._meta.db_table
    month = "DATE_TRUNC('month', e.date)::date" if connection.vendor == "postgresql" else "DATE(e.date, 'start of month')"
    with connection.cursor() as cursor:
        for model in (ActivityRoleRollup, OrganisationActivityRollup, OrganisationRoleRollup,
                      OrganisationWaitingRollup):
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
        cursor.execute(
            f"INSERT INTO {OrganisationWaitingRollup._meta.db_table} (organisation_id, author_id, entries) "
            f"SELECT e.organisation_id, e.author_id, COUNT(*) FROM {entry} e WHERE e.status = %s "
            "GROUP BY e.organisation_id, e.author_id",
            [EntryStatus.SUBMITTED],
        )
