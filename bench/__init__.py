"""Benchmarks (`make bench`): each prints its figure beside a baseline measured in the same run.

Helpers the in-process benchmarks share: `demo_database()` (a throwaway test database with the
demo loaded), `timed_gets()` (a page fetched through the test client for a fixed time, after a
warm-up) and `p95()`.
"""

from __future__ import annotations

import contextlib
import statistics
import time


def p95(values: list[float]) -> float:
    """The 95th percentile of `values` (the largest one when there are too few to cut)."""
    return statistics.quantiles(values, n=20)[18] if len(values) > 20 else max(values)


def timed_gets(client, url: str, seconds: float, *, warm_up: int = 5) -> list[float]:
    """Seconds per GET of `url`, for `seconds`, after `warm_up` requests (the first views fill
    the caches). Every answer must be a 200."""
    for _ in range(warm_up):
        client.get(url)
    out = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        response = client.get(url)
        out.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return out


@contextlib.contextmanager
def demo_database():
    """A throwaway test database (config.settings.test) with the demo data, dropped afterwards."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        call_command("load_demo", "--quiet-summary")
        yield
    finally:
        runner.teardown_databases(old)
