"""Pages as production serves them: gunicorn (sync ×2) beside granian (WSGI ×2) and uvicorn (×2).

A throwaway PostgreSQL database gets the demo and a bare Wagtail page type's page (its title
through the site's base template, bench/_minimal_page); the servers run production's own settings
(bench/_production_settings.py: DEBUG off, the manifest static storage, the Redis cache at
BENCH_REDIS_URL) with DJANGO_CONN_MAX_AGE (default 60, as compose should set it). Each server gets
two worker processes with one request at a time each, and the same requests: what nginx routes
to WSGI (`X-Forwarded-Proto: https`), from BENCH_CLIENTS (default 8) keep-alive clients in this
process for BENCH_SECONDS (default 3) per address, after a warm-up that reaches every worker.

Figures (RESULT lines): on each server, a signed-in (so uncached) page against the minimal
Wagtail page signed in on the same server (goal ≥ 0.5×); each server's pages against gunicorn
sync ×2 on the same pages (geometric mean; goal ≥ 0.95× for the one production runs,
BENCH_PRODUCTION_SERVER, default gunicorn); and the Redis connections each server opened (cache
client named `kakehashi-bench-cache`; the baseline is the number of requests). The load generator shares the two cores with the servers,
so the rates are lower bounds, the same for every server.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kk_pages_bench \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python -m bench production
"""

from __future__ import annotations

import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import env_database_url, env_redis_url, env_seconds, free_port, p95, result

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = env_seconds(3)
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
CONN_MAX_AGE = os.environ.get("DJANGO_CONN_MAX_AGE", "60")
PRODUCTION_SERVER = os.environ.get("BENCH_PRODUCTION_SERVER", "gunicorn")
DEFAULT_DATABASE = "kakehashi_bench_production"
CACHE_CLIENT_NAME = "kakehashi-bench-cache"
MINIMAL_PAGE_SLUG = "bench-minimal-page"

# name, command (PORT filled in): two workers each, one request at a time per worker.
SERVERS = [
    ("gunicorn sync ×2", ["{bin}/gunicorn", "--workers", "2", "--worker-class", "sync",
                          "--bind", "127.0.0.1:{port}", "--log-level", "warning",
                          "config.wsgi:application"]),
    ("granian WSGI ×2", ["{bin}/granian", "--interface", "wsgi", "--workers", "2",
                         "--blocking-threads", "1", "--no-ws", "--host", "127.0.0.1",
                         "--port", "{port}", "--log-level", "warning", "config.wsgi:application"]),
    ("uvicorn ×2", ["{python}", "-m", "config.serve", "--workers", "2", "--host", "127.0.0.1",
                    "--port", "{port}", "--no-access-log", "--log-level", "warning"]),
]

# label, path, signed in, a text the answer must carry
ROWS = [
    ("minimal Django view", "/bench-minimal/", False, "ok"),
    ("minimal Wagtail page", f"/{MINIMAL_PAGE_SLUG}/", False, "<h1>Bench minimal page</h1>"),
    ("minimal Wagtail page, signed in", f"/{MINIMAL_PAGE_SLUG}/", True, "/accounts/logout/"),
    ("home ja (page cache)", "/", False, 'lang="ja"'),
    ("home en (page cache)", "/en/", False, 'lang="en"'),
    ("courses ja (page cache)", "/courses/", False, 'lang="ja"'),
    ("home ja, signed in (uncached)", "/", True, "/accounts/logout/"),
    ("courses ja, signed in (uncached)", "/courses/", True, "/accounts/logout/"),
]
SIGNED_IN_BASELINE = "minimal Wagtail page, signed in"
SIGNED_IN_FIGURES = ["home ja, signed in (uncached)", "courses ja, signed in (uncached)"]


# --- The load generator: raw HTTP/1.1 over keep-alive sockets, cheaper than http.client ------


