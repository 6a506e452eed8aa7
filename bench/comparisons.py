"""Regional comparisons at scale: the comparison page and table API over N activity entries.

Loads BENCH_ROWS verified/submitted/declined entries with bench.activity's loader (generate_series on
PostgreSQL), builds the rollups in bulk, then times through Django's test Client the
coordinator's comparison page (activity entries by prefecture and by setting, from the rollups,
with the χ² test) and the table API, each beside the live GROUP BY over the raw rows the page
avoids, in the same run. Also times the rebuild-and-check command. Goal (issue 17): a region
report over 10^7 entries in ≤ 50 ms p95 on PostgreSQL. BENCH_SECONDS: how long each is timed.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432 .venv/bin/python -m bench comparisons
        # BENCH_ROWS=100000 for a quick run
"""

from __future__ import annotations

import datetime
import os
import time

from bench import result

GOAL_MS = 50


def run() -> None:
    from django.test import Client
    from django.test.utils import override_settings

    from bench._database import bench_database
    from bench.activity import _load, page_timed, print_figures, sql_timed

    rows = int(os.environ.get("BENCH_ROWS", "1000000"))
    with bench_database():
        _manager, coordinator, _organisation = _load(rows)
        from collaboration.activity.models import ActivityEntry, ActivityRollup
        from comparisons.rollups import fiscal_year, rollup_check
        from peers.models import Role, User
        from peers.services import role_grant

        admin = User.objects.create_user(email="bench-admin@example.test", display_name="管理者", password="x")
        role_grant(user=admin, role=Role.ADMIN)
        year = fiscal_year(datetime.date.today())
        start = datetime.date(year - 1, 4, 1).isoformat()
        entry_table = ActivityEntry._meta.db_table
        raw_sql = (
            f"SELECT o.prefecture_id, e.activity_id, COUNT(*) FROM {entry_table} e "
            "JOIN peers_organisation o ON o.id = e.organisation_id "
            "WHERE e.status = 'verified' AND e.date >= %s GROUP BY o.prefecture_id, e.activity_id"
        )

        from tests.conftest import login_two_step

        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            coordinator_client, admin_client = Client(), Client()
            login_two_step(coordinator_client, coordinator)
            login_two_step(admin_client, admin)

            query = f"source=activity&year_from={year - 1}&year_to={year}"
            labels = {
                "admin_page": f"comparison page, admin, by prefecture ({ActivityRollup.objects.count():,} rollup rows)",
                "coordinator_page": "comparison page, coordinator, by setting",
                "table_api": "table API, admin, by prefecture",
                "sql": f"  plain SQL: live GROUP BY over {rows:,} entries",
            }
            targets = {
                "admin_page": page_timed(admin_client, f"/staff/comparisons/?{query}&group=prefecture"),
                "coordinator_page": page_timed(coordinator_client, f"/staff/comparisons/?{query}&group=setting"),
                "table_api": page_timed(admin_client, f"/api/v1/reports/tables/activity/"
                                                      f"?group=prefecture&from={year - 1}&to={year}"),
                "sql": sql_timed(raw_sql, [start]),
            }
            timed = print_figures([(labels[k], targets[k]) for k in targets], 72)
            started = time.perf_counter()
            checks = rollup_check(sources=["activity"])
            print(f"rollup check against the raw rows: {time.perf_counter() - started:.1f}s, "
                  f"{checks[0].cells:,} cells, {checks[0].differences} differ")
        goal = f"p95 ≤ {GOAL_MS} ms (issue 17: at 10^7 entries; this run {rows})"
        baseline = timed[labels["sql"]][1]
        for figure in ("admin_page", "coordinator_page", "table_api"):
            value = timed[labels[figure]][1]
            result("comparisons", f"{figure}_p95", value, "ms", baseline, goal, value <= GOAL_MS,
                   ratio=baseline / value)
