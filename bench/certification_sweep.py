"""The daily certification sweep over 100,000 certifications, beside a plain SQL UPDATE of the
same rows measured in the same run (the floor any sweep must pay to change those rows).

Goal (issue 4): the sweep handles 100,000 certifications with a fixed number of queries; checked
here by sweeping 1,000 certifications first (rolled back) and comparing the query counts.
Runs on a throwaway database at BENCH_DATABASE_URL. BENCH_CERTIFICATIONS sets the count.
"""

import datetime
import os
import time

from bench import result

N = int(os.environ.get("BENCH_CERTIFICATIONS", "100000"))
SMALL = 1000


def _setup(n: int, prefix: str):
    from peers.models import Organisation, Prefecture, User
    from training.models import Certification, CredentialType, TrainingBody
    from training.services import certification_number, cycle_dates

    organisation = Organisation.objects.create(name=f"bench body {prefix}", prefecture=Prefecture.objects.get(code="13"))
    body = TrainingBody.objects.create(organisation=organisation, number_prefix=prefix)
    ctype = CredentialType.objects.create(
        body=body, name="bench", expires=True, validity_months=24, renewal_window_days=120, grace_days=90
    )
    holder = User.objects.create_user(email=f"bench-{prefix.lower()}@example.test", display_name="bench")
    issued = datetime.date(2024, 1, 1)
    dates = cycle_dates(ctype, issued)
    batch = []
    for i in range(n):
        batch.append(Certification(
            body=body, credential_type=ctype, holder=holder, year=2024, sequence=i + 1,
            number=certification_number(body=body, year=2024, sequence=i + 1), issued_on=issued,
            cycle_started_on=issued, status="active", **dates,
        ))
        if len(batch) == 5000:
            Certification.objects.bulk_create(batch)
            batch = []
    Certification.objects.bulk_create(batch)
    return dates


def _sweep(today) -> tuple[dict, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from training.services import certification_sweep

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        counts = certification_sweep(today=today)
        elapsed = time.perf_counter() - started
    return counts, elapsed, len(queries)


def run() -> None:
    from django.db import connection, transaction

    from bench._database import bench_database
    from training.models import Certification, CertificationStatusChange

    with bench_database():
        dates = _setup(SMALL, "BEA")
        with transaction.atomic():
            counts, _elapsed, small_queries = _sweep(dates["renewal_due_from"])
            assert counts["expiring"] == SMALL, counts
            transaction.set_rollback(True)
        _setup(N - SMALL, "BEB")
        table = connection.ops.quote_name(Certification._meta.db_table)
        # Baseline: one UPDATE of the same rows, then undone.
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET status = 'expiring' WHERE status = 'active'")
            baseline = time.perf_counter() - started
            transaction.set_rollback(True)
        counts, sweep, queries = _sweep(dates["renewal_due_from"])
        assert counts["expiring"] == N, counts
        assert CertificationStatusChange.objects.count() == N
        print(f"{'certifications':<44}{N:>10}  ({connection.vendor})")
        print(f"{'plain SQL UPDATE of the rows (baseline)':<44}{baseline * 1000:>10.0f} ms")
        print(f"{'certification_sweep (UPDATE + history)':<44}{sweep * 1000:>10.0f} ms"
              f"  {sweep / baseline:.1f}x baseline, {queries} queries ({small_queries} for {SMALL:,})")
        result("certification_sweep", "sweep", sweep * 1000, "ms", baseline * 1000,
               f"a fixed number of queries ({queries} for {N} certifications, {small_queries} for {SMALL})",
               queries == small_queries, ratio=baseline / sweep)
