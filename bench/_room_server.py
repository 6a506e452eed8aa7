"""The room benches' server (underscore: not a bench module itself): a throwaway PostgreSQL
database with N signed-in members invited to one open meeting (bench/_room_setup.py), and
uvicorn serving bench/_asgi_bare.py (the real room and the bare baselines) on BENCH_PORT or a
free port, with Redis (BENCH_REDIS_URL) as the pub/sub channel layer.

The throwaway database is named after BENCH_DATABASE_URL's own database when it names one
(`…/kk_room_bench` → `kk_room_bench_<pid>`), else `kakehashi_bench_<pid>`; it is dropped after.
It is copied from a migrated template (`…_template_<digest of the migration files>`), kept
between runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import env_database_url, env_redis_url, free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RoomServer:
    port: int
    meeting: int
    cookies: list[str]
    dsn: str
    process: subprocess.Popen

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def rss_kb(self) -> int:
        """The server process's resident memory now."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")


def _server_and_name() -> tuple[str, str]:
    parts = urlsplit(env_database_url())
    own = parts.path.strip("/")
    name = f"{own or 'kakehashi_bench'}_{os.getpid()}"
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), name


def _migrations_digest() -> str:
    """Names every migration file of the project: a new migration makes a new template."""
    import hashlib

    names = sorted(str(p.relative_to(ROOT)) for p in ROOT.glob("*/migrations/0*.py"))
    return hashlib.sha1("\n".join(names).encode()).hexdigest()[:10]


def _create_migrated(server_url: str, name: str, env: dict) -> None:
    """The database, migrated: copied from a migrated template kept between runs (migrating
    from nothing takes minutes on a busy machine), made on the first run."""
    import psycopg

    template = f"{name.rsplit('_', 1)[0]}_template_{_migrations_digest()}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{template}"')
            try:
                subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT,
                               env={**env, "DATABASE_URL": f"{server_url}/{template}"}, check=True)
            except BaseException:
                conn.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
                raise
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@contextlib.contextmanager
def room_server(members: int, *, workers: int = 1, extra_env: dict | None = None):
    import psycopg

    server_url, name = _server_and_name()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"{server_url}/{name}",
        "REDIS_URL": env_redis_url(),
        "CHANNEL_LAYER_PREFIX": f"bench{os.getpid()}",
        "DJANGO_CONN_MAX_AGE": "600",
        "DJANGO_LOG_LEVEL": "WARNING",
        "KAKEHASHI_ROOM_RATE_BURST": "100000",
        "KAKEHASHI_ROOM_RATE_PER_SECOND": "100000",
        **(extra_env or {}),
    }
    process = None
    _create_migrated(server_url, name, env)
    try:
        out = subprocess.run([sys.executable, "-m", "bench._room_setup", str(members)], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        data = json.loads(out.strip().splitlines()[-1])
        # BENCH_PROFILE=file.prof: run the server under cProfile (its event loop thread) and
        # write the profile when it stops; read it with `python -m pstats file.prof`.
        profile = os.environ.get("BENCH_PROFILE")
        prefix = ["-m", "cProfile", "-o", profile] if profile else []
        process = subprocess.Popen(
            [sys.executable, *prefix, "-m", "config.serve", "--app", "bench._asgi_bare:application", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log", "--workers", str(workers)],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("uvicorn did not start") from None
                time.sleep(0.2)
        yield RoomServer(port=port, meeting=data["meeting"], cookies=data["cookies"], dsn=f"{server_url}/{name}",
                         process=process)
    finally:
        if process is not None:
            # uvicorn re-raises the signal after a graceful stop; SIGINT lets cProfile write.
            process.send_signal(signal.SIGINT if os.environ.get("BENCH_PROFILE") else signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def busy_core(enabled: bool):
    """A process spinning on one core for the block (CPU contention), or nothing."""
    if not enabled:
        yield
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()
