"""The daily certification sweep over 100,000 certifications, beside a plain SQL UPDATE of the
same rows measured in the same run (the floor any sweep must pay to change those rows).

Runs on a throwaway database (SQLite unless DATABASE_URL). BENCH_CERTIFICATIONS sets the count.
"""

import datetime
import os
import time

N = int(os.environ.get("BENCH_CERTIFICATIONS", "100000"))


def _setup(n: int):
    from peers.models import Organisation, Prefecture, User
    from training.models import Certification, CredentialType, TrainingBody
    from training.services import certification_number, cycle_dates

    organisation = Organisation.objects.create(name="bench body", prefecture=Prefecture.objects.get(code="13"))
    body = TrainingBody.objects.create(organisation=organisation, number_prefix="BEN")
    ctype = CredentialType.objects.create(
        body=body, name="bench", expires=True, validity_months=24, renewal_window_days=120, grace_days=90
    )
    holder = User.objects.create_user(email="bench@example.test", display_name="bench")
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


def run() -> None:
    from django.conf import settings
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext, get_runner

    from training.models import Certification, CertificationStatusChange
    from training.services import certification_sweep

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        dates = _setup(N)
        table = connection.ops.quote_name(Certification._meta.db_table)
        # Baseline: one UPDATE of the same rows, then undone.
        with transaction.atomic():
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET status = 'expiring' WHERE status = 'active'")
            baseline = time.perf_counter() - started
            transaction.set_rollback(True)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            counts = certification_sweep(today=dates["renewal_due_from"])
            sweep = time.perf_counter() - started
        assert counts["expiring"] == N, counts
        assert CertificationStatusChange.objects.count() == N
        print(f"{'certifications':<44}{N:>10}  ({connection.vendor})")
        print(f"{'plain SQL UPDATE of the rows (baseline)':<44}{baseline * 1000:>10.0f} ms")
        print(f"{'certification_sweep (UPDATE + history)':<44}{sweep * 1000:>10.0f} ms"
              f"  {sweep / baseline:.1f}x baseline, {len(queries)} queries")
    finally:
        runner.teardown_databases(old)
