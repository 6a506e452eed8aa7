"""Public pages per second through a real server (uvicorn) and in process, beside a minimal Django view.

Through the server: a throwaway SQLite database gets the demo data, `uvicorn config.asgi`
(one worker, with the bench's urlconf that adds the minimal view) serves it on 127.0.0.1, and a
load generator in this process (threads, each with a keep-alive http.client connection) sends
requests for a fixed time to each address in turn; the same is done with the page cache on
(the default) and off. In process: Django's test client through the whole stack, no network.
Every figure sits beside the minimal view measured in the same run. The load generator shares
the machine's cores with the server, so the figures are lower bounds for the server.
Environment: BENCH_SECONDS (per address, default 3), BENCH_THREADS (default 8).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.http import HttpResponse
from django.test import Client
from django.test.utils import override_settings
from django.urls import path

from bench import demo_database, p95, timed_gets
from config.urls import urlpatterns as project_urls

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))

ROWS = [
    ("minimal Django view (baseline)", "/bench-minimal/"),
    ("home page (Wagtail, ja)", "/"),
    ("home page (Wagtail, en)", "/en/"),
    ("course listing (Wagtail, ja)", "/courses/"),
    ("course listing (Wagtail, en)", "/en/courses/"),
]


def minimal_view(request):
    return HttpResponse("ok")


urlpatterns = [path("bench-minimal/", minimal_view), *project_urls]


# --- Through a real server --------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/bench-minimal/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer in time")


def _load(port: int, url: str, seconds: float, threads: int) -> tuple[float, float, int]:
    """Requests per second, p95 latency (ms) and errors, `threads` keep-alive clients for
    `seconds`."""
    timings: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[i] += 1
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            timings[i].append(time.perf_counter() - started)
        connection.close()

    for _ in range(2):  # warm up: the first view fills the caches
        _one(port, url)
    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    every = [t for per in timings for t in per]
    return len(every) / elapsed, (p95(every) * 1000 if every else float("nan")), sum(errors)


def _one(port: int, url: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", url)
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"{url} answered {response.status}")


def _server_rows(env: dict, cache_on: bool) -> None:
    port = _free_port()
    server_env = {**env, "KAKEHASHI_PAGE_CACHE": "1" if cache_on else "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "config.serve", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=server_env,
    )
    try:
        _wait_until_up(port, process)
        label = "page cache on" if cache_on else "page cache off"
        print(f"-- uvicorn, 1 worker, {THREADS} keep-alive clients, {SECONDS:.0f} s each, {label}")
        baseline = None
        for name, url in ROWS:
            rate, p95, errors = _load(port, url, SECONDS, THREADS)
            baseline = baseline or rate
            note = f"  ({errors} errors)" if errors else ""
            print(f"{name:<40}{rate:>10.0f}{p95:>10.2f}{rate / baseline:>13.0%}{note}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def run_server() -> None:
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-") as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench._server_settings",
            "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)  # the in-memory channel layer: one process
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "load_demo", "--quiet-summary"], cwd=ROOT, env=env, check=True)
        print(f"{'page':<40}{'req/s':>10}{'p95 ms':>10}{'vs baseline':>14}")
        for cache_on in (True, False):
            _server_rows(env, cache_on)


# --- In process -------------------------------------------------------------------------------


def _rate(client: Client, url: str, seconds: float = SECONDS) -> tuple[float, float]:
    timings = timed_gets(client, url, seconds, warm_up=20)
    return len(timings) / sum(timings), p95(timings) * 1000


def run_in_process() -> None:
    with demo_database():
        rows = [*ROWS, ("sign-in page (allauth)", "/accounts/login/"),
                ("/healthz (database + channel layer)", "/healthz")]
        for cache_on in (True, False):
            with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"],
                                   KAKEHASHI_PAGE_CACHE=cache_on):
                client = Client()
                baseline = None
                print(f"-- in process (test client), page cache {'on' if cache_on else 'off'}")
                for label, url in rows:
                    rate, p95_ms = _rate(client, url)
                    baseline = baseline or rate
                    print(f"{label:<40}{rate:>10.0f}{p95_ms:>10.2f}{rate / baseline:>13.0%}")


def run() -> None:
    run_server()
    run_in_process()
