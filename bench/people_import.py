"""People import (CSV, dry run and apply) at BENCH_IMPORT_ROWS rows, beside a bulk_create of the
same accounts and engagements in the same run (the floor: no checks, no history, no audit).

Goal: an applied import at ≤ 20 ms a row, so that a file at the 5,000-row cap finishes within
100 s (issue 5 measured 18.5 ms/row and kept the cap at about 95 s).
Runs on a throwaway database at BENCH_DATABASE_URL. BENCH_PROFILE=1 prints the top costs.
"""

import datetime
import io
import os
import time

from bench import result

N = int(os.environ.get("BENCH_IMPORT_ROWS", "2000"))
GOAL_MS_PER_ROW = 20


def _csv(n: int) -> bytes:
    from peers.imports import PEOPLE_COLUMNS

    lines = [",".join(PEOPLE_COLUMNS)]
    for i in range(n):
        lines.append(",".join([
            f"bench{i}@example.test", f"ベンチ {i}", "べんち", "peer", "bench org", "13",
            "employed", "ピアスタッフ", "listening", "2024-04-01", "", "", "", "20", "40", "",
        ]))
    return ("\n".join(lines) + "\n").encode()


class _Upload(io.BytesIO):
    name = "people.csv"


def _setup():
    from allauth.mfa.totp.internal.auth import TOTP

    from peers.access import two_step_mark
    from peers.models import Organisation, Prefecture, Role, User
    from peers.services import role_grant
    from peers.vocabularies import ensure_seeded

    ensure_seeded()
    organisation = Organisation.objects.create(name="bench org", prefecture=Prefecture.objects.get(code="13"))
    admin = User.objects.create_user(email="bench-admin@example.test", display_name="admin")
    role_grant(user=admin, role=Role.ADMIN)
    # Staff work needs two-step sign-in (issue 12): an authenticator, and the mark a request sets.
    TOTP.activate(admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return two_step_mark(admin, passed=True), organisation


def _floor(n: int, organisation) -> float:
    from django.db import transaction

    from peers.models import Engagement, User

    with transaction.atomic():
        started = time.perf_counter()
        users = User.objects.bulk_create(
            [User(email=f"floor{i}@example.test", display_name=f"floor {i}", password="!") for i in range(n)]
        )
        Engagement.objects.bulk_create([
            Engagement(person=u, organisation=organisation, kind="employed", start_date=datetime.date(2024, 4, 1),
                       weekly_hours=20, full_time_weekly_hours=40)
            for u in users
        ])
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def run() -> None:
    from bench._database import bench_database
    from peers.imports import import_file
    from peers.models import Engagement

    with bench_database():
        admin, organisation = _setup()
        data = _csv(N)
        floor = _floor(N, organisation)
        timings = {}
        for apply in (False, True):
            started = time.perf_counter()
            if os.environ.get("BENCH_PROFILE") and apply:
                import cProfile
                import pstats

                profile = cProfile.Profile()
                outcome = profile.runcall(import_file, actor=admin, shape="people", upload=_Upload(data), apply=apply)
                pstats.Stats(profile).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(30)
            else:
                outcome = import_file(actor=admin, shape="people", upload=_Upload(data), apply=apply)
            timings[apply] = time.perf_counter() - started
            assert outcome["valid"], outcome["rows"][:3]
        assert Engagement.objects.count() == N
        print(f"rows: {N}")
        print(f"{'what':<34}{'seconds':>10}{'ms/row':>10}")
        print(f"{'bulk_create floor (same run)':<34}{floor:>10.2f}{floor / N * 1000:>10.2f}")
        print(f"{'import, dry run':<34}{timings[False]:>10.2f}{timings[False] / N * 1000:>10.2f}")
        print(f"{'import, applied':<34}{timings[True]:>10.2f}{timings[True] / N * 1000:>10.2f}")
        floor_ms = floor / N * 1000
        for figure, apply in (("dry_run", False), ("applied", True)):
            per_row = timings[apply] / N * 1000
            result("people_import", figure, per_row, "ms/row", floor_ms,
                   f"≤ {GOAL_MS_PER_ROW} ms a row (a 5000-row file within 100 s)", per_row <= GOAL_MS_PER_ROW,
                   ratio=floor_ms / per_row)
