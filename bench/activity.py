"""Activity log at scale: organisation and region pages over N entries (default 1,000,000).

Generates BENCH_ROWS entries in the server (generate_series) in a throwaway database at
BENCH_DATABASE_URL, builds the rollups in bulk, then times through Django's test Client, each for
BENCH_SECONDS, the organisation page (a manager's team table with its waiting counts, the
collaboration matrix, keyset list), the verification queue and the coordinator's region page
(from the rollups), each beside plain SQL over the same rows in the same run: the live GROUP BYs
the pages avoid, and the queue's first page as bare SQL. Goal (issue 20): p95 ≤ 50 ms at 10^7
entries on PostgreSQL. Checks that the waiting counts shown equal a live count.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python -m bench activity
        # BENCH_ROWS=100000 for a quick run; BENCH_ROWS=10000000 for the issue's size
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import time

from bench import env_seconds, p95, result

GOAL_MS = 50

ORGANISATIONS = 200
PEERS_PER_ORGANISATION = 10
PREFECTURES = ["13", "14", "27", "01", "40"]


def _time(fn, seconds: float) -> tuple[float, float, int]:
    """Median and p95 (ms) of `fn` called for `seconds` (at least 20 times; 5 when one call
    takes longer than a tenth of `seconds`, as the live GROUP BYs at 10^7 do), after two warm-ups."""
    fn()
    started = time.perf_counter()
    fn()
    at_least = 5 if time.perf_counter() - started > seconds / 10 else 20
    timings = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(timings) < at_least:
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), p95(timings), len(timings)


def sql_timed(query: str, params):
    """A timing target: run one SQL statement and fetch its rows (the baseline beside a page)."""
    from django.db import connection

    def go():
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            cursor.fetchall()
    return go


def sqls_timed(*statements):
    """A timing target: several (query, params) one after another (a page's work as bare SQL)."""
    targets = [sql_timed(q, p) for q, p in statements]

    def go():
        for target in targets:
            target()
    return go


def page_timed(client, url: str):
    """A timing target: one GET through the test Client, which must answer 200."""
    def go():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    return go


def print_figures(figures, width: int, seconds: float | None = None) -> dict[str, tuple[float, float]]:
    """Median and p95 of each (label, target), one line each; returns them by label."""
    seconds = env_seconds(3) if seconds is None else seconds
    print(f"{'':<{width}}{'median ms':>10}{'p95 ms':>10}{'runs':>7}")
    out = {}
    for label, fn in figures:
        median, high, count = _time(fn, seconds)
        out[label] = (median, high)
        print(f"{label:<{width}}{median:>10.1f}{high:>10.1f}{count:>7}", flush=True)
    return out


# The generated entries' columns, in the order of the SQL insert's values and the Python rows.
ENTRY_COLUMNS = ("id", "author_id", "engagement_id", "organisation_id", "engagement_kind", "date",
                 "duration_minutes", "setting_id", "activity_id", "mode", "stage", "people_supported",
                 "level_person", "level_professionals", "level_organisation", "level_community",
                 "reflection", "reflection_shared", "status", "created_at", "updated_at",
                 "recovery_personal", "recovery_social", "verification_waived")


def entry_columns_missing() -> list[str]:
    """Columns of the entries that must have a value and that the generator does not give (a
    field added to ActivityEntry later): the insert is SQL, so the database refuses such rows."""
    from collaboration.activity.models import ActivityEntry

    return [f.column for f in ActivityEntry._meta.concrete_fields if not f.null and f.column not in ENTRY_COLUMNS]


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
    modes = ["in_person", "phone", "online", "home_visit", "accompanying"]
    stages = ["hospital", "discharge", "community", "work", "prevention"]
    now = timezone.now()
    entry_table = ActivityEntry._meta.db_table
    through_table = ActivityEntry.professional_roles.through._meta.db_table
    columns = ENTRY_COLUMNS
    missing = entry_columns_missing()
    assert not missing, f"bench/activity.py: give the generated entries a value for {missing}"
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # In the server, from generate_series: 10^7 rows in minutes, not the hour Python rows take.
        # Per entry: one of the 2,000 engagements at random, a day in the last year, 70 % verified,
        # 25 % submitted, 5 % declined; 0, 1 or 2 professional roles (0.8 on average).
        with connection.cursor() as cursor:
            # The rows name only ids made above: skip the foreign-key checks, which otherwise run
            # at commit, one lookup per key per row (minutes at 10^7). Superuser only; reset below.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            # Indexes that back no constraint are dropped for the load and built again after it:
            # building one over 10^7 rows is much faster than 10^7 random insertions into it.
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename IN (%s, %s) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [entry_table, through_table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("SELECT setseed(0.5)")
            cursor.execute(
                f"INSERT INTO {entry_table} ({', '.join(columns)}) "
                "SELECT g, (%(persons)s::bigint[])[k], (%(engagements)s::bigint[])[k], (%(orgs)s::bigint[])[k], "
                "'volunteer', %(today)s::date - floor(random() * 365)::int, (ARRAY[30, 60, 90, 120])[1 + floor(random() * 4)::int], "
                "(%(kinds)s::bigint[])[1 + (%(orgs)s::bigint[])[k] %% %(nkinds)s], "
                "(%(activities)s::bigint[])[1 + floor(random() * %(nactivities)s)::int], "
                "(%(modes)s::text[])[1 + floor(random() * 5)::int], (%(stages)s::text[])[1 + floor(random() * 5)::int], "
                "floor(random() * 6)::int, true, false, false, false, '', false, "
                "CASE WHEN s < 0.70 THEN 'verified' WHEN s < 0.95 THEN 'submitted' ELSE 'declined' END, %(now)s, %(now)s, "
                "false, false, false "
                "FROM (SELECT g, 1 + floor(random() * %(n)s)::int AS k, random() AS s "
                "      FROM generate_series(1, %(rows)s) g) picked",
                {"persons": [e.person_id for e in engagements], "engagements": [e.pk for e in engagements],
                 "orgs": [e.organisation_id for e in engagements], "n": len(engagements), "today": today,
                 "kinds": kinds, "nkinds": len(kinds), "activities": activities, "nactivities": len(activities),
                 "modes": modes, "stages": stages, "now": now, "rows": rows},
            )
            # Roles: none for ids ending 0-1 (mod 5), one for 2-3, two (different ones) for 4.
            cursor.execute(
                f"INSERT INTO {through_table} (activityentry_id, professionalrole_id) "
                "SELECT id, (%(roles)s::bigint[])[1 + (id * 7) %% %(nroles)s] FROM "
                f"{entry_table} WHERE id %% 5 >= 2 "
                "UNION ALL SELECT id, (%(roles)s::bigint[])[1 + (id * 7 + 1 + id %% (%(nroles)s - 1)) %% %(nroles)s] "
                f"FROM {entry_table} WHERE id %% 5 = 4",
                {"roles": roles, "nroles": len(roles)},
            )
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute(f"SELECT COUNT(*) FROM {through_table}")
            links = cursor.fetchone()[0]
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{entry_table}', 'id'), %s)", [rows])
            # As autovacuum leaves a table in steady state: statistics and the visibility map.
            cursor.execute(f"VACUUM ANALYZE {entry_table}")
            cursor.execute(f"VACUUM ANALYZE {through_table}")
    else:
        statuses = ["verified"] * 14 + ["submitted"] * 5 + ["declined"]
        links = []
        batch = []
        for pk in range(1, rows + 1):
            e = engagements[rng.randrange(len(engagements))]
            for role in rng.sample(roles, rng.choice((0, 0, 1, 1, 2))):
                links.append((pk, role))
            batch.append(ActivityEntry(**dict(zip(columns, (
                pk, e.person_id, e.pk, e.organisation_id, "volunteer",
                today - datetime.timedelta(days=rng.randrange(365)), rng.choice((30, 60, 90, 120)),
                kinds[e.organisation_id % len(kinds)], rng.choice(activities), rng.choice(modes),
                rng.choice(stages), rng.randrange(0, 6), True, False, False, False, "", False,
                rng.choice(statuses), now, now, False, False, False), strict=True))))
            if len(batch) == 10_000:
                ActivityEntry.objects.bulk_create(batch)
                batch = []
        ActivityEntry.objects.bulk_create(batch)
        through = ActivityEntry.professional_roles.through
        through.objects.bulk_create([through(activityentry_id=a, professionalrole_id=b) for a, b in links],
                                    batch_size=10_000)
        links = len(links)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    activity_rollup_rebuild()
    rollup = time.perf_counter() - started
    print(f"loaded {rows:,} entries and {links:,} role links in {loaded:.1f}s; "
          f"rollups built in bulk in {rollup:.1f}s ({connection.vendor})")
    return manager, coordinator, orgs[0]


def run() -> None:
    from django.test import Client
    from django.test.utils import override_settings

    from bench._database import bench_database

    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    with bench_database():
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
            "WHERE e.organisation_id = %s AND e.date >= %s AND e.status = 'verified' "
            "GROUP BY e.activity_id, t.professionalrole_id"
        )
        waiting_sql = (
            f"SELECT e.author_id, u.display_name, COUNT(*) FROM {entry_table} e "
            "JOIN peers_user u ON u.id = e.author_id "
            "WHERE e.organisation_id = %s AND e.status = 'submitted' GROUP BY e.author_id, u.display_name"
        )
        queue_sql = (
            f"SELECT e.* FROM {entry_table} e WHERE e.organisation_id = %s AND e.status = 'submitted' "
            "AND e.author_id <> %s ORDER BY e.date DESC, e.id DESC LIMIT 26"
        )

        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            manager_client, coordinator_client = Client(), Client()
            from tests.conftest import login_two_step

            login_two_step(manager_client, manager)  # staff pages want two-step sign-in
            login_two_step(coordinator_client, coordinator)

            org_rows = ActivityEntry.objects.filter(organisation=organisation).count()
            org_page, queue_page = (f"/staff/activity/organisations/{organisation.pk}/",
                                    f"/staff/activity/organisations/{organisation.pk}/queue/")
            labels = {
                "organisation": f"organisation page ({org_rows:,} entries of {rows:,})",
                "organisation_sql": "  plain SQL: its matrix and waiting counts, live",
                "waiting_sql": "  plain SQL: the waiting counts alone, live",
                "queue": "verification queue page",
                "queue_sql": "  plain SQL: its first page of entries",
                "region": f"region page (rollups, {ActivityRollup.objects.count():,} rows)",
                "region_sql": "  plain SQL: live GROUP BY over entries",
            }
            targets = {
                "organisation": page_timed(manager_client, org_page),
                "organisation_sql": sqls_timed((org_sql, [organisation.pk, since]), (waiting_sql, [organisation.pk])),
                "waiting_sql": sql_timed(waiting_sql, [organisation.pk]),
                "queue": page_timed(manager_client, queue_page),
                "queue_sql": sql_timed(queue_sql, [organisation.pk, manager.pk]),
                "region": page_timed(coordinator_client, "/staff/activity/region/"),
                "region_sql": sql_timed(region_sql, [since]),
            }
            timed = print_figures([(labels[k], targets[k]) for k in targets], 56)
            _check_waiting(organisation)
        goal = f"p95 ≤ {GOAL_MS} ms (issue 20: at 10^7 entries; this run {rows})"
        for figure in ("organisation", "queue", "region"):
            value, baseline = timed[labels[figure]][1], timed[labels[f"{figure}_sql"]][1]
            result("activity", f"{figure}_page_p95", value, "ms", baseline, goal, value <= GOAL_MS,
                   ratio=baseline / value)


def _check_waiting(organisation) -> None:
    """The waiting counts the organisation page shows are the live count of submitted entries."""
    from django.db.models import Count

    from collaboration.activity.models import ActivityEntry, EntryStatus
    from collaboration.activity.selectors import month_start_before, team_summary

    live = dict(ActivityEntry.objects.filter(organisation=organisation, status=EntryStatus.SUBMITTED)
                .values_list("author__display_name").annotate(n=Count("id")).order_by())
    team = team_summary(organisation, month_start_before(12), datetime.date.today())
    shown = {row["name"]: row["waiting"] for row in team if row["waiting"]}
    assert shown == live, (shown, live)
    print(f"waiting counts on the page match a live count ({sum(live.values()):,} entries, {len(live)} people)")
