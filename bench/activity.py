"""Activity log at scale: organisation and region pages over N entries (default 1,000,000).

Loads BENCH_ROWS entries (COPY on PostgreSQL) into a throwaway test database, builds the rollups in
bulk, then times through Django's test Client the organisation page (a manager's team activity,
collaboration matrix, keyset list) and the coordinator's region page (from the rollups), each
beside a plain SQL aggregate over the same rows in the same run: the live GROUP BY the region page
avoids, and the organisation's own matrix as bare SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kakehashi_bench DJANGO_SETTINGS_MODULE=config.settings.test \
        .venv/bin/python -m bench activity          # BENCH_ROWS=100000 for a quick run
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

ORGANISATIONS = 200
PEERS_PER_ORGANISATION = 10
PREFECTURES = ["13", "14", "27", "01", "40"]


def _time(fn, repeat: int = 15) -> tuple[float, float]:
    fn()  # warm up
    fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def sql_timed(query: str, params):
    """A timing target: run one SQL statement and fetch its rows (the baseline beside a page)."""
    from django.db import connection

    def go():
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            cursor.fetchall()
    return go


def page_timed(client, url: str):
    """A timing target: one GET through the test Client, which must answer 200."""
    def go():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return go


def print_figures(figures, width: int) -> None:
    """Median and p95 of each (label, target), one line each."""
    print(f"{'':<{width}}{'median ms':>10}{'p95 ms':>10}")
    for label, fn in figures:
        median, p95 = _time(fn)
        print(f"{label:<{width}}{median:>10.1f}{p95:>10.1f}")


def _load(rows: int):
    from allauth.mfa.totp.internal.auth import TOTP
    from django.db import connection
    from django.utils import timezone

    from collaboration.activity.models import ActivityEntry
    from collaboration.activity.services import activity_rollup_rebuild
    from peers.models import (
        Activity,
        Engagement,
        Organisation,
        OrganisationKind,
        Prefecture,
        ProfessionalRole,
        Role,
        User,
    )
    from peers.services import role_grant

    rng = random.Random(5)
    kinds = list(OrganisationKind.objects.values_list("pk", flat=True))
    activities = list(Activity.objects.values_list("pk", flat=True))
    roles = list(ProfessionalRole.objects.values_list("pk", flat=True))
    orgs = Organisation.objects.bulk_create([
        Organisation(name=f"ベンチ事業所 {i:04d}", prefecture_id=PREFECTURES[i % len(PREFECTURES)],
                     kind_id=kinds[i % len(kinds)], volunteer_hours_need_verification=True)
        for i in range(ORGANISATIONS)
    ])
    users = User.objects.bulk_create([
        User(email=f"bench{i}@example.test", display_name=f"ピア {i}", password="!")
        for i in range(ORGANISATIONS * PEERS_PER_ORGANISATION)
    ])
    engagements = Engagement.objects.bulk_create([
        Engagement(person=u, organisation=orgs[i // PEERS_PER_ORGANISATION], kind="volunteer",
                   start_date=datetime.date(2020, 1, 1))
        for i, u in enumerate(users)
    ])
    manager = User.objects.create_user(email="bench-manager@example.test", display_name="管理", password="x")
    role_grant(user=manager, role=Role.MANAGER, organisation=orgs[0])
    coordinator = User.objects.create_user(email="bench-coord@example.test", display_name="調整", password="x")
    role_grant(user=coordinator, role=Role.COORDINATOR, prefecture=Prefecture.objects.get(code="13"))
    for person in (manager, coordinator):
        TOTP.activate(person, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

    today = timezone.localdate()
    statuses = ["verified"] * 14 + ["submitted"] * 5 + ["declined"]
    modes = ["in_person", "phone", "online", "home_visit", "accompanying"]
    stages = ["hospital", "discharge", "community", "work", "prevention"]
    now = timezone.now()
    entry_table = ActivityEntry._meta.db_table
    through_table = ActivityEntry.professional_roles.through._meta.db_table
    columns = ("id", "author_id", "engagement_id", "organisation_id", "engagement_kind", "date",
               "duration_minutes", "setting_id", "activity_id", "mode", "stage", "people_supported",
               "level_person", "level_professionals", "level_organisation", "level_community",
               "reflection", "reflection_shared", "status", "created_at", "updated_at")
    started = time.perf_counter()
    links = []

    def entry_rows():
        for pk in range(1, rows + 1):
            e = engagements[rng.randrange(len(engagements))]
            for role in rng.sample(roles, rng.choice((0, 0, 1, 1, 2))):
                links.append((pk, role))
            yield (pk, e.person_id, e.pk, e.organisation_id, "volunteer",
                   today - datetime.timedelta(days=rng.randrange(365)), rng.choice((30, 60, 90, 120)),
                   kinds[(e.organisation_id) % len(kinds)], rng.choice(activities), rng.choice(modes),
                   rng.choice(stages), rng.randrange(0, 6), True, False, False, False, "", False,
                   rng.choice(statuses), now, now)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {entry_table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in entry_rows():
                    copy.write_row(row)
            with raw.copy(f"COPY {through_table} (activityentry_id, professionalrole_id) FROM STDIN") as copy:
                for row in links:
                    copy.write_row(row)
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{entry_table}', 'id'), %s)", [rows])
            cursor.execute(f"ANALYZE {entry_table}")
            cursor.execute(f"ANALYZE {through_table}")
    else:
        batch = []
        for row in entry_rows():
            batch.append(ActivityEntry(**dict(zip(columns, row, strict=True))))
            if len(batch) == 10_000:
                ActivityEntry.objects.bulk_create(batch)
                batch = []
        ActivityEntry.objects.bulk_create(batch)
        through = ActivityEntry.professional_roles.through
        through.objects.bulk_create([through(activityentry_id=a, professionalrole_id=b) for a, b in links],
                                    batch_size=10_000)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    activity_rollup_rebuild()
    rollup = time.perf_counter() - started
    print(f"loaded {rows:,} entries and {len(links):,} role links in {loaded:.1f}s; "
          f"rollups built in bulk in {rollup:.1f}s ({connection.vendor})")
    return manager, coordinator, orgs[0]


def run() -> None:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import get_runner, override_settings

    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        manager, coordinator, organisation = _load(rows)
        from collaboration.activity.models import ActivityEntry, ActivityRollup

        since = (datetime.date.today() - datetime.timedelta(days=365)).isoformat()
        entry_table = ActivityEntry._meta.db_table
        through = ActivityEntry.professional_roles.through._meta.db_table
        region_sql = (
            f"SELECT e.setting_id, e.activity_id, COUNT(*), SUM(e.duration_minutes) FROM {entry_table} e "
            "JOIN peers_organisation o ON o.id = e.organisation_id "
            "WHERE o.prefecture_id = '13' AND e.status = 'verified' AND e.date >= %s "
            "GROUP BY e.setting_id, e.activity_id"
        )
        org_sql = (
            f"SELECT e.activity_id, t.professionalrole_id, COUNT(*) FROM {entry_table} e "
            f"JOIN {through} t ON t.activityentry_id = e.id "
            "WHERE e.organisation_id = %s AND e.date >= %s AND e.status <> 'declined' "
            "GROUP BY e.activity_id, t.professionalrole_id"
        )

        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            manager_client, coordinator_client = Client(), Client()
            from tests.conftest import login_two_step

            login_two_step(manager_client, manager)  # staff pages want two-step sign-in
            login_two_step(coordinator_client, coordinator)

            org_rows = ActivityEntry.objects.filter(organisation=organisation).count()
            figures = [
                (f"organisation page ({org_rows:,} entries of {rows:,})",
                 page_timed(manager_client, f"/staff/activity/organisations/{organisation.pk}/")),
                ("  plain SQL: its matrix GROUP BY", sql_timed(org_sql, [organisation.pk, since])),
                ("verification queue page", page_timed(manager_client, f"/staff/activity/organisations/{organisation.pk}/queue/")),
                (f"region page (rollups, {ActivityRollup.objects.count():,} rows)",
                 page_timed(coordinator_client, "/staff/activity/region/")),
                ("  plain SQL: live GROUP BY over entries", sql_timed(region_sql, [since])),
            ]
            print_figures(figures, 52)
    finally:
        runner.teardown_databases(old)
