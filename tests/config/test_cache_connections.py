"""One Redis client and pool per server process: real servers (uvicorn, gunicorn) with the Redis
cache serve hundreds of cached pages over a handful of Redis connections, and a forked process
never shares its parent's connection.

The servers are real processes reading the committed demo from PostgreSQL (a SQLite test
database lives in the test process's memory) and a redis-server of the test's own, whose
`total_connections_received` counts every connection any of them opened.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connections

from tests.processes import free_port, started_redis

pytestmark = [pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_NAME = "kakehashi-test-cache"
REQUESTS = 400
CLIENTS = 8
WORKERS = 2


def _database_url() -> str:
    database = connections["default"].settings_dict
    if connections["default"].vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("PostgreSQL is required for this test (REQUIRE_SERVICES=1)")
        pytest.skip("the server processes need the test database on PostgreSQL")
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    return f"postgres://{database.get('USER') or 'postgres'}{password}@{host}:{port}/{database['NAME']}"


def _command(server: str, port: int) -> list[str]:
    if server == "gunicorn":
        return [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(WORKERS),
                "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                "config.wsgi:application"]
    return [sys.executable, "-m", "config.serve", "--workers", str(WORKERS), "--port", str(port),
            "--no-access-log", "--log-level", "warning"]


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, str | None]:
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.status, response.headers.get("X-Page-Cache")


def _wait_until_up(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the server stopped while starting")
        try:
            if _get(http.client.HTTPConnection("127.0.0.1", port, timeout=5), "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer in time")


@pytest.mark.parametrize("server", ["uvicorn", "gunicorn"])
def test_a_server_serves_hundreds_of_cached_pages_over_a_handful_of_redis_connections(demo_committed, server):
    import redis

    own = started_redis()
    watcher = redis.Redis.from_url(own.url)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.config.redis_cache_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": own.url,
        "REDIS_CACHE_CLIENT_NAME": CLIENT_NAME,
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(_command(server, port), cwd=ROOT, env=env)
    try:
        _wait_until_up(port, process)
        received_before = watcher.info("stats")["total_connections_received"]
        answers: list[tuple[int, str | None]] = []

        def client(n: int) -> None:
            # A fresh connection per request too, so that every worker and thread takes part.
            for i in range(REQUESTS // CLIENTS):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
                answers.append(_get(connection, "/" if (n + i) % 2 else "/en/"))
                connection.close()

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        opened = watcher.info("stats")["total_connections_received"] - received_before
        named = [c for c in watcher.client_list() if c.get("name") == CLIENT_NAME]
    finally:
        process.terminate()
        process.wait(timeout=20)
        watcher.close()
        own.stop()

    assert len(answers) == REQUESTS and all(status == 200 for status, _ in answers)
    hits = sum(1 for _, cache in answers if cache == "hit")
    assert hits >= REQUESTS - 2 * WORKERS * CLIENTS, hits  # served from Redis, so Redis was used
    # One pool per worker process, each at most as wide as the requests it ran at once.
    assert opened <= WORKERS * CLIENTS, opened
    assert 1 <= len(named) <= WORKERS * CLIENTS, named
    assert opened <= 4 * WORKERS or server == "uvicorn", opened  # sync workers: one request at a time


def test_a_forked_process_opens_its_own_redis_connection_and_keeps_the_parents_intact(settings):
    own = started_redis()
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FailSafeRedisCache", "LOCATION": own.url,
                    "OPTIONS": {"client_name": CLIENT_NAME}},
    }
    try:
        from django.core.cache import cache

        cache.set("parent", 1)
        parent_client = cache._cache.get_client()
        parent_id = parent_client.client_id()
        read, write = os.pipe()
        child = os.fork()
        if child == 0:  # pragma: no cover - the child reports through the pipe
            try:
                client = cache._cache.get_client()
                same_object = client is parent_client
                os.write(write, f"{client.client_id()} {int(same_object)} {cache.get('parent')}".encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(child, 0)
        child_id, same_object, value = os.read(read, 100).decode().split()
        os.close(read)
        assert int(child_id) != parent_id and same_object == "0" and value == "1"
        assert cache._cache.get_client() is parent_client and parent_client.client_id() == parent_id
        # Every cache object of this process (one per thread) uses the same client.
        seen = []
        thread = threading.Thread(target=lambda: seen.append(cache._cache.get_client()))
        thread.start()
        thread.join()
        assert seen == [parent_client]
    finally:
        own.stop()
