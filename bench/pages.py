"""Pages through the whole Django stack (middleware, sessions, i18n, templates), in process.

Each figure sits beside a minimal Django view measured in the same run, so the overhead of our
stack is visible whatever the machine. Runs on a throwaway database (SQLite unless DATABASE_URL).
"""

import statistics
import time

from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

from config.urls import urlpatterns as project_urls


def minimal_view(request):
    return HttpResponse("ok")


urlpatterns = [path("bench-minimal/", minimal_view), *project_urls]


def _rate(client: Client, url: str, seconds: float = 3.0) -> tuple[float, float]:
    for _ in range(20):  # warm up
        client.get(url)
    timings = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return len(timings) / sum(timings), statistics.quantiles(timings, n=20)[18] * 1000


def run() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0, interactive=False)
    old = runner.setup_databases()
    try:
        call_command("load_demo", "--quiet-summary")
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
            client = Client()
            rows = [
                ("minimal Django view (baseline)", "/bench-minimal/"),
                ("home page (Wagtail, ja)", "/"),
                ("home page (Wagtail, en)", "/en/"),
                ("sign-in page (allauth)", "/accounts/login/"),
                ("/healthz (database + channel layer)", "/healthz"),
            ]
            baseline = None
            print(f"{'page':<40}{'req/s':>10}{'p95 ms':>10}{'vs baseline':>14}")
            for label, url in rows:
                rate, p95 = _rate(client, url)
                baseline = baseline or rate
                print(f"{label:<40}{rate:>10.0f}{p95:>10.2f}{rate / baseline:>13.0%}")
    finally:
        runner.teardown_databases(old)
