"""Benchmarks (`make bench`): each prints its figure beside a baseline measured in the same run.

Helpers the benchmarks share: `demo_database()` (a throwaway test database with the demo
loaded), `timed_gets()` (a page fetched through the test client for a fixed time, after a
warm-up), `p95()`, the environment every bench reads (`env_*`), the machine's load (`load()`,
printed at the start and end of each bench by `python -m bench`) and `result()`, the one
machine-readable line per figure:

    RESULT <bench>.<figure> value=<number><unit> baseline=<number><unit> ratio=<number> goal=<text> met=<yes|no>

Environment, the same names in every bench: BENCH_DATABASE_URL (a PostgreSQL server or database
URL where a bench needs PostgreSQL; default postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL
(default redis://127.0.0.1:6379/6), BENCH_PORT (the first port a bench may listen on; 0 or unset:
any free port), BENCH_SECONDS (how long each measurement runs).
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import time

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/6"


def env_database_url() -> str:
    """BENCH_DATABASE_URL (BENCH_PG, its older name, still read)."""
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("BENCH_PG") or DEFAULT_DATABASE_URL


def env_redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL


def env_seconds(default: float) -> float:
    return float(os.environ.get("BENCH_SECONDS") or default)


_next_port = [0]


def free_port() -> int:
    """A port to listen on: BENCH_PORT, BENCH_PORT+1, ... when it is set, else any free one."""
    base = int(os.environ.get("BENCH_PORT") or 0)
    if base:
        port = base + _next_port[0]
        _next_port[0] += 1
        return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load() -> str:
    """The machine's load averages (1, 5, 15 min) and its core count, for the record."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _number(value: float) -> str:
    return f"{value:.4g}"


def result(bench: str, figure: str, value: float, unit: str, baseline: float, goal: str,
           met: bool, *, ratio: float | None = None) -> str:
    """Print (and return) the RESULT line of one figure. `ratio` defaults to value / baseline;
    pass it when the goal reads the other way (baseline / value for a latency)."""
    if ratio is None:
        ratio = value / baseline if baseline else float("nan")
    line = (f"RESULT {bench}.{figure} value={_number(value)}{unit} baseline={_number(baseline)}{unit} "
            f"ratio={ratio:.3f} goal={goal.replace(' ', '_')} met={'yes' if met else 'no'}")
    print(line, flush=True)
    return line


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