class _Connection:
    def __init__(self, port: int, request: bytes):
        self.port, self.request, self.sock = port, request, None

    def get(self) -> tuple[int, bytes]:
        for attempt in (1, 2):
            fresh = self.sock is None
            if fresh:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                return self._exchange()
            except (OSError, ConnectionError):
                self.close()
                if fresh or attempt == 2:  # a kept-alive socket the server closed: once more
                    raise
        raise AssertionError("unreachable")

    def _exchange(self) -> tuple[int, bytes]:
        self.sock.sendall(self.request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the headers")
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip().lower()
        if b"content-length" not in headers:
            raise ConnectionError(f"no Content-Length ({headers.get(b'transfer-encoding')})")
        length = int(headers[b"content-length"])
        while len(body) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed in the body")
            body += chunk
        if headers.get(b"connection") == b"close" or lines[0].startswith(b"HTTP/1.0"):
            self.close()
        return status, body

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _request(path: str, cookie: str) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "X-Forwarded-Proto: https",
             "X-Forwarded-For: 127.0.0.1", "User-Agent: kakehashi-bench"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _load(port: int, path: str, cookie: str, must_carry: str) -> tuple[float, float, int]:
    """Requests per second, p95 (ms) and failed requests, CLIENTS clients for SECONDS."""
    request = _request(path, cookie)
    warm = _Connection(port, request)
    for _ in range(12):  # both workers: their first views fill the process caches
        status, body = warm.get()
        warm.close()
        if status != 200 or must_carry.encode() not in body:
            raise RuntimeError(f"{path} answered {status} without {must_carry!r}")
    timings: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors = [0] * CLIENTS
    start_together = threading.Barrier(CLIENTS + 1)

    def client(i: int) -> None:
        connection = _Connection(port, request)
        start_together.wait()
        stop = time.perf_counter() + SECONDS
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                status, _ = connection.get()
            except OSError:
                errors[i] += 1
                continue
            if status != 200:
                errors[i] += 1
            timings[i].append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_together.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    every = [t for per in timings for t in per]
    return len(every) / elapsed, (p95(every) * 1000 if every else float("nan")), sum(errors)


# --- Setting up: a database with the demo, static files, a signed-in session ------------------


def _database_urls() -> tuple[str, str, str]:
    """(the server's maintenance URL, the bench database's URL, its name)."""
    parts = urlsplit(env_database_url())
    name = parts.path.lstrip("/") or DEFAULT_DATABASE
    server = urlunsplit(parts._replace(path="/postgres"))
    return server, urlunsplit(parts._replace(path=f"/{name}")), name


def _recreate_database(server_url: str, name: str, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


SETUP_SCRIPT = f"""
from django.test import Client
from wagtail.models import Locale, Page
from bench._minimal_page.models import MinimalPage
from peers.models import User

home = Page.objects.get(depth=2, locale=Locale.objects.get(language_code="ja"))
home.add_child(instance=MinimalPage(title="Bench minimal page", slug="{MINIMAL_PAGE_SLUG}"))
client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(email="peer@example.org"))
assert client.get("/").status_code == 200
print("; ".join(f"{{name}}={{morsel.value}}" for name, morsel in client.cookies.items()))
"""


def _set_up(env: dict) -> str:
    """Migrate, load the demo, add the minimal page, collect static files; return the cookie
    header of a signed-in peer supporter."""
    manage = [sys.executable, "manage.py"]
    setup_env = {**env, "BENCH_SETUP": "1"}
    for command in (["migrate", "--no-input", "-v", "0"], ["load_demo", "--quiet-summary"],
                    ["collectstatic", "--no-input", "-v", "0"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=setup_env, check=True, stdout=subprocess.DEVNULL)
    done = subprocess.run([*manage, "shell", "-c", SETUP_SCRIPT], cwd=ROOT, env=setup_env,
                          capture_output=True, text=True)
    cookie = (done.stdout.strip().splitlines() or [""])[-1]
    if done.returncode or "sessionid=" not in cookie:
        raise RuntimeError(f"no session: {done.stdout} {done.stderr}")
    return cookie


# --- Running the servers ----------------------------------------------------------------------


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            status, _ = _Connection(port, _request("/bench-minimal/", "")).get()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server did not answer in time")


def _redis_counts(redis_url: str) -> tuple[int, int]:
    """(connections the server has received since it started, those open now named ours)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        received = client.info("stats")["total_connections_received"]
        named = sum(1 for c in client.client_list() if c.get("name") == CACHE_CLIENT_NAME)
        return received, named
    finally:
        client.close()


def _serve(name: str, command: list[str], env: dict, cookie: str) -> dict[str, tuple]:
    port = free_port()
    argv = [part.format(bin=BIN, python=sys.executable, port=port) for part in command]
    received_before, _ = _redis_counts(env["REDIS_URL"])
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    figures: dict[str, tuple] = {}
    try:
        _wait_until_up(port, process)
        print(f"-- {name}: {CLIENTS} clients, {SECONDS:g} s per address", flush=True)
        requests = 0
        for label, path, signed_in, must_carry in ROWS:
            rate, p95_ms, errors = _load(port, path, cookie if signed_in else "", must_carry)
            requests += int(rate * SECONDS)
            figures[label] = (rate, p95_ms, errors)
            note = f"  ({errors} failed)" if errors else ""
            print(f"{label:<36}{rate:>9.0f}{p95_ms:>9.1f}{note}", flush=True)
        received_after, named = _redis_counts(env["REDIS_URL"])
        figures["redis"] = (requests, named, received_after - received_before)
        print(f"Redis: {named} cache connections open (named {CACHE_CLIENT_NAME}) after about "
              f"{requests} requests; {received_after - received_before} connections received by the "
              "Redis server meanwhile (every client of it)", flush=True)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return figures


def _geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def _report(measured: dict[str, dict[str, tuple]]) -> None:
    baseline_server = SERVERS[0][0]
    labels = [label for label, *_ in ROWS]
    print(f"\n{'page (req/s)':<36}" + "".join(f"{name:>18}" for name, _ in SERVERS))
    for label in labels:
        print(f"{label:<36}" + "".join(f"{measured[name][label][0]:>18.0f}" for name, _ in SERVERS))
    for name, _ in SERVERS:
        short = re.sub(r"\W+", "_", name.split()[0])
        figures = measured[name]
        for label in SIGNED_IN_FIGURES:
            value, baseline = figures[label][0], figures[SIGNED_IN_BASELINE][0]
            page = re.sub(r"\W+", "_", label.split(",")[0])
            result("production", f"{short}.{page}_signed_in_vs_minimal_wagtail", value, "req/s",
                   baseline, "≥0.5× the minimal Wagtail page signed in", value >= 0.5 * baseline)
        ratio = _geometric_mean([figures[label][0] / measured[baseline_server][label][0] for label in labels])
        mean = _geometric_mean([figures[label][0] for label in labels])
        mean_baseline = _geometric_mean([measured[baseline_server][label][0] for label in labels])
        goal = "≥0.95× gunicorn sync ×2" if name.split()[0] == PRODUCTION_SERVER else "none (not production)"
        result("production", f"{short}.pages_vs_gunicorn_sync_x2", mean, "req/s", mean_baseline, goal,
               ratio >= 0.95, ratio=ratio)
        requests, named, _ = figures["redis"]
        # One pool per process: at most as many connections as requests it runs at once.
        result("production", f"{short}.redis_cache_connections", named, "", requests,
               f"one pool per worker: ≤{2 * CLIENTS} for the requests", named <= 2 * CLIENTS,
               ratio=named / requests if requests else float("nan"))


def run() -> None:
    server_url, database_url, database = _database_urls()
    redis_url = env_redis_url()
    with tempfile.TemporaryDirectory(prefix="kakehashi-bench-production-") as folder:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench._production_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"bench-production-{os.getpid()}",
            "CHANNEL_LAYER_PREFIX": f"bench-production-{os.getpid()}",
            "DJANGO_CONN_MAX_AGE": CONN_MAX_AGE,
            "BENCH_STATIC_ROOT": f"{folder}/static",
            "DJANGO_MEDIA_ROOT": f"{folder}/media",
            "DJANGO_PRIVATE_MEDIA_ROOT": f"{folder}/private",
            "KAKEHASHI_CREDENTIAL_KEYS_DIR": f"{folder}/keys",
            "PYTHONPATH": str(ROOT),
        }
        print(f"database {database} (recreated), Redis {redis_url}, DJANGO_CONN_MAX_AGE={CONN_MAX_AGE}")
        _recreate_database(server_url, database)
        try:
            cookie = _set_up(env)
            measured = {name: _serve(name, command, env, cookie) for name, command in SERVERS}
        finally:
            _recreate_database(server_url, database, drop_only=True)
    _report(measured)
